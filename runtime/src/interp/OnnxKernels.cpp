//===- OnnxKernels.cpp - Cast, gather, shapes and slicing -------*- C++ -*-===//
//
// Kernels with ONNX semantics that TOSA has no static equivalent for: the
// element-type cast, Gather, and the shape-computation family (Shape,
// Expand, ConstantOfShape, Reshape and Slice with their shapes given as I64
// tensors at run time). Shape inputs are checked at run time with errors
// that quote the offending values; the session prefixes the instruction.
//
//===----------------------------------------------------------------------===//

#include "interp/Kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace cim::rt {

Tensor broadcastTo(const Tensor &x, const Shape &outDims) {
  if (x.dims() == outDims)
    return x;
  Tensor out = Tensor::zeros(x.dtype(), outDims);
  int64_t n = out.numElements();
  if (n == 0)
    return out;
  std::vector<int64_t> st = broadcastStrides(x.dims(), outDims);
  size_t rank = outDims.size();
  withElementBits(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T *src = static_cast<const T *>(x.rawData());
    T *dst = static_cast<T *>(out.mutableRawData());
    std::vector<int64_t> idx(rank, 0);
    int64_t off = 0;
    for (int64_t i = 0; i < n; ++i) {
      dst[i] = src[off];
      for (size_t d = rank; d-- > 0;) {
        off += st[d];
        if (++idx[d] < outDims[d])
          break;
        off -= st[d] * outDims[d];
        idx[d] = 0;
      }
    }
  });
  return out;
}

namespace {

/// Whether `dims` has a sane element count (see checkedElementCount).
Status checkCount(const Shape &dims, const std::string &what) {
  auto count = checkedElementCount(dims, what);
  return count.isOk() ? Status::ok() : count.status();
}

/// The values of a 1-D I64 shape-like input.
std::vector<int64_t> int64Values(const Tensor &t) {
  const int64_t *p = t.data<int64_t>();
  return std::vector<int64_t>(p, p + t.numElements());
}

//===----------------------------------------------------------------------===//
// cim.cast
//===----------------------------------------------------------------------===//

StatusOr<Tensor> runCast(ExecContext &ctx,
                         const std::vector<const Tensor *> &in) {
  // Tensor::convertedTo truncates F32 -> I64 toward zero, saturating
  // out-of-range values and mapping NaN to 0; x != 0 for -> BOOL.
  return in[0]->convertedTo(ctx.outputInfo(0).dtype);
}

Status verifyCast(VerifyContext &ctx) {
  return checkOutputRank(ctx, 0, ctx.inputs[0]->dims.size());
}

//===----------------------------------------------------------------------===//
// cim.gather
//===----------------------------------------------------------------------===//

StatusOr<Tensor> runGather(ExecContext &ctx,
                           const std::vector<const Tensor *> &in) {
  const Tensor &data = *in[0];
  const Tensor &indices = *in[1];
  int64_t axis = attrInt(*ctx.inst.proto, "axis");
  if (axis < 0 || axis >= int64_t(data.rank()))
    return makeError(Code::InvalidArgument, "axis ", axis,
                     " is out of range for data shape ",
                     shapeToString(data.dims()));
  const Shape &dd = data.dims();
  Shape od(dd.begin(), dd.begin() + axis);
  od.insert(od.end(), indices.dims().begin(), indices.dims().end());
  od.insert(od.end(), dd.begin() + axis + 1, dd.end());
  CIM_TRY(checkCount(od, "gather result"));
  int64_t outer = 1, inner = 1, n = dd[axis];
  for (int64_t i = 0; i < axis; ++i)
    outer *= dd[i];
  for (size_t i = axis + 1; i < dd.size(); ++i)
    inner *= dd[i];
  const int64_t *idx = indices.data<int64_t>();
  int64_t count = indices.numElements();
  std::vector<int64_t> resolved(static_cast<size_t>(count));
  for (int64_t j = 0; j < count; ++j) {
    int64_t v = idx[j];
    if (v < -n || v >= n)
      return makeError(Code::InvalidArgument, "indices element ", j, " is ",
                       v, ", out of range for axis ", axis, " of size ", n,
                       " (data shape ", shapeToString(dd), ")");
    resolved[j] = v < 0 ? v + n : v;
  }
  Tensor out = Tensor::uninitialized(data.dtype(), od); // every element set
  size_t chunk = size_t(inner) * dtypeSize(data.dtype());
  const auto *src = static_cast<const uint8_t *>(data.rawData());
  auto *dst = static_cast<uint8_t *>(out.mutableRawData());
  if (chunk == 0)
    return out;
  // Single elements (a gather along the last axis, as the row copies of
  // split products are) by a typed loop rather than a memcpy call each.
  auto elements = [&](auto *typedDst, const auto *typedSrc) {
    for (int64_t o = 0; o < outer; ++o, typedSrc += n)
      for (int64_t j = 0; j < count; ++j)
        *typedDst++ = typedSrc[resolved[j]];
  };
  if (chunk == 4)
    elements(reinterpret_cast<uint32_t *>(dst),
             reinterpret_cast<const uint32_t *>(src));
  else if (chunk == 8)
    elements(reinterpret_cast<uint64_t *>(dst),
             reinterpret_cast<const uint64_t *>(src));
  else
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < count; ++j) {
        std::memcpy(dst, src + (o * n + resolved[j]) * chunk, chunk);
        dst += chunk;
      }
  return out;
}

