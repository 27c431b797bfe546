//===- AxesKernels.cpp - Squeeze, Unsqueeze, ReduceSum, Split ---*- C++ -*-===//
//
// ONNX ops whose axes or sizes are a run-time I64 input (opset 13's
// Squeeze, Unsqueeze, ReduceSum and Split). The compiler uses tosa ops when
// they are constants; these kernels read them per run. The number of axes
// or sizes is static (the declared length of the input), so the output's
// rank is known at load time; its dims follow from the values. Axes out of
// range, repeated axes, squeezing a dimension other than 1 and sizes that
// do not add up to the axis are INVALID_ARGUMENT errors quoting the values.
//
//===----------------------------------------------------------------------===//

#include "interp/Kernels.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

namespace cim::rt {
namespace {

std::vector<int64_t> int64Values(const Tensor &t) {
  const int64_t *p = t.data<int64_t>();
  return std::vector<int64_t>(p, p + t.numElements());
}

/// "[1,-2]": the values of an axes or sizes input as given.
std::string listString(const std::vector<int64_t> &values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i)
    s += (i ? "," : "") + std::to_string(values[i]);
  return s + "]";
}

/// `axes` normalised into [0, rank): each in [-rank, rank), none twice.
StatusOr<std::vector<int64_t>> normalizedAxes(const Tensor &axes,
                                              size_t rank) {
  std::vector<int64_t> values = int64Values(axes);
  std::vector<int64_t> out;
  int64_t r = int64_t(rank);
  for (int64_t a : values) {
    if (a < -r || a >= r)
      return makeError(Code::InvalidArgument, "axes ", listString(values),
                       ": ", a, " is out of range for rank ", rank);
    int64_t n = a < 0 ? a + r : a;
    if (std::find(out.begin(), out.end(), n) != out.end())
      return makeError(Code::InvalidArgument, "axes ", listString(values),
                       " name axis ", n, " twice");
    out.push_back(n);
  }
  return out;
}

bool contains(const std::vector<int64_t> &v, int64_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

//===----------------------------------------------------------------------===//
// cim.squeeze, cim.unsqueeze
//===----------------------------------------------------------------------===//

StatusOr<Tensor> runSqueeze(ExecContext &,
                            const std::vector<const Tensor *> &in) {
  const Tensor &x = *in[0];
  CIM_ASSIGN_OR_RETURN(std::vector<int64_t> axes,
                       normalizedAxes(*in[1], x.rank()));
  Shape out;
  for (size_t i = 0; i < x.rank(); ++i) {
    if (!contains(axes, int64_t(i))) {
      out.push_back(x.dims()[i]);
      continue;
    }
    if (x.dims()[i] != 1)
      return makeError(Code::InvalidArgument, "cannot squeeze axis ", i,
                       " of shape ", shapeToString(x.dims()),
                       ": its size is not 1");
  }
  return x.reshaped(std::move(out));
}

StatusOr<Tensor> runUnsqueeze(ExecContext &,
                              const std::vector<const Tensor *> &in) {
  const Tensor &x = *in[0];
  size_t rank = x.rank() + size_t(in[1]->numElements());
  CIM_ASSIGN_OR_RETURN(std::vector<int64_t> axes,
                       normalizedAxes(*in[1], rank));
  Shape out;
  for (size_t i = 0, j = 0; i < rank; ++i)
    out.push_back(contains(axes, int64_t(i)) ? 1 : x.dims()[j++]);
  return x.reshaped(std::move(out));
}

/// Output rank = input rank + `sign` x the axes' length.
template <int sign> Status verifySqueeze(VerifyContext &ctx) {
  CIM_TRY(checkInputDType(ctx, 1, {DType::I64}));
  CIM_TRY(checkInputRank(ctx, 1, 1));
  CIM_TRY(checkOutputDType(ctx, 0, ctx.inputs[0]->dtype));
  int64_t k = ctx.inputs[1]->dims[0];
  if (k < 0)
    return makeError(Code::DataLoss, ctx.path, ".inputs[1]: ",
                     ctx.inst.kernel(), " needs axes of a static length");
  int64_t rank = int64_t(ctx.inputs[0]->dims.size()) + sign * k;
  if (rank < 0)
    return makeError(Code::DataLoss, ctx.path, ".inputs[1]: ", k,
                     " axes for an input of rank ",
                     ctx.inputs[0]->dims.size());
  return checkOutputRank(ctx, 0, size_t(rank));
}

//===----------------------------------------------------------------------===//
// cim.reduce_sum
//===----------------------------------------------------------------------===//

/// `x` summed along `axis`, which stays with size 1. Floats accumulate in
/// double, integers wrap around like numpy.
template <typename T> Tensor sumAlong(const Tensor &x, int64_t axis) {
  const Shape &d = x.dims();
  int64_t outer = 1, n = d[axis], inner = 1;
  for (int64_t i = 0; i < axis; ++i)
    outer *= d[i];
  for (size_t i = size_t(axis) + 1; i < d.size(); ++i)
    inner *= d[i];
  Shape od = d;
  od[axis] = 1;
  Tensor out = Tensor::zeros(x.dtype(), od);
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>;
  std::vector<Acc> acc(static_cast<size_t>(inner));
  const T *px = x.data<T>();
  T *y = out.mutableData<T>();
  for (int64_t o = 0; o < outer; ++o) {
    std::fill(acc.begin(), acc.end(), Acc(0));
    for (int64_t k = 0; k < n; ++k)
      for (int64_t i = 0; i < inner; ++i)
        acc[size_t(i)] += Acc(px[(o * n + k) * inner + i]);
    for (int64_t i = 0; i < inner; ++i)
      y[o * inner + i] = T(acc[size_t(i)]);
  }
  return out;
}

StatusOr<Tensor> runReduceSum(ExecContext &ctx,
                              const std::vector<const Tensor *> &in) {
  const Tensor &x = *in[0];
  CIM_ASSIGN_OR_RETURN(std::vector<int64_t> axes,
                       normalizedAxes(*in[1], x.rank()));
  if (axes.empty()) {
    if (attrInt(*ctx.inst.proto, "noop_with_empty_axes", 0))
      return x;
    for (size_t i = 0; i < x.rank(); ++i)
      axes.push_back(int64_t(i));
  }
  Tensor y = x;
  for (int64_t axis : axes)
    y = x.dtype() == DType::I64 ? sumAlong<int64_t>(y, axis)
                                : sumAlong<float>(y, axis);
  if (attrInt(*ctx.inst.proto, "keepdims", 1))
    return y;
  Shape out;
  for (size_t i = 0; i < y.rank(); ++i)
    if (!contains(axes, int64_t(i)))
      out.push_back(y.dims()[i]);
  return y.reshaped(std::move(out));
}

Status verifyReduceSum(VerifyContext &ctx) {
  CIM_TRY(checkInputDType(ctx, 0, {DType::F32, DType::I64}));
  CIM_TRY(checkInputDType(ctx, 1, {DType::I64}));
  CIM_TRY(checkInputRank(ctx, 1, 1));
  CIM_TRY(checkOutputDType(ctx, 0, ctx.inputs[0]->dtype));
  int64_t k = ctx.inputs[1]->dims[0];
  if (k < 0)
    return makeError(Code::DataLoss, ctx.path,
                     ".inputs[1]: cim.reduce_sum needs axes of a static "
                     "length");
  size_t rank = ctx.inputs[0]->dims.size();
  if (!attrInt(ctx.inst, "keepdims", 1)) {
    if (k > int64_t(rank))
      return makeError(Code::DataLoss, ctx.path, ".inputs[1]: ", k,
                       " axes for an input of rank ", rank);
    rank = k ? rank - size_t(k)
             : attrInt(ctx.inst, "noop_with_empty_axes", 0) ? rank : 0;
  }
  return checkOutputRank(ctx, 0, rank);
}

//===----------------------------------------------------------------------===//
// cim.split
//===----------------------------------------------------------------------===//

Status runSplit(ExecContext &ctx, const std::vector<const Tensor *> &in,
                std::vector<Tensor> &out) {
  const Tensor &x = *in[0];
  std::vector<int64_t> sizes = int64Values(*in[1]);
  int64_t axis = attrInt(*ctx.inst.proto, "axis");
  int64_t extent = x.dims()[size_t(axis)], total = 0;
  bool valid = true;
  for (int64_t s : sizes) {
    valid = valid && s >= 0 && s <= extent - total;
    if (valid)
      total += s;
  }
  if (!valid || total != extent)
    return makeError(Code::InvalidArgument, "split sizes ", listString(sizes),
                     " must be non-negative and add up to ", extent,
                     ", the extent of axis ", axis, " of shape ",
                     shapeToString(x.dims()));
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i)
    outer *= x.dims()[size_t(i)];
  for (size_t i = size_t(axis) + 1; i < x.rank(); ++i)
    inner *= x.dims()[i];
  size_t elem = dtypeSize(x.dtype());
  const auto *src = static_cast<const uint8_t *>(x.rawData());
  int64_t start = 0;
  out.clear();
  for (int64_t s : sizes) {
    Shape od = x.dims();
    od[size_t(axis)] = s;
    Tensor part = Tensor::zeros(x.dtype(), od);
    size_t chunk = size_t(s * inner) * elem;
    auto *dst = static_cast<uint8_t *>(part.mutableRawData());
    for (int64_t o = 0; chunk && o < outer; ++o)
      std::memcpy(dst + size_t(o) * chunk,
                  src + (size_t(o * extent + start) * size_t(inner)) * elem,
                  chunk);
    out.push_back(std::move(part));
    start += s;
  }
  return Status::ok();
}

Status verifySplit(VerifyContext &ctx) {
  CIM_TRY(checkInputDType(ctx, 1, {DType::I64}));
  CIM_TRY(checkInputRank(ctx, 1, 1));
  size_t rank = ctx.inputs[0]->dims.size();
  int64_t axis = attrInt(ctx.inst, "axis");
  if (axis < 0 || axis >= int64_t(rank))
    return makeError(Code::DataLoss, ctx.path, ".attrs.axis: ", axis,
                     " is out of range for rank ", rank);
  int64_t k = ctx.inputs[1]->dims[0];
  if (k != int64_t(ctx.outputs.size()))
    return makeError(Code::DataLoss, ctx.path, ".inputs[1]: cim.split with ",
                     ctx.outputs.size(), " outputs needs as many sizes, got ",
                     k < 0 ? std::string("a dynamic length")
                           : std::to_string(k));
  for (size_t j = 0; j < ctx.outputs.size(); ++j) {
    CIM_TRY(checkOutputDType(ctx, j, ctx.inputs[0]->dtype));
    CIM_TRY(checkOutputRank(ctx, j, rank));
  }
  return Status::ok();
}

} // namespace

void addAxesKernels(std::vector<KernelDef> &t) {
  t.push_back({"cim.squeeze", 2, 2, {}, TypeRule::Custom, runSqueeze,
               verifySqueeze<-1>});
  t.push_back({"cim.unsqueeze", 2, 2, {}, TypeRule::Custom, runUnsqueeze,
               verifySqueeze<+1>});
  t.push_back({"cim.reduce_sum",
               2,
               2,
               {{"keepdims", AttrKind::Int, false},
                {"noop_with_empty_axes", AttrKind::Int, false}},
               TypeRule::Custom,
               runReduceSum,
               verifyReduceSum});
  KernelDef split{"cim.split",
                  2,
                  2,
                  {{"axis", AttrKind::Int, true}},
                  TypeRule::Custom,
                  nullptr,
                  verifySplit};
  split.runMulti = runSplit;
  split.minOutputs = 1;
  split.maxOutputs = -1;
  t.push_back(split);
}

} // namespace cim::rt
