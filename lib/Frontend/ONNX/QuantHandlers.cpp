//===- QuantHandlers.cpp - Quantised ONNX ops --------------------*- C++ -*-===//
//
// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger,
// ConvInteger, QLinearMatMul and QLinearConv. 8-bit tensors are widened to i64 (their
// ONNX type sets the saturation range); the integer products become float32
// products of the zero-point-shifted levels, which are exact integers while
// every partial sum stays below 2^24, so that a constant weight is an array
// product like any other (through MatMul's and Conv's own handlers).
// QLinear* requantise with the combined scale and cim.quantize_linear.
//
//===----------------------------------------------------------------------===//

#include "Handlers.h"

#include "cim/Dialect/CIM/CIMOps.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace cim;
using namespace cim::onnx_import;

namespace {

/// The saturation range of an 8-bit ONNX type.
std::pair<int64_t, int64_t> range8(int32_t type, const std::string &what) {
  if (type == onnx::TensorProto::UINT8)
    return {0, 255};
  if (type == onnx::TensorProto::INT8)
    return {-128, 127};
  throw ImportError{what + " must be int8 or uint8, not " +
                    onnx::TensorProto_DataType_Name(
                        static_cast<onnx::TensorProto_DataType>(type))};
}

/// A scale or zero point as a 1-D tensor: a scalar or [1] becomes [1], a
/// 1-D tensor stays. `what` names it.
Value asVector(GraphImporter &g, Value v, const char *what) {
  auto type = tensorType(v);
  if (type.getRank() == 0 || (type.getRank() == 1 && type.getDimSize(0) == 1))
    return g.reshape(v, {1});
  if (type.getRank() != 1)
    throw ImportError{std::string(what) + " must be a scalar or 1-D, not rank " +
                      std::to_string(type.getRank())};
  return v;
}

Value toF32(GraphImporter &g, Value v) {
  if (elementType(v).isF32())
    return v;
  auto type = RankedTensorType::get(tensorType(v).getShape(), g.b().getF32Type());
  return g.b().createOrFold<CastOp>(g.loc(), type, v);
}

Value toI64(GraphImporter &g, Value v) {
  auto type = RankedTensorType::get(tensorType(v).getShape(), g.b().getI64Type());
  return g.b().createOrFold<CastOp>(g.loc(), type, v);
}

/// The axis a scale of `length` entries lies along in `x` (0 for a
/// per-tensor scale), checked against x's extent there.
int64_t scaleAxis(const Node &node, Value x, int64_t length) {
  if (length == 1)
    return 0;
  auto type = tensorType(x);
  int64_t axis = normalizeAxis(intAttr(node, "axis", 1), type.getRank());
  int64_t extent = type.getDimSize(axis);
  if (!ShapedType::isDynamic(extent) && !ShapedType::isDynamic(length) &&
      extent != length)
    throw ImportError{"a per-axis scale of " + std::to_string(length) +
                      " entries does not match the input's extent " +
                      std::to_string(extent) + " along axis " +
                      std::to_string(axis)};
  return axis;
}

/// A 1-D [L] tensor shaped to broadcast along `axis` of a rank-`rank`
/// tensor ([1] stays a broadcast scalar).
Value alongAxis(GraphImporter &g, Value v, int64_t axis, int64_t rank) {
  int64_t length = tensorType(v).getDimSize(0);
  SmallVector<int64_t> shape(rank, 1);
  if (length != 1)
    shape[axis] = length;
  return g.reshape(v, shape);
}

/// The element type input `i` is declared with, for the checks of 8-bit
/// ranges.
int32_t declaredType(GraphImporter &g, const Node &node, int i) {
  return g.onnxElementType(node.input(i));
}

/// `x` as float32 levels minus its zero point (input `zpIndex`, optional),
/// the zero point laid along `axis` (or a scalar).
Value shifted(GraphImporter &g, const Node &node, int xIndex, int zpIndex,
              int64_t axis, const char *what) {
  Value x = operand(g, node, xIndex);
  if (!isa<IntegerType>(elementType(x)))
    throw ImportError{std::string(what) + " must be an integer tensor"};
  Value xf = toF32(g, x);
  if (!hasOperand(node, zpIndex))
    return xf;
  Value zp = asVector(g, operand(g, node, zpIndex),
                      (std::string(what) + "'s zero point").c_str());
  if (!isa<IntegerType>(elementType(zp)))
    throw ImportError{std::string(what) + "'s zero point must be an integer "
                                          "tensor"};
  int64_t rank = tensorType(x).getRank();
  return g.binary<tosa::SubOp>(xf, alongAxis(g, toF32(g, zp), axis, rank));
}

void importQuantizeLinear(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"axis", "saturate", "block_size", "output_dtype"});
  if (intAttr(node, "block_size", 0) != 0)
    throw ImportError{"blocked quantisation (block_size) is not supported"};
  Value x = operand(g, node, 0);
  requireF32(x, "x");
  Value scale = asVector(g, operand(g, node, 1), "y_scale");
  requireF32(scale, "y_scale");
  int32_t type = onnx::TensorProto::UINT8;
  if (hasOperand(node, 2))
    type = declaredType(g, node, 2);
  else if (findAttr(node, "output_dtype"))
    type = int32_t(intAttr(node, "output_dtype", 0));
  auto [lo, hi] = range8(type, "the output type");
  int64_t length = tensorType(scale).getDimSize(0);
  Value zp = hasOperand(node, 2)
                 ? asVector(g, operand(g, node, 2), "y_zero_point")
                 : g.constant(DenseElementsAttr::get(
                       RankedTensorType::get({length}, g.b().getI64Type()),
                       int64_t(0)));
  if (tensorType(zp).getDimSize(0) != length)
    throw ImportError{"y_zero_point has " +
                      std::to_string(tensorType(zp).getDimSize(0)) +
                      " entries but y_scale " + std::to_string(length)};
  int64_t axis = scaleAxis(node, x, length);
  auto result = RankedTensorType::get(tensorType(x).getShape(),
                                      g.b().getI64Type());
  bindResult(g, node,
             g.b().createOrFold<QuantizeLinearOp>(
                 g.loc(), result, x, scale, zp, g.b().getI64IntegerAttr(axis),
                 g.b().getI64IntegerAttr(lo), g.b().getI64IntegerAttr(hi)));
}

