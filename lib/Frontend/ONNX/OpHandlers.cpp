//===- OpHandlers.cpp - One import handler per ONNX op ----------*- C++ -*-===//
//
// The op table of the ONNX importer. Each handler turns one ONNX node into
// tosa, arith or cim ops and binds the node's outputs. Handlers check the
// attributes they support and throw ImportError for anything else, so an
// out-of-scope model fails with a message instead of importing wrongly.
//
//===----------------------------------------------------------------------===//

#include "GraphImporter.h"

#include "cim/Dialect/CIM/CIMOps.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "llvm/ADT/STLExtras.h"

#include <limits>
#include <type_traits>

using namespace mlir;
using namespace cim;
using namespace cim::onnx_import;

namespace {

using Node = onnx::NodeProto;
using Handler = void (*)(GraphImporter &, const Node &);

//===----------------------------------------------------------------------===//
// Attribute and operand helpers
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *findAttr(const Node &node, const char *name) {
  for (const auto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

int64_t intAttr(const Node &node, const char *name, int64_t fallback) {
  const auto *attr = findAttr(node, name);
  return attr ? attr->i() : fallback;
}

float floatAttr(const Node &node, const char *name, float fallback) {
  const auto *attr = findAttr(node, name);
  return attr ? attr->f() : fallback;
}

/// Rejects attributes a handler does not implement, so they are never
/// silently ignored.
void allowAttrs(const Node &node, std::initializer_list<const char *> known) {
  for (const auto &attr : node.attribute())
    if (llvm::none_of(known, [&](const char *k) { return attr.name() == k; }))
      throw ImportError{"attribute '" + attr.name() + "' is not supported"};
}

Value operand(GraphImporter &g, const Node &node, int i) {
  if (i >= node.input_size() || node.input(i).empty())
    throw ImportError{"missing operand " + std::to_string(i)};
  return g.lookup(node.input(i));
}

bool hasOperand(const Node &node, int i) {
  return i < node.input_size() && !node.input(i).empty();
}

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

void requireF32(Value v, const char *what) {
  if (!tensorType(v).getElementType().isF32())
    throw ImportError{std::string(what) + " must be a float tensor"};
}

void bindResult(GraphImporter &g, const Node &node, Value v) {
  g.define(node.output(0), v);
}

int64_t normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    throw ImportError{"axis " + std::to_string(axis) + " is out of range for rank " +
                      std::to_string(rank)};
  return axis < 0 ? axis + rank : axis;
}

/// Product of `dims`, dynamic if any is dynamic.
int64_t product(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims) {
    if (ShapedType::isDynamic(d))
      return ShapedType::kDynamic;
    p *= d;
  }
  return p;
}

//===----------------------------------------------------------------------===//
// Handlers
//===----------------------------------------------------------------------===//

void importIdentity(GraphImporter &g, const Node &node) {
  allowAttrs(node, {});
  g.define(node.output(0), operand(g, node, 0), g.lookupConstant(node.input(0)));
}

void importConstant(GraphImporter &g, const Node &node) {
  if (node.attribute_size() != 1)
    throw ImportError{"expected exactly one value attribute"};
  const auto &attr = node.attribute(0);
  Builder &b = g.b();
  DenseElementsAttr value;
  if (attr.name() == "value") {
    value = convertTensor(attr.t(), b.getContext());
  } else if (attr.name() == "value_float") {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                   attr.f());
  } else if (attr.name() == "value_floats") {
    SmallVector<float> v(attr.floats().begin(), attr.floats().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)v.size()}, b.getF32Type()), ArrayRef<float>(v));
  } else if (attr.name() == "value_int") {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                                   static_cast<int64_t>(attr.i()));
  } else if (attr.name() == "value_ints") {
    SmallVector<int64_t> v(attr.ints().begin(), attr.ints().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)v.size()}, b.getI64Type()), ArrayRef<int64_t>(v));
  } else {
    throw ImportError{"attribute '" + attr.name() + "' is not supported"};
  }
  g.define(node.output(0), g.constant(value), value);
}

