//===- MathHandlers.cpp - Import of ONNX arithmetic ops ---------*- C++ -*-===//
//
// Handlers for elementwise arithmetic, activations, comparisons and logic,
// casts, matrix products, softmax, reductions and inference-mode batch
// normalisation. Elementwise ops become tosa ops with numpy broadcasting;
// products become cim.matmul so that constant weights can be mapped onto
// arrays.
//
//===----------------------------------------------------------------------===//

#include "Handlers.h"

#include "cim/Dialect/CIM/CIMOps.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

#include <cmath>
#include <limits>
#include <type_traits>

using namespace mlir;
using namespace cim;
using namespace cim::onnx_import;

namespace {

constexpr float kFloatMax = std::numeric_limits<float>::max();

/// tosa.clamp of a float tensor to [lo, hi].
Value clampF32(GraphImporter &g, Value x, float lo, float hi) {
  Builder &b = g.b();
  return g.b().createOrFold<tosa::ClampOp>(
      g.loc(), x.getType(), x,
      b.getI64IntegerAttr(std::numeric_limits<int64_t>::min()),
      b.getI64IntegerAttr(std::numeric_limits<int64_t>::max()),
      b.getF32FloatAttr(lo), b.getF32FloatAttr(hi));
}

/// A scalar constant of `x`'s element type, shaped to broadcast with it.
Value scalarLike(GraphImporter &g, Value x, double value) {
  return g.scalar(value, tensorType(x).getRank(), elementType(x));
}

/// Constants larger than this are not folded elementwise here.
constexpr int64_t kMaxFoldedElements = int64_t(1) << 24;

/// The values of a constant f32, i64 or i1 tensor of static shape, as
/// doubles; none otherwise.
std::optional<std::vector<double>> constantValues(Value v) {
  DenseElementsAttr attr;
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape() ||
      type.getNumElements() > kMaxFoldedElements ||
      !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  std::vector<double> out;
  out.reserve(size_t(type.getNumElements()));
  Type element = type.getElementType();
  if (element.isF32()) {
    for (float x : attr.getValues<float>())
      out.push_back(x);
  } else if (element.isInteger(64)) {
    for (int64_t x : attr.getValues<int64_t>())
      out.push_back(double(x));
  } else if (element.isInteger(1)) {
    for (bool x : attr.getValues<bool>())
      out.push_back(x ? 1.0 : 0.0);
  } else {
    return std::nullopt;
  }
  return out;
}

/// `fn` applied elementwise to constant `operands` with numpy broadcasting,
/// as a constant of element type `element` (f32, i64 or i1); null when an
/// operand is not a constant of static shape. Weights written as
/// expressions of constants (Sign of latent weights, Where(w > t, 1, -1))
/// thereby reach the arrays as the constants they are.
Value foldElementwise(GraphImporter &g, ArrayRef<Value> operands,
                      Type element,
                      llvm::function_ref<double(ArrayRef<double>)> fn) {
  SmallVector<std::vector<double>> values;
  SmallVector<int64_t> shape;
  for (Value v : operands) {
    std::optional<std::vector<double>> x = constantValues(v);
    if (!x)
      return Value();
    values.push_back(std::move(*x));
    shape = g.broadcastShape(shape, tensorType(v).getShape());
  }
  const int64_t rank = shape.size();
  // Operands within bounds may still broadcast to more than any tensor.
  int64_t count = checkElementCount(shape, "result");
  if (count > kMaxFoldedElements)
    return Value();
  // Each operand's stride per result dimension (0 where it broadcasts).
  // With no elements there is nothing to index, and the dimensions beside
  // a 0 may multiply past int64.
  SmallVector<SmallVector<int64_t>> strides;
  for (Value v : count ? operands : ArrayRef<Value>()) {
    ArrayRef<int64_t> s = tensorType(v).getShape();
    SmallVector<int64_t> stride(rank, 0);
    int64_t step = 1;
    for (int64_t d = int64_t(s.size()) - 1; d >= 0; --d) {
      int64_t at = rank - int64_t(s.size()) + d;
      stride[at] = s[d] == 1 ? 0 : step;
      step *= s[d];
    }
    strides.push_back(std::move(stride));
  }
  std::vector<double> result(static_cast<size_t>(count));
  SmallVector<int64_t> index(rank, 0);
  SmallVector<double> args(operands.size());
  for (int64_t i = 0; i < count; ++i) {
    for (size_t k = 0; k < operands.size(); ++k) {
      int64_t at = 0;
      for (int64_t d = 0; d < rank; ++d)
        at += index[d] * strides[k][d];
      args[k] = values[k][size_t(at)];
    }
    result[size_t(i)] = fn(args);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  auto type = RankedTensorType::get(shape, element);
  if (element.isF32()) {
    std::vector<float> f(result.begin(), result.end());
    return g.constant(DenseElementsAttr::get(type, ArrayRef<float>(f)));
  }
  if (element.isInteger(64)) {
    std::vector<int64_t> n;
    n.reserve(result.size());
    for (double x : result)
      n.push_back(int64_t(x));
    return g.constant(DenseElementsAttr::get(type, ArrayRef<int64_t>(n)));
  }
  SmallVector<bool> bits;
  bits.reserve(result.size());
  for (double x : result)
    bits.push_back(x != 0);
  return g.constant(DenseElementsAttr::get(type, ArrayRef<bool>(bits)));
}

Value select(GraphImporter &g, Value cond, Value a, Value b) {
  if (Value folded = foldElementwise(
          g, {cond, a, b}, elementType(a),
          [](ArrayRef<double> x) { return x[0] != 0 ? x[1] : x[2]; }))
    return folded;
  auto shape = g.broadcastShape(
      g.broadcastShape(tensorType(cond).getShape(), tensorType(a).getShape()),
      tensorType(b).getShape());
  int64_t rank = shape.size();
  auto type = RankedTensorType::get(shape, elementType(a));
  return g.b().createOrFold<tosa::SelectOp>(g.loc(), type,
                                            g.expandRank(cond, rank),
                                            g.expandRank(a, rank),
                                            g.expandRank(b, rank));
}

Value compare(GraphImporter &g, StringRef op, Value a, Value b) {
  Type i1 = g.b().getI1Type();
  // Constants fold; the comparison is chosen once, not per element.
  bool (*holds)(double, double) =
      op == "Greater"          ? +[](double x, double y) { return x > y; }
      : op == "GreaterOrEqual" ? +[](double x, double y) { return x >= y; }
      : op == "Less"           ? +[](double x, double y) { return x < y; }
      : op == "LessOrEqual"    ? +[](double x, double y) { return x <= y; }
                               : +[](double x, double y) { return x == y; };
  if (Value folded = foldElementwise(g, {a, b}, i1, [&](ArrayRef<double> x) {
        return holds(x[0], x[1]) ? 1.0 : 0.0;
      }))
    return folded;
  if (op == "Greater")
    return g.broadcastOp<tosa::GreaterOp>(i1, a, b);
  if (op == "GreaterOrEqual")
    return g.broadcastOp<tosa::GreaterEqualOp>(i1, a, b);
  if (op == "Less")
    return g.broadcastOp<tosa::GreaterOp>(i1, b, a);
  if (op == "LessOrEqual")
    return g.broadcastOp<tosa::GreaterEqualOp>(i1, b, a);
  return g.broadcastOp<tosa::EqualOp>(i1, a, b);
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

void requireNumber(Value v, const char *what) {
  Type t = elementType(v);
  if (!t.isF32() && !t.isInteger(64))
    throw ImportError{std::string(what) + " must be a float or int64 tensor"};
}

/// The operands of a binary op. Before opset 7, `broadcast=1` with `axis`
/// aligned B's dimensions with A's starting at `axis`; B is reshaped so
/// that numpy broadcasting means the same.
std::pair<Value, Value> binaryOperands(GraphImporter &g, const Node &node) {
  Value a = operand(g, node, 0), b = operand(g, node, 1);
  if (g.getOpset() >= 7) {
    allowAttrs(node, {});
    return {a, b};
  }
  allowAttrs(node, {"broadcast", "axis", "consumed_inputs"});
  if (!intAttr(node, "broadcast", 0) || !findAttr(node, "axis"))
    return {a, b};
  int64_t rankA = tensorType(a).getRank(), rankB = tensorType(b).getRank();
  int64_t axis = normalizeAxis(intAttr(node, "axis", 0), rankA);
  if (axis + rankB > rankA)
    throw ImportError{"B does not fit into A at axis " + std::to_string(axis)};
  SmallVector<int64_t> shape(axis, 1);
  llvm::append_range(shape, tensorType(b).getShape());
  shape.append(rankA - axis - rankB, 1);
  return {a, g.reshape(b, shape)};
}

/// Add, Sub, Mul: tosa ops with numpy broadcasting, on f32 or i64.
template <typename OpTy>
void importBinary(GraphImporter &g, const Node &node) {
  auto [a, b] = binaryOperands(g, node);
  requireNumber(a, "A");
  requireNumber(b, "B");
  if constexpr (std::is_same_v<OpTy, tosa::MulOp>)
    bindResult(g, node, g.mul(a, b));
  else
    bindResult(g, node, g.binary<OpTy>(a, b));
}

/// Div: a * (1 / b) for floats (within an ulp of a true quotient); integer
/// division only where both operands are compile-time constants.
void importDiv(GraphImporter &g, const Node &node) {
  auto [a, b] = binaryOperands(g, node);
  if (elementType(a).isF32()) {
    Value inv = g.b().createOrFold<tosa::ReciprocalOp>(g.loc(), b.getType(), b);
    bindResult(g, node, g.mul(a, inv));
    return;
  }
  DenseElementsAttr ca = g.lookupConstant(node.input(0));
  DenseElementsAttr cb = g.lookupConstant(node.input(1));
  if (!ca || !cb || !ca.getType().hasStaticShape())
    throw ImportError{"integer division needs compile-time constant operands"};
  auto shape = g.broadcastShape(ca.getType().getShape(), cb.getType().getShape());
  if (shape != SmallVector<int64_t>(ca.getType().getShape()) ||
      !(cb.isSplat() || cb.getType() == ca.getType()))
    throw ImportError{"integer division with broadcasting is not supported"};
  SmallVector<int64_t> x(ca.getValues<int64_t>()), y;
  if (cb.isSplat())
    y.assign(x.size(), cb.getSplatValue<int64_t>());
  else
    y.assign(cb.getValues<int64_t>().begin(), cb.getValues<int64_t>().end());
  for (size_t i = 0; i < x.size(); ++i) {
    if (y[i] == 0)
      throw ImportError{"integer division by zero"};
    // ONNX integer Div truncates like C.
    x[i] = x[i] / y[i];
  }
  bindResult(g, node, g.constant(DenseElementsAttr::get(ca.getType(),
                                                        ArrayRef<int64_t>(x))));
}

template <typename OpTy>
void importUnary(GraphImporter &g, const Node &node) {
  allowAttrs(node, {});
  Value x = operand(g, node, 0);
  requireF32(x, "input");
  bindResult(g, node, g.b().createOrFold<OpTy>(g.loc(), x.getType(), x));
}

/// Neg and Abs also take int64.
template <typename OpTy>
void importSignedUnary(GraphImporter &g, const Node &node) {
  allowAttrs(node, {});
  Value x = operand(g, node, 0);
  requireNumber(x, "input");
  bindResult(g, node, g.b().createOrFold<OpTy>(g.loc(), x.getType(), x));
}

void importRelu(GraphImporter &g, const Node &node) {
  allowAttrs(node, {});
  Value x = operand(g, node, 0);
  requireF32(x, "input");
  bindResult(g, node, clampF32(g, x, 0.0f, kFloatMax));
}

void importLeakyRelu(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"alpha"});
  Value x = operand(g, node, 0);
  requireF32(x, "input");
  float alpha = floatAttr(node, "alpha", 0.01f);
  Value positive = compare(g, "GreaterOrEqual", x, scalarLike(g, x, 0.0));
  bindResult(g, node, select(g, positive, x, g.mul(x, scalarLike(g, x, alpha))));
}

void importHardSigmoid(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"alpha", "beta"});
  Value x = operand(g, node, 0);
  requireF32(x, "input");
  float alpha = floatAttr(node, "alpha", 0.2f), beta = floatAttr(node, "beta", 0.5f);
  Value y = g.binary<tosa::AddOp>(g.mul(x, scalarLike(g, x, alpha)),
                                  scalarLike(g, x, beta));
  bindResult(g, node, clampF32(g, y, 0.0f, 1.0f));
}