/// DynamicQuantizeLinear: uint8 levels, scale and zero point from the
/// input's own range (cim.dynamic_quantize_linear).
void importDynamicQuantizeLinear(GraphImporter &g, const Node &node) {
  allowAttrs(node, {});
  Value x = operand(g, node, 0);
  requireF32(x, "x");
  Builder &b = g.b();
  auto levels = RankedTensorType::get(tensorType(x).getShape(), b.getI64Type());
  auto op = g.b().create<DynamicQuantizeLinearOp>(
      g.loc(), levels, RankedTensorType::get({}, b.getF32Type()),
      RankedTensorType::get({}, b.getI64Type()), x);
  for (int i = 0; i < node.output_size(); ++i)
    bindResult(g, node, op->getResult(i), i);
}

void importDequantizeLinear(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"axis", "block_size"});
  if (intAttr(node, "block_size", 0) != 0)
    throw ImportError{"blocked quantisation (block_size) is not supported"};
  Value x = operand(g, node, 0);
  int64_t rank = tensorType(x).getRank();
  Value scale = asVector(g, operand(g, node, 1), "x_scale");
  requireF32(scale, "x_scale");
  int64_t length = tensorType(scale).getDimSize(0);
  int64_t axis = scaleAxis(node, x, length);
  // A constant (a weight) folds here, so that it reaches the arrays as a
  // constant: (x - zero_point) * scale in float32, per entry of `axis`.
  DenseElementsAttr xc = g.lookupConstant(node.input(0));
  DenseElementsAttr sc = typedConstant(g, node, 1, g.b().getF32Type(), "x_scale");
  DenseElementsAttr zc = hasOperand(node, 2) ? g.lookupConstant(node.input(2))
                                             : DenseElementsAttr();
  auto xType = tensorType(x);
  if (xc && sc && (zc || !hasOperand(node, 2)) && xType.hasStaticShape() &&
      isa<IntegerType>(xc.getElementType()) &&
      (!zc || (isa<IntegerType>(zc.getElementType()) &&
               zc.getNumElements() == length))) {
    SmallVector<int64_t> levels(xc.getValues<int64_t>());
    SmallVector<float> scales(sc.getValues<float>());
    SmallVector<int64_t> zeros =
        zc ? SmallVector<int64_t>(zc.getValues<int64_t>())
           : SmallVector<int64_t>(length, 0);
    // Without levels the dimensions beside a 0 may multiply past int64.
    int64_t inner = 1;
    if (length != 1 && !levels.empty())
      for (int64_t d : xType.getShape().drop_front(axis + 1))
        inner *= d;
    SmallVector<float> out(levels.size());
    for (size_t i = 0; i < levels.size(); ++i) {
      int64_t c = length != 1 ? (int64_t(i) / inner) % length : 0;
      out[i] = (float(levels[i]) - float(zeros[c])) * scales[c];
    }
    bindResult(g, node,
               g.constant(DenseElementsAttr::get(
                   RankedTensorType::get(xType.getShape(), g.b().getF32Type()),
                   ArrayRef<float>(out))));
    return;
  }
  // (x - zero_point) * scale, in float32 as ONNX's reference computes it.
  Value y = shifted(g, node, 0, 2, axis, "x");
  bindResult(g, node, g.mul(y, alongAxis(g, scale, axis, rank)));
}

