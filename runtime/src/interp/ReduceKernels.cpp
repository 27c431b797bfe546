//===- ReduceKernels.cpp - Reductions along one axis ------------*- C++ -*-===//
//
// tosa.reduce_{sum,prod,max,min} reduce one axis and keep it with size 1, as
// TOSA does (the compiler reshapes afterwards if ONNX dropped it);
// tosa.argmax removes the axis and returns I64 indices. All work on F32 and
// I64. Float sums and products accumulate in double so that long reductions
// (softmax denominators, global pooling) do not lose precision; integer ones
// wrap around like numpy. max/min propagate NaN. Reducing an empty axis
// gives the identity of the operation: 0, 1, -inf / INT64_MIN, +inf /
// INT64_MAX (argmax of an empty axis is an error, as in numpy).
//
//===----------------------------------------------------------------------===//

#include "interp/Kernels.h"

#include <cmath>
#include <limits>
#include <type_traits>

namespace cim::rt {
namespace {

struct AxisSplit {
  int64_t outer = 1, n = 1, inner = 1;
};

StatusOr<AxisSplit> splitAtAxis(const Shape &dims, int64_t axis) {
  if (axis < 0 || axis >= int64_t(dims.size()))
    return makeError(Code::InvalidArgument, "axis ", axis,
                     " is out of range for shape ", shapeToString(dims));
  AxisSplit s;
  for (int64_t i = 0; i < axis; ++i)
    s.outer *= dims[i];
  s.n = dims[axis];
  for (size_t i = axis + 1; i < dims.size(); ++i)
    s.inner *= dims[i];
  return s;
}

enum class Reduction { Sum, Prod, Max, Min };

/// The accumulator type: double for floats, int64 (wrapping) for integers.
template <typename T>
using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;

template <typename T, Reduction R> Acc<T> identity() {
  using A = Acc<T>;
  switch (R) {
  case Reduction::Sum:
    return A(0);
  case Reduction::Prod:
    return A(1);
  case Reduction::Max:
    if constexpr (std::is_floating_point_v<T>)
      return -std::numeric_limits<A>::infinity();
    else
      return std::numeric_limits<A>::min();
  case Reduction::Min:
    if constexpr (std::is_floating_point_v<T>)
      return std::numeric_limits<A>::infinity();
    else
      return std::numeric_limits<A>::max();
  }
  return A(0);
}

template <typename T, Reduction R> void combine(Acc<T> &acc, T v) {
  if constexpr (R == Reduction::Sum) {
    if constexpr (std::is_integral_v<T>)
      acc = int64_t(uint64_t(acc) + uint64_t(v));
    else
      acc += v;
  } else if constexpr (R == Reduction::Prod) {
    if constexpr (std::is_integral_v<T>)
      acc = int64_t(uint64_t(acc) * uint64_t(v));
    else
      acc *= v;
  } else {
    if constexpr (std::is_floating_point_v<T>) {
      // Once NaN, comparisons are false forever: NaN sticks.
      if (std::isnan(v)) {
        acc = v;
        return;
      }
    }
    if (R == Reduction::Max ? v > acc : v < acc)
      acc = v;
  }
}

template <typename T, Reduction R>
Tensor reduceElements(const Tensor &x, int64_t axis, const AxisSplit &s) {
  Shape outDims = x.dims();
  outDims[axis] = 1;
  Tensor out = Tensor::zeros(x.dtype(), outDims);
  const T *px = x.data<T>();
  T *y = out.mutableData<T>();
  std::vector<Acc<T>> acc(s.inner);
  for (int64_t o = 0; o < s.outer; ++o) {
    std::fill(acc.begin(), acc.end(), identity<T, R>());
    for (int64_t k = 0; k < s.n; ++k) {
      const T *row = px + (o * s.n + k) * s.inner;
      for (int64_t i = 0; i < s.inner; ++i)
        combine<T, R>(acc[i], row[i]);
    }
    for (int64_t i = 0; i < s.inner; ++i)
      y[o * s.inner + i] = T(acc[i]);
  }
  return out;
}

template <Reduction R>
StatusOr<Tensor> runReduce(ExecContext &ctx,
                           const std::vector<const Tensor *> &in) {
  const Tensor &x = *in[0];
  int64_t axis = attrInt(*ctx.inst.proto, "axis");
  CIM_ASSIGN_OR_RETURN(AxisSplit s, splitAtAxis(x.dims(), axis));
  if (x.dtype() == DType::I64)
    return reduceElements<int64_t, R>(x, axis, s);
  return reduceElements<float, R>(x, axis, s);
}

template <typename T>
void argmaxElements(const Tensor &x, const AxisSplit &s, Tensor &out) {
  const T *px = x.data<T>();
  int64_t *y = out.mutableData<int64_t>();
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t i = 0; i < s.inner; ++i) {
      const T *col = px + o * s.n * s.inner + i;
      int64_t best = 0;
      for (int64_t k = 1; k < s.n; ++k) {
        T v = col[k * s.inner], b = col[best * s.inner];
        if constexpr (std::is_floating_point_v<T>) {
          // The first NaN wins, as in numpy.argmax.
          if (std::isnan(b))
            break;
          if (std::isnan(v)) {
            best = k;
            break;
          }
        }
        if (v > b) // strict: the first maximum is kept
          best = k;
      }
      y[o * s.inner + i] = best;
    }
}

StatusOr<Tensor> runArgmax(ExecContext &ctx,
                           const std::vector<const Tensor *> &in) {
  const Tensor &x = *in[0];
  int64_t axis = attrInt(*ctx.inst.proto, "axis");
  CIM_ASSIGN_OR_RETURN(AxisSplit s, splitAtAxis(x.dims(), axis));
  Shape outDims = x.dims();
  outDims.erase(outDims.begin() + axis);
  Tensor out = Tensor::zeros(DType::I64, outDims);
  if (s.n == 0 && out.numElements() > 0)
    return makeError(Code::InvalidArgument, "argmax of an empty axis ", axis,
                     " of shape ", shapeToString(x.dims()));
  if (x.dtype() == DType::I64)
    argmaxElements<int64_t>(x, s, out);
  else
    argmaxElements<float>(x, s, out);
  return out;
}

Status checkAxis(VerifyContext &ctx) {
  int64_t axis = attrInt(ctx.inst, "axis");
  size_t rank = ctx.inputs[0]->dims.size();
  if (axis < 0 || axis >= int64_t(rank))
    return makeError(Code::DataLoss, ctx.path, ".attrs.axis: ", axis,
                     " is out of range for rank ", rank);
  return Status::ok();
}

Status verifyReduce(VerifyContext &ctx) {
  CIM_TRY(checkAxis(ctx));
  size_t rank = ctx.inputs[0]->dims.size();
  if (ctx.output->dims.size() != rank)
    return makeError(Code::DataLoss, ctx.path, ".outputs[0]: value ",
                     ctx.output->id, " has rank ", ctx.output->dims.size(),
                     " but ", ctx.inst.kernel(), " keeps rank ", rank);
  return Status::ok();
}

Status verifyArgmax(VerifyContext &ctx) {
  CIM_TRY(checkInputDType(ctx, 0, {DType::F32, DType::I64}));
  CIM_TRY(checkOutputDType(ctx, 0, DType::I64));
  CIM_TRY(checkAxis(ctx));
  return checkOutputRank(ctx, 0, ctx.inputs[0]->dims.size() - 1);
}

} // namespace

void addReduceKernels(std::vector<KernelDef> &t) {
  auto reduce = [&](std::string_view name, RunFn run) {
    t.push_back({name,
                 1,
                 1,
                 {{"axis", AttrKind::Int, true}},
                 TypeRule::Numeric,
                 run,
                 verifyReduce});
  };
  reduce("tosa.reduce_max", runReduce<Reduction::Max>);
  reduce("tosa.reduce_min", runReduce<Reduction::Min>);
  reduce("tosa.reduce_sum", runReduce<Reduction::Sum>);
  reduce("tosa.reduce_prod", runReduce<Reduction::Prod>);
  t.push_back({"tosa.argmax",
               1,
               1,
               {{"axis", AttrKind::Int, true}},
               TypeRule::Custom,
               runArgmax,
               verifyArgmax});
}

} // namespace cim::rt