Status verifyGather(VerifyContext &ctx) {
  CIM_TRY(checkInputDType(ctx, 1, {DType::I64}));
  CIM_TRY(checkOutputDType(ctx, 0, ctx.inputs[0]->dtype));
  int64_t axis = attrInt(ctx.inst, "axis");
  size_t rank = ctx.inputs[0]->dims.size();
  if (axis < 0 || axis >= int64_t(rank))
    return makeError(Code::DataLoss, ctx.path, ".attrs.axis: ", axis,
                     " is out of range for rank ", rank);
  return checkOutputRank(ctx, 0, rank - 1 + ctx.inputs[1]->dims.size());
}

//===----------------------------------------------------------------------===//
// cim.shape_of
//===----------------------------------------------------------------------===//

StatusOr<Tensor> runShapeOf(ExecContext &ctx,
                            const std::vector<const Tensor *> &in) {
  int64_t start = attrInt(*ctx.inst.proto, "start");
  int64_t end = attrInt(*ctx.inst.proto, "end");
  const Shape &d = in[0]->dims();
  if (start < 0 || start > end || end > int64_t(d.size()))
    return makeError(Code::InvalidArgument, "start ", start, " / end ", end,
                     " do not fit rank ", d.size());
  Tensor out = Tensor::zeros(DType::I64, {end - start});
  std::copy(d.begin() + start, d.begin() + end, out.mutableData<int64_t>());
  return out;
}

Status verifyShapeOf(VerifyContext &ctx) {
  CIM_TRY(checkOutputDType(ctx, 0, DType::I64));
  CIM_TRY(checkOutputRank(ctx, 0, 1));
  int64_t start = attrInt(ctx.inst, "start"), end = attrInt(ctx.inst, "end");
  size_t rank = ctx.inputs[0]->dims.size();
  if (start < 0 || start > end || end > int64_t(rank))
    return makeError(Code::DataLoss, ctx.path, ".attrs: start ", start,
                     " / end ", end, " must satisfy 0 <= start <= end <= ",
                     "rank ", rank);
  int64_t declared = ctx.output->dims[0];
  if (declared >= 0 && declared != end - start)
    return makeError(Code::DataLoss, ctx.path, ".outputs[0]: value ",
                     ctx.output->id, " is declared ",
                     shapeToString(ctx.output->dims), " but start ", start,
                     " / end ", end, " give ", end - start, " dims");
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// cim.expand, cim.constant_of_shape, cim.reshape: shapes from a tensor
//===----------------------------------------------------------------------===//

/// A shape read from a tensor: every dim >= 0 and a sane element count.
StatusOr<Shape> shapeFromTensor(const Tensor &t, const char *what) {
  Shape s = int64Values(t);
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] < 0)
      return makeError(Code::InvalidArgument, what, " ", shapeToString(s),
                       " has a negative dim at index ", i);
  CIM_TRY(checkCount(s, what));
  return s;
}