void importSign(GraphImporter &g, const Node &node) {
  allowAttrs(node, {});
  Value x = operand(g, node, 0);
  requireNumber(x, "input");
  // Sign of a constant (latent binary weights) is the constant +-1 (0 at
  // 0, NaN at NaN).
  if (Value folded = foldElementwise(g, {x}, elementType(x),
                                     [](ArrayRef<double> v) {
                                       return v[0] > 0   ? 1.0
                                              : v[0] < 0 ? -1.0
                                                         : v[0];
                                     })) {
    bindResult(g, node, folded);
    return;
  }
  Value zero = scalarLike(g, x, 0.0);
  // x - x keeps 0 at 0 and NaN at NaN, like numpy's sign.
  Value negative = select(g, compare(g, "Less", x, zero), scalarLike(g, x, -1.0),
                          g.binary<tosa::SubOp>(x, x));
  bindResult(g, node,
             select(g, compare(g, "Greater", x, zero), scalarLike(g, x, 1.0),
                    negative));
}

/// Clip: bounds are attributes before opset 11 and optional operands from
/// then on. Constant bounds become one tosa.clamp.
void importClip(GraphImporter &g, const Node &node) {
  Value x = operand(g, node, 0);
  requireNumber(x, "input");
  bool isFloat = elementType(x).isF32();
  // Float bounds in double, integer ones in int64 (2^63 - 1 has no double).
  double lo = -kFloatMax, hi = kFloatMax;
  int64_t intLo = std::numeric_limits<int64_t>::min(),
          intHi = std::numeric_limits<int64_t>::max();
  Value dynLo, dynHi;
  if (g.getOpset() < 11) {
    allowAttrs(node, {"min", "max"});
    if (!isFloat)
      throw ImportError{"Clip before opset 11 takes float inputs only"};
    lo = floatAttr(node, "min", -kFloatMax);
    hi = floatAttr(node, "max", kFloatMax);
  } else {
    allowAttrs(node, {});
    auto bound = [&](int i, double &value, int64_t &intValue, Value &dynamic) {
      if (!hasOperand(node, i))
        return;
      if (DenseElementsAttr c = typedConstant(g, node, i, elementType(x),
                                              i == 1 ? "min" : "max",
                                              /*scalar=*/true)) {
        if (isFloat)
          value = c.getSplatValue<APFloat>().convertToDouble();
        else
          intValue = c.getSplatValue<APInt>().getSExtValue();
      } else {
        dynamic = operand(g, node, i);
      }
    };
    bound(1, lo, intLo, dynLo);
    bound(2, hi, intHi, dynHi);
  }
  Builder &b = g.b();
  Value y;
  if (isFloat) {
    y = clampF32(g, x, lo, hi);
  } else {
    y = g.b().createOrFold<tosa::ClampOp>(
        g.loc(), x.getType(), x, b.getI64IntegerAttr(intLo),
        b.getI64IntegerAttr(intHi), b.getF32FloatAttr(-kFloatMax),
        b.getF32FloatAttr(kFloatMax));
  }
  if (dynLo)
    y = g.binary<tosa::MaximumOp>(y, dynLo);
  if (dynHi)
    y = g.binary<tosa::MinimumOp>(y, dynHi);
  bindResult(g, node, y);
}

