//===- ElementwiseKernels.cpp - Unary, binary, select, clamp ----*- C++ -*-===//
//
// The elementwise TOSA kernels. Binary and ternary kernels follow numpy
// broadcasting: shapes are aligned at the trailing dim and a dim of size 1
// stretches to match the other. Each kernel is written once as a generic
// lambda and instantiated per element type (F32, I64, BOOL as the table
// allows). Float arithmetic is plain float math so that the results match
// what the compiler's constant folding and the reference framework compute;
// maximum, minimum and clamp propagate NaN as TOSA does. Integer add, sub,
// mul and negate wrap around (two's complement, like numpy) instead of
// invoking undefined behaviour on overflow.
//
//===----------------------------------------------------------------------===//

#include "interp/Kernels.h"

#include <cmath>
#include <limits>
#include <type_traits>

namespace cim::rt {
namespace {

template <typename T> DType dtypeOf() {
  if constexpr (std::is_same_v<T, float>)
    return DType::F32;
  else if constexpr (std::is_same_v<T, int64_t>)
    return DType::I64;
  else
    return DType::Bool;
}

/// out[i] = op(a[i'], b[i'']) over the broadcast shape; T in, R out.
template <typename T, typename R, typename Op>
StatusOr<Tensor> broadcastBinary(const Tensor &a, const Tensor &b, Op op) {
  CIM_ASSIGN_OR_RETURN(Shape outDims, broadcastShapes(a.dims(), b.dims()));
  Tensor out = Tensor::zeros(dtypeOf<R>(), outDims);
  const T *pa = a.data<T>();
  const T *pb = b.data<T>();
  R *y = out.mutableData<R>();
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
    T vb = pb[0];
    for (int64_t i = 0; i < n; ++i)
      y[i] = op(pa[i], vb);
    return out;
  }
  if (b.numElements() == n && a.numElements() == 1) {
    T va = pa[0];
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

template <typename T, typename Op>
StatusOr<Tensor> unary(const Tensor &x, Op op) {
  Tensor out = Tensor::zeros(x.dtype(), x.dims());
  const T *px = x.data<T>();
  T *y = out.mutableData<T>();
  for (int64_t i = 0, n = x.numElements(); i < n; ++i)
    y[i] = op(px[i]);
  return out;
}

template <typename T> T maxOf(T a, T b) {
  if constexpr (std::is_floating_point_v<T>)
    if (std::isnan(a) || std::isnan(b))
      return std::numeric_limits<T>::quiet_NaN();
  return a < b ? b : a;
}
template <typename T> T minOf(T a, T b) {
  if constexpr (std::is_floating_point_v<T>)
    if (std::isnan(a) || std::isnan(b))
      return std::numeric_limits<T>::quiet_NaN();
  return b < a ? b : a;
}

// Wrapping integer arithmetic; the identity on floats.
template <typename T> T addOf(T a, T b) {
  if constexpr (std::is_integral_v<T>)
    return T(uint64_t(a) + uint64_t(b));
  else
    return a + b;
}
template <typename T> T subOf(T a, T b) {
  if constexpr (std::is_integral_v<T>)
    return T(uint64_t(a) - uint64_t(b));
  else
    return a - b;
}
template <typename T> T mulOf(T a, T b) {
  if constexpr (std::is_integral_v<T>)
    return T(uint64_t(a) * uint64_t(b));
  else
    return a * b;
}
template <typename T> T negOf(T a) {
  if constexpr (std::is_integral_v<T>)
    return T(uint64_t(0) - uint64_t(a));
  else
    return -a;
}

/// Instantiates `op` for the dtype of the first operand: F32/I64 numeric
/// kernels produce their input type, comparisons produce BOOL.
#define CIM_NUMERIC_BINARY(fnName, expr)                                       \
  StatusOr<Tensor> fnName(ExecContext &,                                       \
                          const std::vector<const Tensor *> &in) {             \
    auto op = [](auto a, auto b) { return (expr); };                           \
    if (in[0]->dtype() == DType::I64)                                          \
      return broadcastBinary<int64_t, int64_t>(*in[0], *in[1], op);            \
    return broadcastBinary<float, float>(*in[0], *in[1], op);                  \
  }
CIM_NUMERIC_BINARY(runAdd, addOf(a, b))
CIM_NUMERIC_BINARY(runSub, subOf(a, b))
CIM_NUMERIC_BINARY(runMul, mulOf(a, b))
CIM_NUMERIC_BINARY(runMaximum, maxOf(a, b))
CIM_NUMERIC_BINARY(runMinimum, minOf(a, b))
#undef CIM_NUMERIC_BINARY

StatusOr<Tensor> runPow(ExecContext &, const std::vector<const Tensor *> &in) {
  return broadcastBinary<float, float>(
      *in[0], *in[1], [](float a, float b) { return std::pow(a, b); });
}

#define CIM_COMPARE(fnName, expr)                                              \
  StatusOr<Tensor> fnName(ExecContext &,                                       \
                          const std::vector<const Tensor *> &in) {             \
    auto op = [](auto a, auto b) -> bool { return (expr); };                   \
    switch (in[0]->dtype()) {                                                  \
    case DType::I64:                                                           \
      return broadcastBinary<int64_t, bool>(*in[0], *in[1], op);               \
    case DType::Bool:                                                          \
      return broadcastBinary<bool, bool>(*in[0], *in[1], op);                  \
    default:                                                                   \
      return broadcastBinary<float, bool>(*in[0], *in[1], op);                 \
    }                                                                          \
  }
CIM_COMPARE(runGreater, a > b)
CIM_COMPARE(runGreaterEqual, a >= b)
CIM_COMPARE(runEqual, a == b)
#undef CIM_COMPARE

#define CIM_LOGICAL(fnName, expr)                                              \
  StatusOr<Tensor> fnName(ExecContext &,                                       \
                          const std::vector<const Tensor *> &in) {             \
    return broadcastBinary<bool, bool>(                                        \
        *in[0], *in[1], [](bool a, bool b) -> bool { return (expr); });        \
  }
CIM_LOGICAL(runLogicalAnd, a && b)
CIM_LOGICAL(runLogicalOr, a || b)
CIM_LOGICAL(runLogicalXor, a != b)
#undef CIM_LOGICAL

StatusOr<Tensor> runLogicalNot(ExecContext &,
                               const std::vector<const Tensor *> &in) {
  return unary<bool>(*in[0], [](bool x) { return !x; });
}

#define CIM_FLOAT_UNARY(fnName, expr)                                          \
  StatusOr<Tensor> fnName(ExecContext &,                                       \
                          const std::vector<const Tensor *> &in) {             \
    return unary<float>(*in[0], [](float x) { return (expr); });               \
  }
CIM_FLOAT_UNARY(runExp, std::exp(x))
CIM_FLOAT_UNARY(runLog, std::log(x))
CIM_FLOAT_UNARY(runTanh, std::tanh(x))
CIM_FLOAT_UNARY(runSigmoid, 1.0f / (1.0f + std::exp(-x)))
CIM_FLOAT_UNARY(runReciprocal, 1.0f / x)
CIM_FLOAT_UNARY(runFloor, std::floor(x))
CIM_FLOAT_UNARY(runCeil, std::ceil(x))
#undef CIM_FLOAT_UNARY

StatusOr<Tensor> runNegate(ExecContext &,
                           const std::vector<const Tensor *> &in) {
  if (in[0]->dtype() == DType::I64)
    return unary<int64_t>(*in[0], [](int64_t x) { return negOf(x); });
  return unary<float>(*in[0], [](float x) { return -x; });
}

StatusOr<Tensor> runAbs(ExecContext &, const std::vector<const Tensor *> &in) {
  if (in[0]->dtype() == DType::I64)
    // |INT64_MIN| wraps to INT64_MIN, as in numpy.
    return unary<int64_t>(*in[0],
                          [](int64_t x) { return x < 0 ? negOf(x) : x; });
  return unary<float>(*in[0], [](float x) { return std::fabs(x); });
}

StatusOr<Tensor> runClamp(ExecContext &ctx,
                          const std::vector<const Tensor *> &in) {
  if (in[0]->dtype() == DType::I64) {
    int64_t lo = attrInt(*ctx.inst.proto, "min_int");
    int64_t hi = attrInt(*ctx.inst.proto, "max_int");
    return unary<int64_t>(*in[0], [lo, hi](int64_t x) {
      return x < lo ? lo : (x > hi ? hi : x);
    });
  }
  float lo = float(attrFloat(*ctx.inst.proto, "min_fp"));
  float hi = float(attrFloat(*ctx.inst.proto, "max_fp"));
  return unary<float>(*in[0], [lo, hi](float x) {
    if (std::isnan(x))
      return x;
    return x < lo ? lo : (x > hi ? hi : x);
  });
}

/// out = cond ? a : b, all three broadcast together.
template <typename T>
Tensor selectElements(const Tensor &c, const Tensor &a, const Tensor &b,
                      const Shape &outDims) {
  Tensor out = Tensor::zeros(a.dtype(), outDims);
  int64_t n = out.numElements();
  if (n == 0)
    return out;
  const bool *pc = c.data<bool>();
  const T *pa = a.data<T>(), *pb = b.data<T>();
  T *y = out.mutableData<T>();
  size_t rank = outDims.size();
  std::vector<int64_t> sc = broadcastStrides(c.dims(), outDims);
  std::vector<int64_t> sa = broadcastStrides(a.dims(), outDims);
  std::vector<int64_t> sb = broadcastStrides(b.dims(), outDims);
  std::vector<int64_t> idx(rank, 0);
  int64_t oc = 0, oa = 0, ob = 0;
  for (int64_t i = 0; i < n; ++i) {
    y[i] = pc[oc] ? pa[oa] : pb[ob];
    for (size_t d = rank; d-- > 0;) {
      oc += sc[d];
      oa += sa[d];
      ob += sb[d];
      if (++idx[d] < outDims[d])
        break;
      oc -= sc[d] * outDims[d];
      oa -= sa[d] * outDims[d];
      ob -= sb[d] * outDims[d];
      idx[d] = 0;
    }
  }
  return out;
}

StatusOr<Tensor> runSelect(ExecContext &,
                           const std::vector<const Tensor *> &in) {
  CIM_ASSIGN_OR_RETURN(Shape ab, broadcastShapes(in[1]->dims(), in[2]->dims()));
  CIM_ASSIGN_OR_RETURN(Shape outDims, broadcastShapes(in[0]->dims(), ab));
  switch (in[1]->dtype()) {
  case DType::F32:
    return selectElements<float>(*in[0], *in[1], *in[2], outDims);
  case DType::I64:
    return selectElements<int64_t>(*in[0], *in[1], *in[2], outDims);
  case DType::Bool:
    return selectElements<bool>(*in[0], *in[1], *in[2], outDims);
  }
  return makeError(Code::Internal, "unknown dtype");
}

size_t maxInputRank(const VerifyContext &ctx) {
  size_t rank = 0;
  for (const ValueInfo *v : ctx.inputs)
    rank = std::max(rank, v->dims.size());
  return rank;
}

Status verifyBroadcast(VerifyContext &ctx) {
  return checkOutputRank(ctx, 0, maxInputRank(ctx));
}

Status verifyUnary(VerifyContext &ctx) {
  return checkOutputRank(ctx, 0, ctx.inputs[0]->dims.size());
}

Status verifyMul(VerifyContext &ctx) {
  int64_t shift = attrInt(ctx.inst, "shift", 0);
  if (shift != 0)
    return makeError(Code::Unimplemented, ctx.path, ".attrs.shift: shift ",
                     shift, " is not supported (must be 0)");
  return verifyBroadcast(ctx);
}

Status verifySelect(VerifyContext &ctx) {
  CIM_TRY(checkInputDType(ctx, 0, {DType::Bool}));
  if (ctx.inputs[2]->dtype != ctx.inputs[1]->dtype)
    return makeError(Code::DataLoss, ctx.path, ".inputs[2]: value ",
                     ctx.inputs[2]->id, " is ",
                     dtypeName(ctx.inputs[2]->dtype),
                     " but tosa.select needs the type of inputs[1], ",
                     dtypeName(ctx.inputs[1]->dtype));
  CIM_TRY(checkOutputDType(ctx, 0, ctx.inputs[1]->dtype));
  return verifyBroadcast(ctx);
}

Status verifyClamp(VerifyContext &ctx) {
  bool isInt = ctx.inputs[0]->dtype == DType::I64;
  const char *loName = isInt ? "min_int" : "min_fp";
  const char *hiName = isInt ? "max_int" : "max_fp";
  for (const char *name : {loName, hiName})
    if (!hasAttr(ctx.inst, name))
      return makeError(Code::DataLoss, ctx.path, ".attrs.", name,
                       ": missing (tosa.clamp on ",
                       dtypeName(ctx.inputs[0]->dtype), " needs ",
                       attrKindName(isInt ? AttrKind::Int : AttrKind::Float),
                       " attribute '", name, "')");
  if (isInt) {
    int64_t lo = attrInt(ctx.inst, "min_int"), hi = attrInt(ctx.inst, "max_int");
    if (lo > hi)
      return makeError(Code::DataLoss, ctx.path, ".attrs: min_int ", lo,
                       " is not <= max_int ", hi);
  } else {
    double lo = attrFloat(ctx.inst, "min_fp"), hi = attrFloat(ctx.inst, "max_fp");
    if (!(lo <= hi))
      return makeError(Code::DataLoss, ctx.path, ".attrs: min_fp ", lo,
                       " is not <= max_fp ", hi);
  }
  return verifyUnary(ctx);
}

} // namespace

void addElementwiseKernels(std::vector<KernelDef> &t) {
  auto binary = [&](std::string_view name, TypeRule types, RunFn run) {
    t.push_back({name, 2, 2, {}, types, run, verifyBroadcast});
  };
  binary("tosa.add", TypeRule::Numeric, runAdd);
  binary("tosa.sub", TypeRule::Numeric, runSub);
  t.push_back({"tosa.mul",
               2,
               2,
               {{"shift", AttrKind::Int, false}},
               TypeRule::Numeric,
               runMul,
               verifyMul});
  binary("tosa.maximum", TypeRule::Numeric, runMaximum);
  binary("tosa.minimum", TypeRule::Numeric, runMinimum);
  binary("tosa.pow", TypeRule::F32, runPow);
  binary("tosa.greater", TypeRule::Compare, runGreater);
  binary("tosa.greater_equal", TypeRule::Compare, runGreaterEqual);
  binary("tosa.equal", TypeRule::CompareAny, runEqual);
  binary("tosa.logical_and", TypeRule::Logical, runLogicalAnd);
  binary("tosa.logical_or", TypeRule::Logical, runLogicalOr);
  binary("tosa.logical_xor", TypeRule::Logical, runLogicalXor);
  t.push_back(
      {"tosa.select", 3, 3, {}, TypeRule::Custom, runSelect, verifySelect});

  auto unaryDef = [&](std::string_view name, TypeRule types, RunFn run) {
    t.push_back({name, 1, 1, {}, types, run, verifyUnary});
  };
  unaryDef("tosa.exp", TypeRule::F32, runExp);
  unaryDef("tosa.log", TypeRule::F32, runLog);
  unaryDef("tosa.tanh", TypeRule::F32, runTanh);
  unaryDef("tosa.sigmoid", TypeRule::F32, runSigmoid);
  unaryDef("tosa.reciprocal", TypeRule::F32, runReciprocal);
  unaryDef("tosa.floor", TypeRule::F32, runFloor);
  unaryDef("tosa.ceil", TypeRule::F32, runCeil);
  unaryDef("tosa.negate", TypeRule::Numeric, runNegate);
  unaryDef("tosa.abs", TypeRule::Numeric, runAbs);
  unaryDef("tosa.logical_not", TypeRule::Logical, runLogicalNot);

  // Which pair of bounds is required depends on the dtype (verifyClamp).
  t.push_back({"tosa.clamp",
               1,
               1,
               {{"min_fp", AttrKind::Float, false},
                {"max_fp", AttrKind::Float, false},
                {"min_int", AttrKind::Int, false},
                {"max_int", AttrKind::Int, false}},
               TypeRule::Numeric,
               runClamp,
               verifyClamp});
}

} // namespace cim::rt