template <typename OpTy>
void importUnary(GraphImporter &g, const Node &node) {
  allowAttrs(node, {});
  Value x = operand(g, node, 0);
  requireF32(x, "input");
  bindResult(g, node, g.b().create<OpTy>(g.loc(), x.getType(), x));
}

void importRelu(GraphImporter &g, const Node &node) {
  allowAttrs(node, {});
  Value x = operand(g, node, 0);
  requireF32(x, "input");
  Builder &b = g.b();
  bindResult(g, node,
             g.b().create<tosa::ClampOp>(
                 g.loc(), x.getType(), x, b.getI64IntegerAttr(0),
                 b.getI64IntegerAttr(std::numeric_limits<int64_t>::max()),
                 b.getF32FloatAttr(0.0f),
                 b.getF32FloatAttr(std::numeric_limits<float>::max())));
}

/// Add, Sub, Mul: tosa elementwise ops with numpy broadcasting.
template <typename OpTy>
void importBinary(GraphImporter &g, const Node &node) {
  allowAttrs(node, {});
  Value a = operand(g, node, 0), b = operand(g, node, 1);
  requireF32(a, "A");
  requireF32(b, "B");
  if constexpr (std::is_same_v<OpTy, tosa::MulOp>)
    bindResult(g, node, g.binary<OpTy>(a, b, g.b().getI8IntegerAttr(0)));
  else
    bindResult(g, node, g.binary<OpTy>(a, b));
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
  bindResult(g, node, g.b().create<MatMulOp>(g.loc(), type, a, b));
}

/// Gemm: Y = alpha * op(A) * op(B) + beta * C. Transposes and scales of
/// constant operands are folded here, so a weight reaches the arrays as the
/// single matrix it really is.
void importGemm(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"alpha", "beta", "transA", "transB"});
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
    b = g.constant(bConst.mapValues(g.b().getF32Type(), [&](const APFloat &v) {
      return APFloat(v.convertToFloat() * alpha).bitcastToAPInt();
    }));
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
  Value y = g.b().create<MatMulOp>(g.loc(), type, a, b);
  if (alphaPending)
    y = g.binary<tosa::MulOp>(y, g.scalar(alpha, 2), g.b().getI8IntegerAttr(0));

  if (hasOperand(node, 2) && beta != 0.0f) {
    Value c = operand(g, node, 2);
    requireF32(c, "C");
    if (tensorType(c).getRank() > 2)
      throw ImportError{"C must have rank at most 2"};
    DenseElementsAttr cConst;
    if (beta != 1.0f) {
      if (matchPattern(c, m_Constant(&cConst)))
        c = g.constant(cConst.mapValues(g.b().getF32Type(), [&](const APFloat &v) {
          return APFloat(v.convertToFloat() * beta).bitcastToAPInt();
        }));
      else
        c = g.binary<tosa::MulOp>(c, g.scalar(beta, tensorType(c).getRank()),
                                  g.b().getI8IntegerAttr(0));
    }
    y = g.binary<tosa::AddOp>(y, c);
  }
  bindResult(g, node, y);
}

void importFlatten(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"axis"});
  Value x = operand(g, node, 0);
  auto shape = tensorType(x).getShape();
  int64_t rank = shape.size();
  int64_t axis = intAttr(node, "axis", 1);
  if (axis < -rank || axis > rank)
    throw ImportError{"axis " + std::to_string(axis) + " is out of range"};
  if (axis < 0)
    axis += rank;
  bindResult(g, node,
             g.reshape(x, {product(shape.take_front(axis)),
                           product(shape.drop_front(axis))}));
}