void importCompare(GraphImporter &g, const Node &node) {
  allowAttrs(node, {});
  bindResult(g, node, compare(g, node.op_type(), operand(g, node, 0),
                              operand(g, node, 1)));
}

void requireBool(Value v) {
  if (!elementType(v).isInteger(1))
    throw ImportError{"operands must be bool tensors"};
}

template <typename OpTy>
void importLogical(GraphImporter &g, const Node &node) {
  allowAttrs(node, {});
  Value a = operand(g, node, 0), b = operand(g, node, 1);
  requireBool(a);
  requireBool(b);
  bindResult(g, node, g.binary<OpTy>(a, b));
}

void importNot(GraphImporter &g, const Node &node) {
  allowAttrs(node, {});
  Value x = operand(g, node, 0);
  requireBool(x);
  bindResult(g, node,
             g.b().createOrFold<tosa::LogicalNotOp>(g.loc(), x.getType(), x));
}

void importWhere(GraphImporter &g, const Node &node) {
  allowAttrs(node, {});
  Value c = operand(g, node, 0);
  requireBool(c);
  bindResult(g, node, select(g, c, operand(g, node, 1), operand(g, node, 2)));
}

void importCast(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"to", "saturate"});
  Value x = operand(g, node, 0);
  const auto *to = findAttr(node, "to");
  if (!to)
    throw ImportError{"attribute 'to' is required"};
  if (to->i() == onnx::TensorProto::INT8 || to->i() == onnx::TensorProto::UINT8)
    throw ImportError{"a Cast to an 8-bit integer type is not supported (8-bit "
                      "tensors come from QuantizeLinear)"};
  Type element = convertElementType(static_cast<int32_t>(to->i()),
                                    g.getContext(), "target type");
  auto type = RankedTensorType::get(tensorType(x).getShape(), element);
  bindResult(g, node, g.b().createOrFold<CastOp>(g.loc(), type, x));
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