/// Imports `op` (MatMul or Conv) over values already defined, as a node of
/// the same name and attributes, and returns its result.
Value importFloatNode(GraphImporter &g, const Node &node, const char *op,
                      ArrayRef<Value> inputs) {
  Node inner;
  inner.set_op_type(op);
  inner.set_name(node.name());
  for (auto [i, v] : llvm::enumerate(inputs)) {
    std::string name = node.output(0) + "#" + op + "." + std::to_string(i);
    g.define(name, v);
    inner.add_input(name);
  }
  for (const auto &attr : node.attribute())
    *inner.add_attribute() = attr;
  inner.add_output(node.output(0) + "#" + op);
  importNode(g, inner);
  return g.lookup(inner.output(0));
}

/// The float32 product of inputs `ai` and `bi` shifted by their zero
/// points (inputs `aZp`, `bZp`): a's per row (its second-to-last axis), b's
/// per column (its last axis).
Value shiftedMatMul(GraphImporter &g, const Node &node, int ai, int aZp, int bi,
                    int bZp) {
  allowAttrs(node, {});
  int64_t aRank = tensorType(operand(g, node, ai)).getRank();
  int64_t bRank = tensorType(operand(g, node, bi)).getRank();
  Value a = shifted(g, node, ai, aZp, std::max<int64_t>(aRank - 2, 0), "A");
  Value b = shifted(g, node, bi, bZp, bRank - 1, "B");
  return importFloatNode(g, node, "MatMul", {a, b});
}

void importMatMulInteger(GraphImporter &g, const Node &node) {
  bindResult(g, node, toI64(g, shiftedMatMul(g, node, 0, 2, 1, 3)));
}

void importConvInteger(GraphImporter &g, const Node &node) {
  // The zero point of w is per output channel (axis 0).
  Value x = shifted(g, node, 0, 2, 1, "x");
  Value w = shifted(g, node, 1, 3, 0, "w");
  bindResult(g, node, toI64(g, importFloatNode(g, node, "Conv", {x, w})));
}