void importReshape(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"allowzero"});
  bool allowZero = intAttr(node, "allowzero", 0);
  Value x = operand(g, node, 0);
  DenseElementsAttr shapeAttr = g.lookupConstant(node.input(1));
  if (!shapeAttr)
    throw ImportError{"the shape operand must be a compile-time constant"};
  auto in = tensorType(x).getShape();
  SmallVector<int64_t> out;
  int64_t inferred = -1;
  for (auto [i, v] : llvm::enumerate(shapeAttr.getValues<int64_t>())) {
    if (v == 0 && !allowZero) {
      if (i >= in.size())
        throw ImportError{"shape entry 0 copies a dimension the input lacks"};
      out.push_back(in[i]);
    } else if (v == -1) {
      if (inferred >= 0)
        throw ImportError{"shape has more than one -1"};
      inferred = i;
      out.push_back(ShapedType::kDynamic);
    } else if (v < 0) {
      throw ImportError{"shape entry " + std::to_string(v) + " is invalid"};
    } else {
      out.push_back(v);
    }
  }
  int64_t total = product(in);
  if (inferred >= 0 && !ShapedType::isDynamic(total)) {
    int64_t rest = 1;
    for (auto [i, d] : llvm::enumerate(out))
      if (static_cast<int64_t>(i) != inferred)
        rest *= d;
    if (rest == 0 || total % rest)
      throw ImportError{"cannot reshape " + std::to_string(total) +
                        " elements into the requested shape"};
    out[inferred] = total / rest;
  }
  bindResult(g, node, g.reshape(x, out));
}

/// Softmax along one axis: exp(x - max) / sum(exp(x - max)).
Value softmaxAlong(GraphImporter &g, Value x, int64_t axis) {
  auto type = tensorType(x);
  SmallVector<int64_t> reducedShape(type.getShape());
  reducedShape[axis] = 1;
  auto reducedType = RankedTensorType::get(reducedShape, type.getElementType());
  auto axisAttr = g.b().getI32IntegerAttr(axis);
  OpBuilder &b = g.b();
  Value max = b.create<tosa::ReduceMaxOp>(g.loc(), reducedType, x, axisAttr);
  Value shifted = b.create<tosa::SubOp>(g.loc(), type, x, max);
  Value exp = b.create<tosa::ExpOp>(g.loc(), type, shifted);
  Value sum = b.create<tosa::ReduceSumOp>(g.loc(), reducedType, exp, axisAttr);
  Value inv = b.create<tosa::ReciprocalOp>(g.loc(), reducedType, sum);
  return b.create<tosa::MulOp>(g.loc(), type, exp, inv, b.getI8IntegerAttr(0));
}

/// Softmax: per axis from opset 13; before that the input is flattened to
/// 2-D at `axis` and normalised over the second dimension.
void importSoftmax(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"axis"});
  Value x = operand(g, node, 0);
  requireF32(x, "input");
  auto type = tensorType(x);
  int64_t rank = type.getRank();
  if (g.getOpset() >= 13) {
    int64_t axis = normalizeAxis(intAttr(node, "axis", -1), rank);
    bindResult(g, node, softmaxAlong(g, x, axis));
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
  bindResult(g, node, g.reshape(softmaxAlong(g, flat, 1), shape));
}

const llvm::StringMap<Handler> &handlers() {
  static const llvm::StringMap<Handler> table = {
      {"Add", importBinary<tosa::AddOp>},
      {"Constant", importConstant},
      {"Flatten", importFlatten},
      {"Gemm", importGemm},
      {"Identity", importIdentity},
      {"MatMul", importMatMul},
      {"Mul", importBinary<tosa::MulOp>},
      {"Relu", importRelu},
      {"Reshape", importReshape},
      {"Sigmoid", importUnary<tosa::SigmoidOp>},
      {"Softmax", importSoftmax},
      {"Sub", importBinary<tosa::SubOp>},
      {"Tanh", importUnary<tosa::TanhOp>},
  };
  return table;
}

} // namespace

bool cim::onnx_import::importNode(GraphImporter &importer, const Node &node) {
  auto it = handlers().find(node.op_type());
  if (it == handlers().end())
    return false;
  if (node.output_size() < 1)
    throw ImportError{"node has no outputs"};
  it->second(importer, node);
  return true;
}

std::vector<std::string> cim::onnx_import::supportedOpTypes() {
  std::vector<std::string> names;
  for (const auto &entry : handlers())
    names.push_back(entry.getKey().str());
  llvm::sort(names);
  return names;
}