/// The ONNX name of a product's constant right operand (placement rules
/// match it), or null.
StringAttr weightName(GraphImporter &g, const Node &node) {
  if (!g.lookupConstant(node.input(1)))
    return {};
  return g.b().getStringAttr(node.input(1));
}

void importMatMul(GraphImporter &g, const Node &node) {
  allowAttrs(node, {});
  Value a = operand(g, node, 0), b = operand(g, node, 1);
  requireF32(a, "A");
  requireF32(b, "B");
  FailureOr<SmallVector<int64_t>> shape =
      inferMatMulShape(tensorType(a).getShape(), tensorType(b).getShape());
  if (failed(shape))
    throw ImportError{"operand shapes cannot be multiplied"};
  auto type = RankedTensorType::get(*shape, g.b().getF32Type());
  bindResult(g, node,
             g.b().create<MatMulOp>(g.loc(), type, a, b, weightName(g, node)));
}

DenseElementsAttr scaled(GraphImporter &g, DenseElementsAttr attr, float factor) {
  return attr.mapValues(g.b().getF32Type(), [&](const APFloat &v) {
    return APFloat(v.convertToFloat() * factor).bitcastToAPInt();
  });
}

/// Gemm: Y = alpha * op(A) * op(B) + beta * C. Transposes and scales of
/// constant operands are folded here, so a weight reaches the arrays as the
/// single matrix it really is.
void importGemm(GraphImporter &g, const Node &node) {
  // `broadcast` (before opset 7) let C broadcast, which it always does now.
  allowAttrs(node, {"alpha", "beta", "transA", "transB", "broadcast"});
  float alpha = floatAttr(node, "alpha", 1.0f);
  float beta = floatAttr(node, "beta", 1.0f);
  Value a = operand(g, node, 0), b = operand(g, node, 1);
  requireF32(a, "A");
  requireF32(b, "B");
  if (tensorType(a).getRank() != 2 || tensorType(b).getRank() != 2)
    throw ImportError{"A and B must be 2-D"};
  if (intAttr(node, "transA", 0))
    a = g.transpose2D(a);
  if (intAttr(node, "transB", 0))
    b = g.transpose2D(b);

  DenseElementsAttr bConst;
  bool alphaPending = alpha != 1.0f;
  if (alphaPending && matchPattern(b, m_Constant(&bConst))) {
    b = g.constant(scaled(g, bConst, alpha));
    alphaPending = false;
  }
  auto at = tensorType(a), bt = tensorType(b);
  if (!ShapedType::isDynamic(at.getDimSize(1)) &&
      !ShapedType::isDynamic(bt.getDimSize(0)) &&
      at.getDimSize(1) != bt.getDimSize(0))
    throw ImportError{"inner dimensions of A and B differ: " +
                      std::to_string(at.getDimSize(1)) + " vs " +
                      std::to_string(bt.getDimSize(0))};
  auto type = RankedTensorType::get({at.getDimSize(0), bt.getDimSize(1)},
                                    g.b().getF32Type());
  Value y = g.b().create<MatMulOp>(g.loc(), type, a, b, weightName(g, node));
  if (alphaPending)
    y = g.mul(y, g.scalar(alpha, 2));

  if (hasOperand(node, 2) && beta != 0.0f) {
    Value c = operand(g, node, 2);
    requireF32(c, "C");
    if (tensorType(c).getRank() > 2)
      throw ImportError{"C must have rank at most 2"};
    DenseElementsAttr cConst;
    if (beta != 1.0f)
      c = matchPattern(c, m_Constant(&cConst))
              ? g.constant(scaled(g, cConst, beta))
              : g.mul(c, g.scalar(beta, tensorType(c).getRank()));
    y = g.binary<tosa::AddOp>(y, c);
  }
  bindResult(g, node, y);
}

