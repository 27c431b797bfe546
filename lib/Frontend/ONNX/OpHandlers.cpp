//===- OpHandlers.cpp - The ONNX importer's op table ------------*- C++ -*-===//
//
// Assembles the op table from the handler families and implements the
// attribute and operand helpers they share. Handlers check the attributes
// they support and throw ImportError for anything else, so an out-of-scope
// model fails with a message instead of importing wrongly.
//
//===----------------------------------------------------------------------===//

#include "Handlers.h"

#include "llvm/ADT/StringSet.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace cim::onnx_import;

const onnx::AttributeProto *cim::onnx_import::findAttr(const Node &node,
                                                       const char *name) {
  for (const auto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

int64_t cim::onnx_import::intAttr(const Node &node, const char *name,
                                  int64_t fallback) {
  const auto *attr = findAttr(node, name);
  return attr ? attr->i() : fallback;
}

float cim::onnx_import::floatAttr(const Node &node, const char *name,
                                  float fallback) {
  const auto *attr = findAttr(node, name);
  return attr ? attr->f() : fallback;
}

std::string cim::onnx_import::stringAttr(const Node &node, const char *name,
                                         const std::string &fallback) {
  const auto *attr = findAttr(node, name);
  return attr ? attr->s() : fallback;
}

std::optional<SmallVector<int64_t>>
cim::onnx_import::intsAttr(const Node &node, const char *name) {
  const auto *attr = findAttr(node, name);
  if (!attr)
    return std::nullopt;
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

void cim::onnx_import::allowAttrs(const Node &node,
                                  std::initializer_list<const char *> known) {
  for (const auto &attr : node.attribute())
    if (llvm::none_of(known, [&](const char *k) { return attr.name() == k; }))
      throw ImportError{"attribute '" + attr.name() + "' is not supported"};
}

Value cim::onnx_import::operand(GraphImporter &g, const Node &node, int i) {
  if (!hasOperand(node, i))
    throw ImportError{"missing operand " + std::to_string(i)};
  return g.lookup(node.input(i));
}

bool cim::onnx_import::hasOperand(const Node &node, int i) {
  return i < node.input_size() && !node.input(i).empty();
}

DenseElementsAttr cim::onnx_import::typedConstant(GraphImporter &g,
                                                 const Node &node, int i,
                                                 Type element, const char *what,
                                                 bool scalar) {
  if (!hasOperand(node, i))
    return {};
  DenseElementsAttr attr = g.lookupConstant(node.input(i));
  if (!attr)
    return {};
  if (attr.getElementType() != element)
    throw ImportError{std::string(what) + " '" + node.input(i) + "' is " +
                      elementTypeName(attr.getElementType()) + ", not " +
                      elementTypeName(element)};
  if (scalar && attr.getNumElements() != 1)
    throw ImportError{std::string(what) + " '" + node.input(i) + "' holds " +
                      std::to_string(attr.getNumElements()) +
                      " elements, not one"};
  return attr;
}

SmallVector<int64_t> cim::onnx_import::constantInts(GraphImporter &g,
                                                    const Node &node, int i,
                                                    const char *what) {
  DenseElementsAttr attr = g.lookupConstant(node.input(i));
  if (!attr || !isa<IntegerType>(attr.getElementType()))
    throw ImportError{std::string(what) +
                      " must be a compile-time constant integer tensor"};
  return SmallVector<int64_t>(attr.getValues<int64_t>());
}

Value cim::onnx_import::runtimeVector(GraphImporter &g, const Node &node,
                                      int i, const char *what) {
  if (!hasOperand(node, i) || g.lookupConstant(node.input(i)))
    return {};
  Value v = operand(g, node, i);
  auto type = tensorType(v);
  if (!type.getElementType().isInteger(64) || type.getRank() != 1 ||
      type.isDynamicDim(0))
    throw ImportError{std::string(what) + " given at run time must be a 1-D "
                      "int64 tensor of static length"};
  return v;
}

RankedTensorType cim::onnx_import::tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

Type cim::onnx_import::elementType(Value v) {
  return tensorType(v).getElementType();
}

void cim::onnx_import::requireF32(Value v, const char *what) {
  if (!elementType(v).isF32())
    throw ImportError{std::string(what) + " must be a float tensor"};
}

void cim::onnx_import::bindResult(GraphImporter &g, const Node &node, Value v,
                                  int i) {
  // A result the compiler could never hold (a constant-of-shape of
  // terabytes, a broadcast to an absurd shape) is refused here, before any
  // later step materialises it.
  if (auto type = dyn_cast<RankedTensorType>(v.getType()); type && type.hasStaticShape())
    checkElementCount(type.getShape(), "result");
  if (i < node.output_size() && !node.output(i).empty())
    g.define(node.output(i), v);
}

int64_t cim::onnx_import::checkElementCount(ArrayRef<int64_t> dims,
                                            const std::string &what) {
  int64_t count = 1;
  for (int64_t d : dims) {
    if (d < 0)
      throw ImportError{what + " has dimension " + std::to_string(d) +
                        " (dimensions are at least 0)"};
    if (d != 0 && count > kMaxTensorElements / d)
      count = kMaxTensorElements + 1;
    else
      count *= d;
  }
  if (count > kMaxTensorElements)
    throw ImportError{what + " of shape " + shapeString(dims) +
                      " has more than the " + std::to_string(kMaxTensorElements) +
                      " elements (2^28) the compiler handles in one tensor"};
  return count;
}

std::string cim::onnx_import::shapeString(ArrayRef<int64_t> dims) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(dims))
    s += (i ? ", " : "") + std::to_string(d);
  return s + "]";
}

int64_t cim::onnx_import::normalizeAxis(int64_t axis, int64_t rank) {
  // A scalar has no axis: rank 0 refuses every one.
  if (axis < -rank || axis >= rank)
    throw ImportError{"axis " + std::to_string(axis) +
                      " is out of range for rank " + std::to_string(rank)};
  return axis < 0 ? axis + rank : axis;
}

int64_t cim::onnx_import::product(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims) {
    if (ShapedType::isDynamic(d))
      return ShapedType::kDynamic;
    if (__builtin_mul_overflow(p, d, &p))
      throw ImportError{"the dimensions " + shapeString(dims) +
                        " hold more elements than 64 bits count"};
  }
  return p;
}

