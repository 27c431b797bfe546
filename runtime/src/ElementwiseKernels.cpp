//===- ElementwiseKernels.cpp - Unary, binary and clamp ---------*- C++ -*-===//
//
// The elementwise TOSA kernels on f32. Binary kernels follow numpy
// broadcasting: shapes are aligned at the trailing dim and a dim of size 1
// stretches to match the other. Arithmetic is plain float math so that the
// results match what the compiler's constant folding and the reference
// framework compute; maximum, minimum and clamp propagate NaN as TOSA does.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include <cmath>
#include <limits>

namespace cim::rt {
namespace {

template <typename Op>
StatusOr<Tensor> broadcastBinary(const Tensor &a, const Tensor &b, Op op) {
  CIM_ASSIGN_OR_RETURN(Shape outDims, broadcastShapes(a.dims(), b.dims()));
  Tensor out = Tensor::zeros(DType::F32, outDims);
  const float *pa = a.data<float>();
  const float *pb = b.data<float>();
  float *y = out.mutableData<float>();
  int64_t n = out.numElements();
  if (n == 0)
    return out;
  // Fast paths: equal shapes and a scalar-like operand.
  if (a.dims() == outDims && b.dims() == outDims) {
    for (int64_t i = 0; i < n; ++i)
      y[i] = op(pa[i], pb[i]);
    return out;
  }
  if (a.numElements() == n && b.numElements() == 1) {
    float vb = pb[0];
    for (int64_t i = 0; i < n; ++i)
      y[i] = op(pa[i], vb);
    return out;
  }
  if (b.numElements() == n && a.numElements() == 1) {
    float va = pa[0];
    for (int64_t i = 0; i < n; ++i)
      y[i] = op(va, pb[i]);
    return out;
  }
  // General case: walk the result in order with an odometer over the outer
  // dims and a strided inner loop over the last dim.
  size_t rank = outDims.size();
  std::vector<int64_t> sa = broadcastStrides(a.dims(), outDims);
  std::vector<int64_t> sb = broadcastStrides(b.dims(), outDims);
  int64_t inner = outDims[rank - 1];
  int64_t ia = sa[rank - 1], ib = sb[rank - 1];
  std::vector<int64_t> idx(rank, 0);
  int64_t offA = 0, offB = 0;
  for (int64_t base = 0; base < n; base += inner) {
    for (int64_t j = 0; j < inner; ++j)
      y[base + j] = op(pa[offA + j * ia], pb[offB + j * ib]);
    for (size_t d = rank - 1; d-- > 0;) {
      offA += sa[d];
      offB += sb[d];
      if (++idx[d] < outDims[d])
        break;
      offA -= sa[d] * outDims[d];
      offB -= sb[d] * outDims[d];
      idx[d] = 0;
    }
  }
  return out;
}

template <typename Op> StatusOr<Tensor> unary(const Tensor &x, Op op) {
  Tensor out = Tensor::zeros(DType::F32, x.dims());
  const float *px = x.data<float>();
  float *y = out.mutableData<float>();
  for (int64_t i = 0, n = x.numElements(); i < n; ++i)
    y[i] = op(px[i]);
  return out;
}

float nanMax(float a, float b) {
  if (std::isnan(a) || std::isnan(b))
    return std::numeric_limits<float>::quiet_NaN();
  return a < b ? b : a;
}
float nanMin(float a, float b) {
  if (std::isnan(a) || std::isnan(b))
    return std::numeric_limits<float>::quiet_NaN();
  return b < a ? b : a;
}

#define CIM_BINARY(fnName, expr)                                               \
  StatusOr<Tensor> fnName(ExecContext &,                                       \
                          const std::vector<const Tensor *> &in) {             \
    return broadcastBinary(*in[0], *in[1],                                     \
                           [](float a, float b) { return (expr); });           \
  }
CIM_BINARY(runAdd, a + b)
CIM_BINARY(runSub, a - b)
CIM_BINARY(runMul, a *b)
CIM_BINARY(runMaximum, nanMax(a, b))
CIM_BINARY(runMinimum, nanMin(a, b))
CIM_BINARY(runPow, std::pow(a, b))
#undef CIM_BINARY

#define CIM_UNARY(fnName, expr)                                                \
  StatusOr<Tensor> fnName(ExecContext &,                                       \
                          const std::vector<const Tensor *> &in) {             \
    return unary(*in[0], [](float x) { return (expr); });                      \
  }
CIM_UNARY(runExp, std::exp(x))
CIM_UNARY(runLog, std::log(x))
CIM_UNARY(runTanh, std::tanh(x))
CIM_UNARY(runSigmoid, 1.0f / (1.0f + std::exp(-x)))
CIM_UNARY(runReciprocal, 1.0f / x)
CIM_UNARY(runNegate, -x)
CIM_UNARY(runAbs, std::fabs(x))
#undef CIM_UNARY

StatusOr<Tensor> runClamp(ExecContext &ctx,
                          const std::vector<const Tensor *> &in) {
  float lo = float(attrFloat(*ctx.inst.proto, "min_fp"));
  float hi = float(attrFloat(*ctx.inst.proto, "max_fp"));
  return unary(*in[0], [lo, hi](float x) {
    if (std::isnan(x))
      return x;
    return x < lo ? lo : (x > hi ? hi : x);
  });
}

Status checkOutputRank(VerifyContext &ctx, size_t rank) {
  if (ctx.output->dims.size() != rank)
    return makeError(Code::DataLoss, ctx.path, ".outputs[0]: value ",
                     ctx.output->id, " has rank ", ctx.output->dims.size(),
                     " but ", ctx.inst.kernel(), " produces rank ", rank);
  return Status::ok();
}

Status verifyBinary(VerifyContext &ctx) {
  return checkOutputRank(
      ctx, std::max(ctx.inputs[0]->dims.size(), ctx.inputs[1]->dims.size()));
}

Status verifyUnary(VerifyContext &ctx) {
  return checkOutputRank(ctx, ctx.inputs[0]->dims.size());
}

Status verifyMul(VerifyContext &ctx) {
  int64_t shift = attrInt(ctx.inst, "shift", 0);
  if (shift != 0)
    return makeError(Code::Unimplemented, ctx.path, ".attrs.shift: shift ",
                     shift, " is not supported for f32 (must be 0)");
  return verifyBinary(ctx);
}

Status verifyClamp(VerifyContext &ctx) {
  double lo = attrFloat(ctx.inst, "min_fp");
  double hi = attrFloat(ctx.inst, "max_fp");
  if (!(lo <= hi))
    return makeError(Code::DataLoss, ctx.path, ".attrs: min_fp ", lo,
                     " is not <= max_fp ", hi);
  return verifyUnary(ctx);
}

} // namespace

void addElementwiseKernels(std::vector<KernelDef> &t) {
  auto binary = [&](std::string_view name, RunFn run) {
    t.push_back({name, 2, 2, {}, TypeRule::F32, run, verifyBinary});
  };
  binary("tosa.add", runAdd);
  binary("tosa.sub", runSub);
  t.push_back({"tosa.mul",
               2,
               2,
               {{"shift", AttrKind::Int, false}},
               TypeRule::F32,
               runMul,
               verifyMul});
  binary("tosa.maximum", runMaximum);
  binary("tosa.minimum", runMinimum);
  binary("tosa.pow", runPow);

  auto unaryDef = [&](std::string_view name, RunFn run) {
    t.push_back({name, 1, 1, {}, TypeRule::F32, run, verifyUnary});
  };
  unaryDef("tosa.exp", runExp);
  unaryDef("tosa.log", runLog);
  unaryDef("tosa.tanh", runTanh);
  unaryDef("tosa.sigmoid", runSigmoid);
  unaryDef("tosa.reciprocal", runReciprocal);
  unaryDef("tosa.negate", runNegate);
  unaryDef("tosa.abs", runAbs);

  t.push_back({"tosa.clamp",
               1,
               1,
               {{"min_fp", AttrKind::Float, true},
                {"max_fp", AttrKind::Float, true},
                {"min_int", AttrKind::Int, false},
                {"max_int", AttrKind::Int, false}},
               TypeRule::F32,
               runClamp,
               verifyClamp});
}

} // namespace cim::rt