//===----------------------------------------------------------------------===//
// Softmax, reductions
//===----------------------------------------------------------------------===//

/// `x` reduced along `axis` by tosa op `OpTy`, keeping the dimension.
template <typename OpTy>
Value reduce(GraphImporter &g, Value x, int64_t axis) {
  auto type = tensorType(x);
  SmallVector<int64_t> shape(type.getShape());
  shape[axis] = 1;
  return g.b().createOrFold<OpTy>(
      g.loc(), RankedTensorType::get(shape, type.getElementType()), x,
      g.b().getI32IntegerAttr(axis));
}

/// Softmax (or its log) along one axis: x - max is exponentiated so large
/// inputs do not overflow.
Value softmaxAlong(GraphImporter &g, Value x, int64_t axis, bool log) {
  auto type = tensorType(x);
  OpBuilder &b = g.b();
  Value shifted = g.binary<tosa::SubOp>(x, reduce<tosa::ReduceMaxOp>(g, x, axis));
  Value exp = b.create<tosa::ExpOp>(g.loc(), type, shifted);
  Value sum = reduce<tosa::ReduceSumOp>(g, exp, axis);
  if (log)
    return g.binary<tosa::SubOp>(
        shifted, b.create<tosa::LogOp>(g.loc(), sum.getType(), sum));
  Value inv = b.create<tosa::ReciprocalOp>(g.loc(), sum.getType(), sum);
  return g.mul(exp, inv);
}

