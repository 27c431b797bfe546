//===- ReduceKernels.cpp - Reductions along one axis ------------*- C++ -*-===//
//
// tosa.reduce_sum and tosa.reduce_max: reduce one axis and keep it with size
// 1, as TOSA does (the compiler reshapes afterwards if ONNX dropped it).
// Sums accumulate in double so that long reductions (softmax denominators,
// global pooling) do not lose precision; max propagates NaN.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include <cmath>
#include <limits>

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

template <bool IsMax>
StatusOr<Tensor> runReduce(ExecContext &ctx,
                           const std::vector<const Tensor *> &in) {
  const Tensor &x = *in[0];
  int64_t axis = attrInt(*ctx.inst.proto, "axis");
  CIM_ASSIGN_OR_RETURN(AxisSplit s, splitAtAxis(x.dims(), axis));
  Shape outDims = x.dims();
  outDims[axis] = 1;
  Tensor out = Tensor::zeros(DType::F32, outDims);
  const float *px = x.data<float>();
  float *y = out.mutableData<float>();
  std::vector<double> acc(s.inner);
  for (int64_t o = 0; o < s.outer; ++o) {
    std::fill(acc.begin(), acc.end(),
              IsMax ? -std::numeric_limits<double>::infinity() : 0.0);
    for (int64_t k = 0; k < s.n; ++k) {
      const float *row = px + (o * s.n + k) * s.inner;
      for (int64_t i = 0; i < s.inner; ++i) {
        if constexpr (IsMax) {
          // Once NaN, `row[i] > acc[i]` is false forever: NaN sticks.
          if (std::isnan(row[i]))
            acc[i] = row[i];
          else if (row[i] > acc[i])
            acc[i] = row[i];
        } else {
          acc[i] += row[i];
        }
      }
    }
    for (int64_t i = 0; i < s.inner; ++i)
      y[o * s.inner + i] = float(acc[i]);
  }
  return out;
}

Status verifyReduce(VerifyContext &ctx) {
  int64_t axis = attrInt(ctx.inst, "axis");
  size_t rank = ctx.inputs[0]->dims.size();
  if (axis < 0 || axis >= int64_t(rank))
    return makeError(Code::DataLoss, ctx.path, ".attrs.axis: ", axis,
                     " is out of range for rank ", rank);
  if (ctx.output->dims.size() != rank)
    return makeError(Code::DataLoss, ctx.path, ".outputs[0]: value ",
                     ctx.output->id, " has rank ", ctx.output->dims.size(),
                     " but ", ctx.inst.kernel(), " keeps rank ", rank);
  return Status::ok();
}

} // namespace

void addReduceKernels(std::vector<KernelDef> &t) {
  t.push_back({"tosa.reduce_max",
               1,
               1,
               {{"axis", AttrKind::Int, true}},
               TypeRule::F32,
               runReduce<true>,
               verifyReduce});
  t.push_back({"tosa.reduce_sum",
               1,
               1,
               {{"axis", AttrKind::Int, true}},
               TypeRule::F32,
               runReduce<false>,
               verifyReduce});
}

} // namespace cim::rt