/// rint(product * scale) + y_zero_point, saturated: the requantisation of
/// QLinearMatMul and QLinearConv. `scale` broadcasts against `product`.
void requantize(GraphImporter &g, const Node &node, Value product, Value scale,
                int zpIndex) {
  Value zp = asVector(g, operand(g, node, zpIndex), "y_zero_point");
  auto [lo, hi] = range8(declaredType(g, node, zpIndex), "y_zero_point");
  Value one = g.constant(DenseElementsAttr::get(
      RankedTensorType::get({1}, g.b().getF32Type()), 1.0f));
  Value y = g.mul(product, scale);
  auto result = RankedTensorType::get(tensorType(y).getShape(),
                                      g.b().getI64Type());
  bindResult(g, node,
             g.b().createOrFold<QuantizeLinearOp>(
                 g.loc(), result, y, one, zp, g.b().getI64IntegerAttr(0),
                 g.b().getI64IntegerAttr(lo), g.b().getI64IntegerAttr(hi)));
}

/// a_scale * b_scale / y_scale in float32, laid along `axis` of a rank
/// `rank` result (each scale a scalar or, for b, per `axis` entry).
Value combinedScale(GraphImporter &g, const Node &node, int aIndex, int bIndex,
                    int yIndex, int64_t axis, int64_t rank) {
  Value as = asVector(g, operand(g, node, aIndex), "the input's scale");
  Value bs = asVector(g, operand(g, node, bIndex), "the weight's scale");
  Value ys = asVector(g, operand(g, node, yIndex), "y_scale");
  for (Value v : {as, bs, ys})
    requireF32(v, "a scale");
  if (tensorType(as).getDimSize(0) != 1 || tensorType(ys).getDimSize(0) != 1)
    throw ImportError{"the input's and the output's scales must be scalars"};
  // Constant scales (the usual case) divide as ONNX's reference does; run-
  // time ones multiply by the reciprocal.
  DenseElementsAttr ac, bc, yc;
  Value m;
  if (matchPattern(as, m_Constant(&ac)) && matchPattern(bs, m_Constant(&bc)) &&
      matchPattern(ys, m_Constant(&yc))) {
    float a = *ac.getValues<float>().begin(), y = *yc.getValues<float>().begin();
    SmallVector<float> out;
    for (float b : bc.getValues<float>())
      out.push_back(a * b / y);
    m = g.constant(DenseElementsAttr::get(
        RankedTensorType::get({int64_t(out.size())}, g.b().getF32Type()),
        ArrayRef<float>(out)));
  } else {
    m = g.mul(g.mul(as, bs), g.b().createOrFold<tosa::ReciprocalOp>(
                                 g.loc(), ys.getType(), ys));
  }
  return alongAxis(g, m, axis, rank);
}

void importQLinearMatMul(GraphImporter &g, const Node &node) {
  Value product = shiftedMatMul(g, node, 0, 2, 3, 5);
  int64_t rank = tensorType(product).getRank();
  requantize(g, node, product,
             combinedScale(g, node, 1, 4, 6, rank - 1, rank), 7);
}

void importQLinearConv(GraphImporter &g, const Node &node) {
  Value x = shifted(g, node, 0, 2, 1, "x");
  Value w = shifted(g, node, 3, 5, 0, "w");
  SmallVector<Value> inputs = {x, w};
  if (hasOperand(node, 8))
    inputs.push_back(toF32(g, operand(g, node, 8)));
  Value product = importFloatNode(g, node, "Conv", inputs);
  int64_t rank = tensorType(product).getRank();
  requantize(g, node, product, combinedScale(g, node, 1, 4, 6, 1, rank), 7);
}

} // namespace

void cim::onnx_import::addQuantHandlers(HandlerTable &t) {
  t["QuantizeLinear"] = importQuantizeLinear;
  t["DequantizeLinear"] = importDequantizeLinear;
  t["DynamicQuantizeLinear"] = importDynamicQuantizeLinear;
  t["MatMulInteger"] = importMatMulInteger;
  t["ConvInteger"] = importConvInteger;
  t["QLinearMatMul"] = importQLinearMatMul;
  t["QLinearConv"] = importQLinearConv;
}