/// Softmax and LogSoftmax: per axis from opset 13; before that the input is
/// flattened to 2-D at `axis` and normalised over the second dimension.
void importSoftmax(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"axis"});
  bool log = node.op_type() == "LogSoftmax";
  Value x = operand(g, node, 0);
  requireF32(x, "input");
  auto type = tensorType(x);
  int64_t rank = type.getRank();
  if (g.getOpset() >= 13) {
    int64_t axis = normalizeAxis(intAttr(node, "axis", -1), rank);
    bindResult(g, node, softmaxAlong(g, x, axis, log));
    return;
  }
  int64_t axis = intAttr(node, "axis", 1);
  if (axis < -rank || axis > rank)
    throw ImportError{"axis " + std::to_string(axis) + " is out of range"};
  if (axis < 0)
    axis += rank;
  auto shape = type.getShape();
  Value flat = g.reshape(x, {product(shape.take_front(axis)),
                             product(shape.drop_front(axis))});
  bindResult(g, node, g.reshape(softmaxAlong(g, flat, 1, log), shape));
}

/// The reduced axes of a Reduce* node (attribute, or operand from
/// ReduceSum-13), sorted and normalised; empty means all.
SmallVector<int64_t> reduceAxes(GraphImporter &g, const Node &node,
                                int64_t rank, bool &noop) {
  std::optional<SmallVector<int64_t>> axes = intsAttr(node, "axes");
  if (!axes && hasOperand(node, 1))
    axes = constantInts(g, node, 1, "axes");
  noop = false;
  if (!axes || axes->empty()) {
    if (intAttr(node, "noop_with_empty_axes", 0)) {
      noop = true;
      return {};
    }
    SmallVector<int64_t> all;
    for (int64_t i = 0; i < rank; ++i)
      all.push_back(i);
    return all;
  }
  for (int64_t &a : *axes)
    a = normalizeAxis(a, rank);
  llvm::sort(*axes);
  axes->erase(std::unique(axes->begin(), axes->end()), axes->end());
  return *axes;
}

/// ReduceSum whose axes are a run-time value: cim.reduce_sum. Dimensions
/// that may be reduced are dynamic in the result.
void importRuntimeReduceSum(GraphImporter &g, const Node &node, Value x,
                            Value axes) {
  auto axesType = tensorType(axes);
  auto type = tensorType(x);
  int64_t k = axesType.getDimSize(0);
  bool keep = intAttr(node, "keepdims", 1);
  bool noop = intAttr(node, "noop_with_empty_axes", 0);
  SmallVector<int64_t> shape;
  if (keep || (k == 0 && noop))
    for (int64_t d : type.getShape())
      shape.push_back(d == 1 ? 1 : ShapedType::kDynamic);
  else if (k > 0)
    shape.assign(std::max<int64_t>(type.getRank() - k, 0), ShapedType::kDynamic);
  if (!keep && k > type.getRank())
    throw ImportError{std::to_string(k) + " axes for an input of rank " +
                      std::to_string(type.getRank())};
  auto op = g.b().create<ReduceSumOp>(
      g.loc(), RankedTensorType::get(shape, type.getElementType()), x, axes,
      g.b().getI64IntegerAttr(keep), g.b().getI64IntegerAttr(noop));
  bindResult(g, node, op.getResult());
}