StatusOr<Tensor> runExpand(ExecContext &,
                           const std::vector<const Tensor *> &in) {
  CIM_ASSIGN_OR_RETURN(Shape shape, shapeFromTensor(*in[1], "shape"));
  CIM_ASSIGN_OR_RETURN(Shape od, broadcastShapes(in[0]->dims(), shape));
  CIM_TRY(checkCount(od, "expand result"));
  return broadcastTo(*in[0], od);
}

/// The static length of a 1-D shape input, or -1.
int64_t staticLength(const ValueInfo *v) {
  return v && v->dims.size() == 1 ? v->dims[0] : -1;
}

Status verifyShapeInput(VerifyContext &ctx, size_t i) {
  CIM_TRY(checkInputDType(ctx, i, {DType::I64}));
  return checkInputRank(ctx, i, 1);
}

Status verifyExpand(VerifyContext &ctx) {
  CIM_TRY(verifyShapeInput(ctx, 1));
  CIM_TRY(checkOutputDType(ctx, 0, ctx.inputs[0]->dtype));
  int64_t len = staticLength(ctx.inputs[1]);
  if (len >= 0)
    return checkOutputRank(
        ctx, 0, std::max(size_t(len), ctx.inputs[0]->dims.size()));
  return Status::ok();
}

StatusOr<Tensor> runConstantOfShape(ExecContext &ctx,
                                    const std::vector<const Tensor *> &in) {
  CIM_ASSIGN_OR_RETURN(Shape shape, shapeFromTensor(*in[0], "shape"));
  double value = attrFloat(*ctx.inst.proto, "value", 0.0);
  Tensor one = Tensor::zeros(DType::F32, {});
  one.mutableData<float>()[0] = float(value);
  DType dtype = ctx.outputInfo(0).dtype;
  Tensor v;
  if (dtype == DType::I64 && std::isfinite(value) &&
      std::fabs(value) < 9.0e18) {
    // Directly from the double: integers above 2^24 survive exactly.
    v = Tensor::zeros(DType::I64, {});
    v.mutableData<int64_t>()[0] = int64_t(value);
  } else {
    v = one.convertedTo(dtype);
  }
  return broadcastTo(v, shape);
}

Status verifyConstantOfShape(VerifyContext &ctx) {
  CIM_TRY(verifyShapeInput(ctx, 0));
  int64_t len = staticLength(ctx.inputs[0]);
  if (len >= 0)
    return checkOutputRank(ctx, 0, size_t(len));
  return Status::ok();
}

StatusOr<Tensor> runOnnxReshape(ExecContext &ctx,
                                const std::vector<const Tensor *> &in) {
  const Tensor &x = *in[0];
  std::vector<int64_t> spec = int64Values(*in[1]);
  bool allowZero = attrInt(*ctx.inst.proto, "allowzero", 0) != 0;
  Shape out(spec.size());
  int inferred = -1;
  bool hasZero = false;
  int64_t known = 1;
  for (size_t i = 0; i < spec.size(); ++i) {
    int64_t s = spec[i];
    if (s == -1) {
      if (inferred >= 0)
        return makeError(Code::InvalidArgument, "shape ",
                         shapeToString(spec), " has more than one -1");
      inferred = int(i);
      continue;
    }
    if (s < -1)
      return makeError(Code::InvalidArgument, "shape ", shapeToString(spec),
                       " has an invalid dim ", s, " at index ", i);
    if (s == 0 && !allowZero) {
      if (i >= x.rank())
        return makeError(Code::InvalidArgument, "shape ", shapeToString(spec),
                         ": 0 at index ", i, " copies a dim the input ",
                         shapeToString(x.dims()), " does not have");
      s = x.dims()[i];
    }
    hasZero |= s == 0;
    out[i] = s;
    if (s != 0 && known > (int64_t(1) << 40) / s)
      return makeError(Code::InvalidArgument, "shape ", shapeToString(spec),
                       " has too many elements");
    known *= s;
  }
  int64_t count = x.numElements();
  if (inferred >= 0) {
    if (allowZero && hasZero)
      return makeError(Code::InvalidArgument, "shape ", shapeToString(spec),
                       " has both 0 and -1 with allowzero set");
    if (known == 0 || count % known != 0)
      return makeError(Code::InvalidArgument, "cannot reshape ",
                       shapeToString(x.dims()), " (", count,
                       " elements) to shape ", shapeToString(spec));
    out[inferred] = count / known;
  } else if (known != count) {
    return makeError(Code::InvalidArgument, "cannot reshape ",
                     shapeToString(x.dims()), " (", count, " elements) to ",
                     shapeToString(out), " (", known, " elements)");
  }
  return x.reshaped(std::move(out));
}

