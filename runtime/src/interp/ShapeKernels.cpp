//===- ShapeKernels.cpp - Reshape, transpose, concat, identity --*- C++ -*-===//
//
// Data-movement kernels. They work on any element type (the bytes are moved,
// never interpreted), so integer and boolean values flow through them too.
// Reshape and identity share the input's storage instead of copying.
//
//===----------------------------------------------------------------------===//

#include "interp/Kernels.h"

#include <cstring>

namespace cim::rt {
namespace {

StatusOr<Tensor> runIdentity(ExecContext &,
                             const std::vector<const Tensor *> &in) {
  return *in[0];
}

/// Resolves a reshape target against the element count of the input.
StatusOr<Shape> resolveNewShape(const std::vector<int64_t> &newShape,
                                const Shape &inDims) {
  int64_t count = elementCount(inDims);
  int inferred = -1;
  int64_t known = 1;
  for (size_t i = 0; i < newShape.size(); ++i) {
    if (newShape[i] == -1) {
      if (inferred >= 0)
        return makeError(Code::InvalidArgument, "new_shape ",
                         shapeToString(newShape), " has more than one -1");
      inferred = int(i);
    } else if (newShape[i] < 0) {
      return makeError(Code::InvalidArgument, "new_shape[", i, "] is ",
                       newShape[i]);
    } else {
      // Hostile shapes must not overflow the product.
      if (newShape[i] != 0 && known > (int64_t(1) << 40) / newShape[i])
        return makeError(Code::InvalidArgument, "new_shape ",
                         shapeToString(newShape), " has too many elements");
      known *= newShape[i];
    }
  }
  Shape out = newShape;
  if (inferred >= 0) {
    if (known == 0 || count % known != 0)
      return makeError(Code::InvalidArgument, "cannot reshape ",
                       shapeToString(inDims), " (", count,
                       " elements) to new_shape ", shapeToString(newShape));
    out[inferred] = count / known;
  } else if (known != count) {
    return makeError(Code::InvalidArgument, "cannot reshape ",
                     shapeToString(inDims), " (", count, " elements) to ",
                     shapeToString(newShape), " (", known, " elements)");
  }
  return out;
}

StatusOr<Tensor> runReshape(ExecContext &ctx,
                            const std::vector<const Tensor *> &in) {
  CIM_ASSIGN_OR_RETURN(
      Shape dims,
      resolveNewShape(attrInts(*ctx.inst.proto, "new_shape"), in[0]->dims()));
  return in[0]->reshaped(std::move(dims));
}

template <typename T>
void transposeElements(const Tensor &x, const std::vector<int64_t> &perms,
                       Tensor &out) {
  const Shape &od = out.dims();
  size_t rank = od.size();
  const T *src = x.data<T>();
  T *dst = out.mutableData<T>();
  int64_t n = out.numElements();
  if (n == 0)
    return;
  if (rank == 0) {
    dst[0] = src[0];
    return;
  }
  // Input strides, permuted into output dim order.
  std::vector<int64_t> inStride(rank);
  int64_t s = 1;
  for (size_t i = rank; i-- > 0;) {
    inStride[i] = s;
    s *= x.dims()[i];
  }
  std::vector<int64_t> st(rank);
  for (size_t i = 0; i < rank; ++i)
    st[i] = inStride[perms[i]];
  int64_t inner = od[rank - 1], innerStride = st[rank - 1];
  std::vector<int64_t> idx(rank, 0);
  int64_t off = 0;
  for (int64_t base = 0; base < n; base += inner) {
    for (int64_t j = 0; j < inner; ++j)
      dst[base + j] = src[off + j * innerStride];
    for (size_t d = rank - 1; d-- > 0;) {
      off += st[d];
      if (++idx[d] < od[d])
        break;
      off -= st[d] * od[d];
      idx[d] = 0;
    }
  }
}

Status checkPerms(const std::vector<int64_t> &perms, size_t rank) {
  if (perms.size() != rank)
    return makeError(Code::InvalidArgument, "perms ", shapeToString(perms),
                     " has ", perms.size(), " entries for rank ", rank);
  std::vector<bool> seen(rank, false);
  for (int64_t p : perms) {
    if (p < 0 || p >= int64_t(rank) || seen[p])
      return makeError(Code::InvalidArgument, "perms ", shapeToString(perms),
                       " is not a permutation of 0..", int64_t(rank) - 1);
    seen[p] = true;
  }
  return Status::ok();
}

StatusOr<Tensor> runTranspose(ExecContext &ctx,
                              const std::vector<const Tensor *> &in) {
  const Tensor &x = *in[0];
  std::vector<int64_t> perms = attrInts(*ctx.inst.proto, "perms");
  CIM_TRY(checkPerms(perms, x.rank()));
  Shape od(x.rank());
  for (size_t i = 0; i < od.size(); ++i)
    od[i] = x.dims()[perms[i]];
  Tensor out = Tensor::zeros(x.dtype(), od);
  switch (dtypeSize(x.dtype())) {
  case 1:
    transposeElements<uint8_t>(x, perms, out);
    break;
  case 4:
    transposeElements<uint32_t>(x, perms, out);
    break;
  default:
    transposeElements<uint64_t>(x, perms, out);
    break;
  }
  return out;
}

StatusOr<Tensor> runConcat(ExecContext &ctx,
                           const std::vector<const Tensor *> &in) {
  int64_t axis = attrInt(*ctx.inst.proto, "axis");
  const Shape &first = in[0]->dims();
  if (axis < 0 || axis >= int64_t(first.size()))
    return makeError(Code::InvalidArgument, "axis ", axis,
                     " is out of range for shape ", shapeToString(first));
  Shape od = first;
  od[axis] = 0;
  for (size_t k = 0; k < in.size(); ++k) {
    const Shape &d = in[k]->dims();
    bool ok = d.size() == first.size() && in[k]->dtype() == in[0]->dtype();
    for (size_t i = 0; ok && i < d.size(); ++i)
      ok = int64_t(i) == axis || d[i] == first[i];
    if (!ok)
      return makeError(Code::InvalidArgument, "inputs[", k, "] has shape ",
                       shapeToString(d), ", incompatible with inputs[0] ",
                       shapeToString(first), " for concat on axis ", axis);
    od[axis] += d[axis];
  }
  Tensor out = Tensor::zeros(in[0]->dtype(), od);
  size_t elem = dtypeSize(out.dtype());
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i)
    outer *= od[i];
  for (size_t i = axis + 1; i < od.size(); ++i)
    inner *= od[i];
  auto *dst = static_cast<uint8_t *>(out.mutableRawData());
  for (int64_t o = 0; o < outer; ++o) {
    for (const Tensor *t : in) {
      size_t chunk = size_t(t->dims()[axis] * inner) * elem;
      const auto *src = static_cast<const uint8_t *>(t->rawData());
      if (chunk)
        std::memcpy(dst, src + o * chunk, chunk);
      dst += chunk;
    }
  }
  return out;
}

Status sameRankOutput(VerifyContext &ctx, size_t rank) {
  if (ctx.output->dims.size() != rank)
    return makeError(Code::DataLoss, ctx.path, ".outputs[0]: value ",
                     ctx.output->id, " has rank ", ctx.output->dims.size(),
                     " but ", ctx.inst.kernel(), " produces rank ", rank);
  return Status::ok();
}

Status verifyIdentity(VerifyContext &ctx) {
  return sameRankOutput(ctx, ctx.inputs[0]->dims.size());
}

Status verifyReshape(VerifyContext &ctx) {
  std::vector<int64_t> ns = attrInts(ctx.inst, "new_shape");
  int minusOnes = 0;
  for (size_t i = 0; i < ns.size(); ++i) {
    if (ns[i] == -1)
      ++minusOnes;
    else if (ns[i] < 0)
      return makeError(Code::DataLoss, ctx.path, ".attrs.new_shape[", i,
                       "]: ", ns[i], " is negative (only one -1 allowed)");
  }
  if (minusOnes > 1)
    return makeError(Code::DataLoss, ctx.path,
                     ".attrs.new_shape: ", shapeToString(ns),
                     " has more than one -1");
  return sameRankOutput(ctx, ns.size());
}

Status verifyTranspose(VerifyContext &ctx) {
  Status s =
      checkPerms(attrInts(ctx.inst, "perms"), ctx.inputs[0]->dims.size());
  if (!s.isOk())
    return Status(Code::DataLoss, ctx.path + ".attrs.perms: " + s.message());
  return sameRankOutput(ctx, ctx.inputs[0]->dims.size());
}

Status verifyConcat(VerifyContext &ctx) {
  int64_t axis = attrInt(ctx.inst, "axis");
  size_t rank = ctx.inputs[0]->dims.size();
  for (size_t k = 1; k < ctx.inputs.size(); ++k)
    if (ctx.inputs[k]->dims.size() != rank)
      return makeError(Code::DataLoss, ctx.path, ".inputs[", k, "]: value ",
                       ctx.inputs[k]->id, " has rank ",
                       ctx.inputs[k]->dims.size(), ", inputs[0] has rank ",
                       rank);
  if (axis < 0 || axis >= int64_t(rank))
    return makeError(Code::DataLoss, ctx.path, ".attrs.axis: ", axis,
                     " is out of range for rank ", rank);
  return sameRankOutput(ctx, rank);
}

} // namespace

void addShapeKernels(std::vector<KernelDef> &t) {
  t.push_back({"tosa.identity",
               1,
               1,
               {},
               TypeRule::AnyUniform,
               runIdentity,
               verifyIdentity});
  t.push_back({"tosa.reshape",
               1,
               1,
               {{"new_shape", AttrKind::Ints, true}},
               TypeRule::AnyUniform,
               runReshape,
               verifyReshape});
  t.push_back({"tosa.transpose",
               1,
               1,
               {{"perms", AttrKind::Ints, true}},
               TypeRule::AnyUniform,
               runTranspose,
               verifyTranspose});
  t.push_back({"tosa.concat",
               1,
               -1,
               {{"axis", AttrKind::Int, true}},
               TypeRule::AnyUniform,
               runConcat,
               verifyConcat});
}

} // namespace cim::rt