template <typename OpTy>
void importReduce(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"axes", "keepdims", "noop_with_empty_axes"});
  Value x = operand(g, node, 0);
  requireNumber(x, "input");
  if (std::is_same_v<OpTy, tosa::ReduceSumOp> && !findAttr(node, "axes"))
    if (Value axes = runtimeVector(g, node, 1, "axes"))
      return importRuntimeReduceSum(g, node, x, axes);
  auto type = tensorType(x);
  bool noop;
  SmallVector<int64_t> axes = reduceAxes(g, node, type.getRank(), noop);
  if (noop) {
    bindResult(g, node, x);
    return;
  }
  Value y = x;
  int64_t count = 1;
  for (int64_t axis : axes) {
    count = ShapedType::isDynamic(type.getDimSize(axis)) || count < 0
                ? -1
                : count * type.getDimSize(axis);
    y = reduce<OpTy>(g, y, axis);
  }
  if (node.op_type() == "ReduceMean") {
    requireF32(x, "input");
    if (count < 0)
      throw ImportError{"ReduceMean over a dynamic dimension is not supported"};
    y = g.mul(y, scalarLike(g, y, 1.0 / double(count)));
  }
  if (!intAttr(node, "keepdims", 1)) {
    SmallVector<int64_t> shape;
    for (auto [i, d] : llvm::enumerate(tensorType(y).getShape()))
      if (!llvm::is_contained(axes, int64_t(i)))
        shape.push_back(d);
    y = g.reshape(y, shape);
  }
  bindResult(g, node, y);
}

void importArgMax(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"axis", "keepdims", "select_last_index"});
  Value x = operand(g, node, 0);
  requireNumber(x, "input");
  auto type = tensorType(x);
  int64_t axis = normalizeAxis(intAttr(node, "axis", 0), type.getRank());
  int64_t dim = type.getDimSize(axis);
  bool last = intAttr(node, "select_last_index", 0);
  if (last) {
    if (ShapedType::isDynamic(dim))
      throw ImportError{"select_last_index over a dynamic axis is not supported"};
    // Reverse the axis (a slice with step -1) and map the index back.
    x = g.b().create<SliceOp>(g.loc(), type, x, g.i64Vector({-1}),
                              g.i64Vector({std::numeric_limits<int64_t>::min()}),
                              g.i64Vector({axis}), g.i64Vector({-1}));
  }
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + axis);
  Value y = g.b().create<tosa::ArgMaxOp>(
      g.loc(), RankedTensorType::get(shape, g.b().getI64Type()), x,
      g.b().getI32IntegerAttr(axis));
  if (last) // index in the reversed input -> index in the input
    y = g.binary<tosa::SubOp>(scalarLike(g, y, double(dim - 1)), y);
  if (intAttr(node, "keepdims", 1)) {
    shape.insert(shape.begin() + axis, 1);
    y = g.reshape(y, shape);
  }
  bindResult(g, node, y);
}