Status verifyOnnxReshape(VerifyContext &ctx) {
  CIM_TRY(verifyShapeInput(ctx, 1));
  CIM_TRY(checkOutputDType(ctx, 0, ctx.inputs[0]->dtype));
  int64_t allowZero = attrInt(ctx.inst, "allowzero", 0);
  if (allowZero != 0 && allowZero != 1)
    return makeError(Code::DataLoss, ctx.path, ".attrs.allowzero: ",
                     allowZero, " is not 0 or 1");
  int64_t len = staticLength(ctx.inputs[1]);
  if (len >= 0)
    return checkOutputRank(ctx, 0, size_t(len));
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// cim.slice (ONNX Slice-13)
//===----------------------------------------------------------------------===//

StatusOr<Tensor> runSlice(ExecContext &,
                          const std::vector<const Tensor *> &in) {
  const Tensor &data = *in[0];
  const Shape &dd = data.dims();
  size_t rank = dd.size();
  std::vector<int64_t> starts = int64Values(*in[1]);
  std::vector<int64_t> ends = int64Values(*in[2]);
  size_t k = starts.size();
  std::vector<int64_t> axes, steps;
  if (in.size() > 3 && in[3]) {
    axes = int64Values(*in[3]);
  } else {
    for (size_t i = 0; i < k; ++i)
      axes.push_back(int64_t(i));
  }
  if (in.size() > 4 && in[4])
    steps = int64Values(*in[4]);
  else
    steps.assign(k, 1);
  if (ends.size() != k || axes.size() != k || steps.size() != k)
    return makeError(Code::InvalidArgument, "starts, ends, axes and steps ",
                     "have different lengths (", k, ", ", ends.size(), ", ",
                     axes.size(), ", ", steps.size(), ")");

  // Per data dim: first index, step and result size (untouched dims copy).
  std::vector<int64_t> first(rank, 0), step(rank, 1);
  Shape od = dd;
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < k; ++i) {
    int64_t a = axes[i];
    if (a < -int64_t(rank) || a >= int64_t(rank))
      return makeError(Code::InvalidArgument, "axes[", i, "] = ", a,
                       " is out of range for rank ", rank);
    if (a < 0)
      a += int64_t(rank);
    if (seen[a])
      return makeError(Code::InvalidArgument, "axes[", i, "]: axis ", a,
                       " is sliced twice");
    seen[a] = true;
    int64_t s = steps[i];
    if (s == 0)
      return makeError(Code::InvalidArgument, "steps[", i, "] is 0");
    int64_t dim = dd[a];
    int64_t b = starts[i], e = ends[i];
    // Negative indices count from the end; |b|, |e| may be INT64 extremes
    // but adding a (small, non-negative) dim to a negative cannot overflow.
    if (b < 0)
      b += dim;
    if (e < 0)
      e += dim;
    int64_t size = 0;
    if (dim > 0) {
      if (s > 0) {
        b = std::clamp<int64_t>(b, 0, dim);
        e = std::clamp<int64_t>(e, 0, dim);
        // Unsigned: (e - b) + s - 1 may exceed INT64_MAX for huge steps.
        size = e > b ? int64_t((uint64_t(e - b) + uint64_t(s) - 1) /
                               uint64_t(s))
                     : 0;
      } else {
        b = std::clamp<int64_t>(b, 0, dim - 1);
        e = std::clamp<int64_t>(e, -1, dim - 1);
        // -s may overflow for INT64_MIN; steps that large take one element.
        uint64_t ns = uint64_t(0) - uint64_t(s);
        size = b > e ? int64_t((uint64_t(b - e) + ns - 1) / ns) : 0;
      }
    }
    first[a] = b;
    // With at most one element the step is never taken; 1 keeps the
    // odometer's offset arithmetic below from overflowing on huge steps.
    step[a] = size > 1 ? s : 1;
    od[a] = size;
  }

  Tensor out = Tensor::zeros(data.dtype(), od);
  int64_t n = out.numElements();
  if (n == 0)
    return out;
  // Input strides scaled by the step; the odometer walks the result.
  std::vector<int64_t> inStride(rank), st(rank);
  int64_t stride = 1;
  for (size_t d = rank; d-- > 0;) {
    inStride[d] = stride;
    stride *= dd[d];
  }
  int64_t base = 0;
  for (size_t d = 0; d < rank; ++d) {
    base += first[d] * inStride[d];
    st[d] = step[d] * inStride[d];
  }
  withElementBits(data.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T *src = static_cast<const T *>(data.rawData());
    T *dst = static_cast<T *>(out.mutableRawData());
    std::vector<int64_t> idx(rank, 0);
    int64_t off = base;
    for (int64_t i = 0; i < n; ++i) {
      dst[i] = src[off];
      for (size_t d = rank; d-- > 0;) {
        off += st[d];
        if (++idx[d] < od[d])
          break;
        off -= st[d] * od[d];
        idx[d] = 0;
      }
    }
  });
  return out;
}