static const HandlerTable &handlers() {
  static const HandlerTable table = [] {
    HandlerTable t;
    addMathHandlers(t);
    addShapeHandlers(t);
    addRecurrentHandlers(t);
    addControlFlowHandlers(t);
    addConvHandlers(t);
    addQuantHandlers(t);
    return t;
  }();
  return table;
}

/// INT8 and UINT8 tensors are widened to i64, which is exact for the ops
/// that move, compare or select their elements and for the quantisation
/// ops; arithmetic on them would not wrap as the narrow type does, so it is
/// refused rather than computed in another type.
static void checkNarrowIntegers(const GraphImporter &g, const Node &node) {
  static const llvm::StringSet<> exact = {
      "ArgMax",       "Cast",          "Clip",          "Concat",
      "Constant",     "ConstantOfShape", "ConvInteger", "DequantizeLinear",
      "DynamicQuantizeLinear", "Equal", "Expand",        "Flatten",
      "Gather",       "Greater",       "GreaterOrEqual",
      "Identity",     "If",            "Less",          "LessOrEqual",
      "Loop",         "MatMulInteger", "MaxPool",       "QLinearConv",
      "QLinearMatMul", "QuantizeLinear", "ReduceMax",   "Relu",
      "Reshape",      "Scan",          "Shape",         "Sign",
      "Slice",        "Split",         "Squeeze",       "Transpose",
      "Unsqueeze",    "Where"};
  if (exact.contains(node.op_type()))
    return;
  auto check = [&](const std::string &name, const char *role) {
    int32_t type = g.onnxElementType(name);
    if (type == onnx::TensorProto::INT8 || type == onnx::TensorProto::UINT8)
      throw ImportError{std::string(role) + " '" + name + "' is " +
                        (type == onnx::TensorProto::INT8 ? "int8" : "uint8") +
                        ": " + node.op_type() +
                        " on 8-bit integers is not supported (8-bit tensors "
                        "are for the quantisation ops, data movement and "
                        "comparisons)"};
  };
  for (const auto &name : node.input())
    if (!name.empty())
      check(name, "input");
  for (const auto &name : node.output())
    if (!name.empty())
      check(name, "output");
}

bool cim::onnx_import::importNode(GraphImporter &importer, const Node &node) {
  auto it = handlers().find(node.op_type());
  if (it == handlers().end())
    return false;
  if (node.output_size() < 1)
    throw ImportError{"node has no outputs"};
  checkNarrowIntegers(importer, node);
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