/// Inference-mode BatchNormalization: y = x * a + c per channel (axis 1),
/// a = scale / sqrt(var + eps), c = B - mean * a; folded to two constants
/// when the statistics are constants, as they are in exported models.
void importBatchNorm(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"epsilon", "momentum", "training_mode", "spatial",
                    "is_test", "consumed_inputs"});
  if (intAttr(node, "training_mode", 0))
    throw ImportError{"training_mode=1 is not supported (inference only)"};
  if (!intAttr(node, "spatial", 1))
    throw ImportError{"spatial=0 is not supported"};
  if (node.output_size() > 1 &&
      llvm::any_of(llvm::drop_begin(node.output()),
                   [](const std::string &o) { return !o.empty(); }))
    throw ImportError{"running statistics outputs are not supported "
                      "(inference only)"};
  Value x = operand(g, node, 0);
  requireF32(x, "X");
  int64_t rank = tensorType(x).getRank();
  if (rank < 2)
    throw ImportError{"X must have rank at least 2"};
  float eps = floatAttr(node, "epsilon", 1e-5f);
  SmallVector<int64_t> shape(rank, 1);
  SmallVector<DenseElementsAttr> stats;
  for (int i = 1; i <= 4; ++i)
    stats.push_back(typedConstant(g, node, i, g.b().getF32Type(),
                                  "a statistics input"));
  if (llvm::all_of(stats, [](DenseElementsAttr a) { return a; })) {
    SmallVector<float> scale(stats[0].getValues<float>()),
        bias(stats[1].getValues<float>()), mean(stats[2].getValues<float>()),
        var(stats[3].getValues<float>());
    int64_t channels = scale.size();
    int64_t xChannels = tensorType(x).getDimSize(1);
    for (const SmallVector<float> *v : {&bias, &mean, &var})
      if (int64_t(v->size()) != channels ||
          (!ShapedType::isDynamic(xChannels) && xChannels != channels))
        throw ImportError{"the statistics must each hold X's " +
                          std::to_string(xChannels) +
                          " channels (scale, B, mean, var hold " +
                          std::to_string(channels) + ", " +
                          std::to_string(bias.size()) + ", " +
                          std::to_string(mean.size()) + ", " +
                          std::to_string(var.size()) + ")"};
    SmallVector<float> a(channels), c(channels);
    for (int64_t i = 0; i < channels; ++i) {
      a[i] = scale[i] / std::sqrt(var[i] + eps);
      c[i] = bias[i] - mean[i] * a[i];
    }
    shape[1] = channels;
    auto type = RankedTensorType::get(shape, g.b().getF32Type());
    Value y = g.mul(x, g.constant(DenseElementsAttr::get(type, ArrayRef<float>(a))));
    bindResult(g, node, g.binary<tosa::AddOp>(
                            y, g.constant(DenseElementsAttr::get(
                                   type, ArrayRef<float>(c)))));
    return;
  }
  // Statistics computed at run time: the same formula with tosa ops, each
  // [C] operand reshaped to broadcast along axis 1.
  auto channelwise = [&](int i) {
    Value v = operand(g, node, i);
    requireF32(v, "statistics");
    if (tensorType(v).getRank() != 1)
      throw ImportError{"scale, B, mean and var must be 1-D"};
    shape[1] = tensorType(v).getDimSize(0);
    return g.reshape(v, shape);
  };
  Value scale = channelwise(1), bias = channelwise(2), mean = channelwise(3),
        var = channelwise(4);
  Value invStd = g.binary<tosa::PowOp>(
      g.binary<tosa::AddOp>(var, g.scalar(eps, rank)), g.scalar(-0.5f, rank));
  Value y = g.mul(g.binary<tosa::SubOp>(x, mean), g.mul(scale, invStd));
  bindResult(g, node, g.binary<tosa::AddOp>(y, bias));
}

} // namespace

void cim::onnx_import::addMathHandlers(HandlerTable &t) {
  t["Add"] = importBinary<tosa::AddOp>;
  t["Sub"] = importBinary<tosa::SubOp>;
  t["Mul"] = importBinary<tosa::MulOp>;
  t["Div"] = importDiv;
  t["Neg"] = importSignedUnary<tosa::NegateOp>;
  t["Abs"] = importSignedUnary<tosa::AbsOp>;
  t["Exp"] = importUnary<tosa::ExpOp>;
  t["Relu"] = importRelu;
  t["LeakyRelu"] = importLeakyRelu;
  t["Sigmoid"] = importUnary<tosa::SigmoidOp>;
  t["HardSigmoid"] = importHardSigmoid;
  t["Tanh"] = importUnary<tosa::TanhOp>;
  t["Clip"] = importClip;
  t["Sign"] = importSign;
  t["Greater"] = importCompare;
  t["GreaterOrEqual"] = importCompare;
  t["Less"] = importCompare;
  t["LessOrEqual"] = importCompare;
  t["Equal"] = importCompare;
  t["Not"] = importNot;
  t["And"] = importLogical<tosa::LogicalAndOp>;
  t["Or"] = importLogical<tosa::LogicalOrOp>;
  t["Xor"] = importLogical<tosa::LogicalXorOp>;
  t["Where"] = importWhere;
  t["Cast"] = importCast;
  t["MatMul"] = importMatMul;
  t["Gemm"] = importGemm;
  t["Softmax"] = importSoftmax;
  t["LogSoftmax"] = importSoftmax;
  t["ArgMax"] = importArgMax;
  t["ReduceSum"] = importReduce<tosa::ReduceSumOp>;
  t["ReduceMean"] = importReduce<tosa::ReduceSumOp>;
  t["ReduceMax"] = importReduce<tosa::ReduceMaxOp>;
  t["BatchNormalization"] = importBatchNorm;
}