Status verifySlice(VerifyContext &ctx) {
  int64_t len = -1;
  for (size_t i = 1; i < ctx.inputs.size(); ++i) {
    if (!ctx.inputs[i])
      continue;
    CIM_TRY(verifyShapeInput(ctx, i));
    int64_t l = staticLength(ctx.inputs[i]);
    if (l >= 0 && len >= 0 && l != len)
      return makeError(Code::DataLoss, ctx.path, ".inputs[", i, "]: value ",
                       ctx.inputs[i]->id, " has ", l,
                       " entries but the other slice parameters have ", len);
    if (l >= 0)
      len = l;
  }
  CIM_TRY(checkOutputDType(ctx, 0, ctx.inputs[0]->dtype));
  return checkOutputRank(ctx, 0, ctx.inputs[0]->dims.size());
}

} // namespace

void addOnnxKernels(std::vector<KernelDef> &t) {
  t.push_back({"cim.cast", 1, 1, {}, TypeRule::Custom, runCast, verifyCast});
  t.push_back({"cim.gather",
               2,
               2,
               {{"axis", AttrKind::Int, true}},
               TypeRule::Custom,
               runGather,
               verifyGather});
  t.push_back({"cim.shape_of",
               1,
               1,
               {{"start", AttrKind::Int, true}, {"end", AttrKind::Int, true}},
               TypeRule::Custom,
               runShapeOf,
               verifyShapeOf});
  t.push_back(
      {"cim.expand", 2, 2, {}, TypeRule::Custom, runExpand, verifyExpand});
  t.push_back({"cim.constant_of_shape",
               1,
               1,
               {{"value", AttrKind::Float, false}},
               TypeRule::Custom,
               runConstantOfShape,
               verifyConstantOfShape});
  t.push_back({"cim.reshape",
               2,
               2,
               {{"allowzero", AttrKind::Int, false}},
               TypeRule::Custom,
               runOnnxReshape,
               verifyOnnxReshape});
  KernelDef slice{
      "cim.slice", 3, 5, {}, TypeRule::Custom, runSlice, verifySlice};
  // ONNX defaults when absent: axes 0..k-1, steps 1.
  slice.optionalInputs = (1u << 3) | (1u << 4);
  t.push_back(slice);
}

} // namespace cim::rt
