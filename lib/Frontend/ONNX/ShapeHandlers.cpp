//===- ShapeHandlers.cpp - Import of ONNX data-movement ops -----*- C++ -*-===//
//
// Handlers for constants, reshapes, transposes, concatenation, splitting,
// slicing, gathering and the shape computations that exporters emit (Shape,
// Gather, Unsqueeze, Concat, ConstantOfShape, Expand). Static shapes become
// tosa ops; shapes known only at run time use the cim ops with ONNX
// semantics. Ops whose operands are constants fold as they are created.
//
//===----------------------------------------------------------------------===//

#include "Handlers.h"

#include "cim/Dialect/CIM/CIMOps.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

#include <limits>

using namespace mlir;
using namespace cim;
using namespace cim::onnx_import;

Value cim::onnx_import::sliceStatic(GraphImporter &g, Value x, ArrayRef<int64_t> starts,
                  ArrayRef<int64_t> ends, ArrayRef<int64_t> axes,
                  ArrayRef<int64_t> steps) {
  auto type = tensorType(x);
  SmallVector<int64_t> shape(type.getShape());
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t axis = axes[i], dim = shape[axis];
    if (steps[i] == 0)
      throw ImportError{"slice step must not be 0"};
    if (ShapedType::isDynamic(dim))
      continue;
    // ONNX Slice: clamp start/end into range for the step's direction.
    auto clampIndex = [&](int64_t v, bool isEnd) {
      if (v < 0)
        v += dim;
      if (steps[i] > 0)
        return std::clamp<int64_t>(v, 0, dim);
      return std::clamp<int64_t>(v, -1, dim - 1);
    };
    int64_t s = clampIndex(starts[i], false), e = clampIndex(ends[i], true);
    int64_t n = steps[i] > 0 ? (e - s + steps[i] - 1) / steps[i]
                             : (s - e - steps[i] - 1) / -steps[i];
    shape[axis] = std::max<int64_t>(n, 0);
  }
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return g.b().create<SliceOp>(g.loc(), resultType, x, g.i64Vector(starts),
                               g.i64Vector(ends), g.i64Vector(axes),
                               g.i64Vector(steps));
}

namespace {

void importIdentity(GraphImporter &g, const Node &node) {
  allowAttrs(node, {});
  bindResult(g, node, operand(g, node, 0));
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
        RankedTensorType::get({(int64_t)v.size()}, b.getF32Type()),
        ArrayRef<float>(v));
  } else if (attr.name() == "value_int") {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()),
                                   static_cast<int64_t>(attr.i()));
  } else if (attr.name() == "value_ints") {
    SmallVector<int64_t> v(attr.ints().begin(), attr.ints().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)v.size()}, b.getI64Type()),
        ArrayRef<int64_t>(v));
  } else {
    throw ImportError{"attribute '" + attr.name() + "' is not supported"};
  }
  bindResult(g, node, g.constant(value));
}

/// The static length of a 1-D shape operand; throws if it is unknown.
int64_t shapeLength(Value shape) {
  auto type = tensorType(shape);
  if (type.getRank() != 1 || type.isDynamicDim(0))
    throw ImportError{"the shape operand must be 1-D with a static length"};
  return type.getDimSize(0);
}

void importConstantOfShape(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"value"});
  Value shape = operand(g, node, 0);
  Type element = g.b().getF32Type();
  double fill = 0;
  if (const auto *attr = findAttr(node, "value")) {
    DenseElementsAttr v = convertTensor(attr->t(), g.getContext());
    element = v.getElementType();
    if (v.getNumElements() != 1)
      throw ImportError{"'value' must hold one element"};
    fill = isa<FloatType>(element)
               ? v.getValues<APFloat>()[0].convertToDouble()
               : double(v.getValues<APInt>()[0].getSExtValue());
  }
  SmallVector<int64_t> dims(shapeLength(shape), ShapedType::kDynamic);
  if (DenseElementsAttr c = typedConstant(g, node, 0, g.b().getI64Type(),
                                          "the shape"))
    dims.assign(c.getValues<int64_t>().begin(), c.getValues<int64_t>().end());
  bindResult(g, node, g.b().createOrFold<ConstantOfShapeOp>(
                          g.loc(), RankedTensorType::get(dims, element), shape,
                          g.b().getF64FloatAttr(fill)));
}

/// Reshape to `shape` (ONNX conventions: 0 copies the input dimension
/// unless `allowZero`, -1 is inferred) known at compile time.
Value reshapeStatic(GraphImporter &g, Value x, ArrayRef<int64_t> requested,
                    bool allowZero) {
  auto in = tensorType(x).getShape();
  SmallVector<int64_t> out;
  int64_t inferred = -1;
  for (auto [i, v] : llvm::enumerate(requested)) {
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
    SmallVector<int64_t> known(ArrayRef<int64_t>(out).take_front(inferred));
    llvm::append_range(known, ArrayRef<int64_t>(out).drop_front(inferred + 1));
    int64_t rest = product(known);
    if (rest == 0 || total % rest)
      throw ImportError{"cannot reshape " + std::to_string(total) +
                        " elements into the requested shape"};
    out[inferred] = total / rest;
  }
  if (llvm::count_if(out, ShapedType::isDynamic) <= 1)
    return g.reshape(x, out);
  // Several unknown dimensions: let the runtime resolve 0 and -1.
  auto type = RankedTensorType::get(out, tensorType(x).getElementType());
  return g.b().create<ReshapeOp>(g.loc(), type, x, g.i64Vector(requested),
                                 g.b().getI64IntegerAttr(allowZero));
}

void importReshape(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"allowzero"});
  bool allowZero = intAttr(node, "allowzero", 0);
  Value x = operand(g, node, 0);
  if (DenseElementsAttr shape = typedConstant(g, node, 1, g.b().getI64Type(),
                                              "the shape")) {
    SmallVector<int64_t> requested(shape.getValues<int64_t>());
    bindResult(g, node, reshapeStatic(g, x, requested, allowZero));
    return;
  }
  Value shape = operand(g, node, 1);
  SmallVector<int64_t> dims(shapeLength(shape), ShapedType::kDynamic);
  auto type = RankedTensorType::get(dims, elementType(x));
  bindResult(g, node, g.b().create<ReshapeOp>(g.loc(), type, x, shape,
                                              g.b().getI64IntegerAttr(allowZero)));
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
  int64_t outer = product(shape.take_front(axis));
  int64_t inner = product(shape.drop_front(axis));
  if (ShapedType::isDynamic(outer) && ShapedType::isDynamic(inner))
    throw ImportError{"both halves of the flattened shape are dynamic"};
  bindResult(g, node, g.reshape(x, {outer, inner}));
}

/// The axes of Squeeze/Unsqueeze: an attribute before opset 13, an operand
/// from then on.
std::optional<SmallVector<int64_t>> squeezeAxes(GraphImporter &g,
                                                const Node &node) {
  if (auto axes = intsAttr(node, "axes"))
    return axes;
  if (hasOperand(node, 1))
    return constantInts(g, node, 1, "axes");
  return std::nullopt;
}

/// Squeeze or Unsqueeze whose axes are a run-time value: the result's rank
/// is known, its dimensions are dynamic.
template <typename OpTy>
void importRuntimeSqueeze(GraphImporter &g, const Node &node, Value x,
                          Value axes, int64_t sign) {
  auto type = tensorType(x);
  int64_t rank = type.getRank() + sign * tensorType(axes).getDimSize(0);
  if (rank < 0)
    throw ImportError{std::to_string(tensorType(axes).getDimSize(0)) +
                      " axes for an input of rank " +
                      std::to_string(type.getRank())};
  SmallVector<int64_t> shape(rank, ShapedType::kDynamic);
  bindResult(g, node,
             g.b().create<OpTy>(g.loc(),
                                RankedTensorType::get(shape,
                                                      type.getElementType()),
                                x, axes)
                 .getResult());
}

void importSqueeze(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"axes"});
  Value x = operand(g, node, 0);
  if (!findAttr(node, "axes"))
    if (Value axes = runtimeVector(g, node, 1, "axes"))
      return importRuntimeSqueeze<SqueezeOp>(g, node, x, axes, -1);
  auto shape = tensorType(x).getShape();
  int64_t rank = shape.size();
  SmallVector<bool> drop(rank, false);
  if (auto axes = squeezeAxes(g, node)) {
    for (int64_t a : *axes) {
      a = normalizeAxis(a, rank);
      if (shape[a] != 1 && !ShapedType::isDynamic(shape[a]))
        throw ImportError{"cannot squeeze axis " + std::to_string(a) +
                          " of size " + std::to_string(shape[a])};
      drop[a] = true;
    }
  } else {
    for (int64_t i = 0; i < rank; ++i) {
      if (ShapedType::isDynamic(shape[i]))
        throw ImportError{"squeezing all unit axes needs static dimensions"};
      drop[i] = shape[i] == 1;
    }
  }
  SmallVector<int64_t> out;
  for (int64_t i = 0; i < rank; ++i)
    if (!drop[i])
      out.push_back(shape[i]);
  bindResult(g, node, g.reshape(x, out));
}

void importUnsqueeze(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"axes"});
  Value x = operand(g, node, 0);
  if (!findAttr(node, "axes"))
    if (Value axes = runtimeVector(g, node, 1, "axes"))
      return importRuntimeSqueeze<UnsqueezeOp>(g, node, x, axes, +1);
  auto shape = tensorType(x).getShape();
  auto axes = squeezeAxes(g, node);
  if (!axes)
    throw ImportError{"axes are required"};
  int64_t rank = shape.size() + axes->size();
  SmallVector<bool> unit(rank, false);
  for (int64_t a : *axes)
    unit[normalizeAxis(a, rank)] = true;
  SmallVector<int64_t> out;
  for (int64_t i = 0, j = 0; i < rank; ++i)
    out.push_back(unit[i] ? 1 : shape[j++]);
  bindResult(g, node, g.reshape(x, out));
}

void importTranspose(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"perm"});
  Value x = operand(g, node, 0);
  int64_t rank = tensorType(x).getRank();
  SmallVector<int64_t> perm;
  if (auto p = intsAttr(node, "perm"))
    perm = *p;
  else
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  if (static_cast<int64_t>(perm.size()) != rank)
    throw ImportError{"perm must have one entry per dimension"};
  // A 2-D transpose folds for constants: a weight exported as
  // Transpose(W) (or Transpose(Sign(W))) reaches the arrays as a constant.
  if (rank == 2 && perm[0] == 1 && perm[1] == 0) {
    bindResult(g, node, g.transpose2D(x));
    return;
  }
  bindResult(g, node, g.transpose(x, perm));
}

void importConcat(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"axis"});
  SmallVector<Value> inputs;
  for (int i = 0; i < node.input_size(); ++i)
    inputs.push_back(operand(g, node, i));
  if (inputs.empty())
    throw ImportError{"needs at least one input"};
  auto first = tensorType(inputs.front());
  if (first.getRank() == 0)
    throw ImportError{"inputs must have rank 1 or more"};
  int64_t axis = normalizeAxis(intAttr(node, "axis", 0), first.getRank());
  SmallVector<int64_t> shape(first.getShape());
  shape[axis] = 0;
  for (Value v : inputs) {
    auto t = tensorType(v);
    if (t.getRank() != first.getRank())
      throw ImportError{"inputs must have one rank"};
    for (int64_t d = 0; d < t.getRank(); ++d)
      if (d != axis && !ShapedType::isDynamic(shape[d]) &&
          !ShapedType::isDynamic(t.getDimSize(d)) &&
          shape[d] != t.getDimSize(d))
        throw ImportError{"inputs must have one size in every dimension but "
                          "the axis (dimension " +
                          std::to_string(d) + ": " + std::to_string(shape[d]) +
                          " and " + std::to_string(t.getDimSize(d)) + ")"};
    shape[axis] = ShapedType::isDynamic(shape[axis]) ||
                          ShapedType::isDynamic(t.getDimSize(axis))
                      ? ShapedType::kDynamic
                      : shape[axis] + t.getDimSize(axis);
  }
  if (inputs.size() == 1) {
    bindResult(g, node, inputs.front());
    return;
  }
  auto type = RankedTensorType::get(shape, first.getElementType());
  // tosa.concat does not fold constants; shape vectors built by exporters
  // (Shape -> Gather -> Unsqueeze -> Concat) must, so fold them here.
  SmallVector<DenseElementsAttr> constants;
  for (Value v : inputs) {
    DenseElementsAttr c;
    if (!matchPattern(v, m_Constant(&c)))
      break;
    constants.push_back(c);
  }
  if (constants.size() == inputs.size() && type.hasStaticShape()) {
    int64_t outer = product(type.getShape().take_front(axis));
    SmallVector<Attribute> out;
    for (int64_t o = 0; o < outer; ++o)
      for (DenseElementsAttr c : constants) {
        int64_t chunk = c.getNumElements() / outer;
        auto values = c.getValues<Attribute>();
        for (int64_t k = 0; k < chunk; ++k)
          out.push_back(values[o * chunk + k]);
      }
    bindResult(g, node, g.constant(DenseElementsAttr::get(type, out)));
    return;
  }
  bindResult(g, node, g.b().createOrFold<tosa::ConcatOp>(
                          g.loc(), type, inputs, g.b().getI32IntegerAttr(axis)));
}


/// Slice with parameters computed at run time: cim.slice with the given
/// operands; the sliced dimensions (all, if the axes are not constants)
/// become dynamic.
Value sliceDynamic(GraphImporter &g, const Node &node, Value x) {
  auto type = tensorType(x);
  Value starts = operand(g, node, 1), ends = operand(g, node, 2);
  int64_t n = shapeLength(starts);
  SmallVector<int64_t> defaultAxes;
  for (int64_t i = 0; i < n; ++i)
    defaultAxes.push_back(i);
  Value axes = hasOperand(node, 3) ? operand(g, node, 3) : g.i64Vector(defaultAxes);
  Value steps = hasOperand(node, 4) ? operand(g, node, 4)
                                    : g.i64Vector(SmallVector<int64_t>(n, 1));
  SmallVector<int64_t> shape(type.getShape());
  DenseElementsAttr axesConst;
  if (matchPattern(axes, m_Constant(&axesConst)))
    for (int64_t a : axesConst.getValues<int64_t>())
      shape[normalizeAxis(a, type.getRank())] = ShapedType::kDynamic;
  else
    shape.assign(shape.size(), ShapedType::kDynamic);
  return g.b().create<SliceOp>(
      g.loc(), RankedTensorType::get(shape, type.getElementType()), x, starts,
      ends, axes, steps);
}

void importSlice(GraphImporter &g, const Node &node) {
  Value x = operand(g, node, 0);
  int64_t rank = tensorType(x).getRank();
  SmallVector<int64_t> starts, ends, axes, steps;
  if (g.getOpset() < 10) {
    allowAttrs(node, {"starts", "ends", "axes"});
    starts = intsAttr(node, "starts").value_or(SmallVector<int64_t>());
    ends = intsAttr(node, "ends").value_or(SmallVector<int64_t>());
    if (auto a = intsAttr(node, "axes"))
      axes = *a;
  } else {
    allowAttrs(node, {});
    for (int i = 1; i < node.input_size(); ++i)
      if (hasOperand(node, i) && !g.lookupConstant(node.input(i))) {
        bindResult(g, node, sliceDynamic(g, node, x));
        return;
      }
    starts = constantInts(g, node, 1, "starts");
    ends = constantInts(g, node, 2, "ends");
    if (hasOperand(node, 3))
      axes = constantInts(g, node, 3, "axes");
    if (hasOperand(node, 4))
      steps = constantInts(g, node, 4, "steps");
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    throw ImportError{"starts, ends, axes and steps must have one length"};
  for (int64_t &a : axes)
    a = normalizeAxis(a, rank);
  bindResult(g, node, sliceStatic(g, x, starts, ends, axes, steps));
}

void importSplit(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"axis", "split"});
  Value x = operand(g, node, 0);
  auto type = tensorType(x);
  if (type.getRank() == 0)
    throw ImportError{"input must have rank 1 or more"};
  int64_t axis = normalizeAxis(intAttr(node, "axis", 0), type.getRank());
  int64_t dim = type.getDimSize(axis);
  std::optional<SmallVector<int64_t>> sizes = intsAttr(node, "split");
  int64_t n = node.output_size();
  if (n == 0)
    throw ImportError{"needs at least one output"};
  if (!sizes)
    if (Value runtime = runtimeVector(g, node, 1, "split")) {
      if (tensorType(runtime).getDimSize(0) != n)
        throw ImportError{"split has " +
                          std::to_string(tensorType(runtime).getDimSize(0)) +
                          " sizes for " + std::to_string(n) + " outputs"};
      SmallVector<int64_t> shape(type.getShape());
      shape[axis] = ShapedType::kDynamic;
      SmallVector<Type> types(n, RankedTensorType::get(shape,
                                                       type.getElementType()));
      auto op = g.b().create<SplitOp>(g.loc(), types, x, runtime,
                                      g.b().getI64IntegerAttr(axis));
      for (int64_t i = 0; i < n; ++i)
        bindResult(g, node, op.getResult(i), i);
      return;
    }
  if (!sizes && hasOperand(node, 1))
    sizes = constantInts(g, node, 1, "split");
  if (!sizes) {
    if (ShapedType::isDynamic(dim))
      throw ImportError{"an equal split of a dynamic axis is not supported"};
    if (dim % n)
      throw ImportError{"axis of size " + std::to_string(dim) +
                        " does not split into " + std::to_string(n) +
                        " equal parts"};
    sizes = SmallVector<int64_t>(n, dim / n);
  }
  if (static_cast<int64_t>(sizes->size()) != n)
    throw ImportError{"split needs one size per output"};
  int64_t total = 0;
  for (int64_t size : *sizes) {
    if (size < 0 || size > std::numeric_limits<int64_t>::max() - total)
      throw ImportError{"split sizes must be non-negative and add up to the "
                        "axis size"};
    total += size;
  }
  if (!ShapedType::isDynamic(dim) && total != dim)
    throw ImportError{"split sizes add up to " + std::to_string(total) +
                      ", not to the axis size " + std::to_string(dim)};
  int64_t start = 0;
  for (int64_t i = 0; i < n; ++i) {
    int64_t end = start + (*sizes)[i];
    bindResult(g, node, sliceStatic(g, x, {start}, {end}, {axis}, {1}), i);
    start = end;
  }
}

void importGather(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"axis"});
  Value data = operand(g, node, 0), indices = operand(g, node, 1);
  if (!elementType(indices).isInteger(64))
    throw ImportError{"indices must be integers"};
  auto type = tensorType(data);
  int64_t axis = normalizeAxis(intAttr(node, "axis", 0), type.getRank());
  SmallVector<int64_t> shape(type.getShape().take_front(axis));
  llvm::append_range(shape, tensorType(indices).getShape());
  llvm::append_range(shape, type.getShape().drop_front(axis + 1));
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  bindResult(g, node, g.b().createOrFold<GatherOp>(
                          g.loc(), resultType, data, indices,
                          g.b().getI64IntegerAttr(axis)));
}

void importShape(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"start", "end"});
  Value x = operand(g, node, 0);
  int64_t rank = tensorType(x).getRank();
  auto clampDim = [&](int64_t v) {
    return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank);
  };
  int64_t start = clampDim(intAttr(node, "start", 0));
  int64_t end = std::max(start, clampDim(intAttr(node, "end", rank)));
  auto type = RankedTensorType::get({end - start}, g.b().getI64Type());
  bindResult(g, node, g.b().createOrFold<ShapeOfOp>(
                          g.loc(), type, x, g.b().getI64IntegerAttr(start),
                          g.b().getI64IntegerAttr(end)));
}

void importExpand(GraphImporter &g, const Node &node) {
  allowAttrs(node, {});
  Value x = operand(g, node, 0), shape = operand(g, node, 1);
  SmallVector<int64_t> target(shapeLength(shape), ShapedType::kDynamic);
  if (DenseElementsAttr c = g.lookupConstant(node.input(1)))
    target.assign(c.getValues<int64_t>().begin(), c.getValues<int64_t>().end());
  // A target dimension of 1 keeps the input's (ONNX broadcasts both ways).
  SmallVector<int64_t> in(tensorType(x).getShape());
  size_t rank = std::max(in.size(), target.size());
  in.insert(in.begin(), rank - in.size(), 1);
  target.insert(target.begin(), rank - target.size(), 1);
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i)
    out[i] = target[i] == 1 ? in[i]
             : in[i] == 1   ? target[i]
             : ShapedType::isDynamic(in[i]) ? target[i]
                                            : in[i];
  auto type = RankedTensorType::get(out, elementType(x));
  bindResult(g, node, g.b().create<ExpandOp>(g.loc(), type, x, shape));
}

} // namespace

void cim::onnx_import::addShapeHandlers(HandlerTable &t) {
  t["Identity"] = importIdentity;
  t["Constant"] = importConstant;
  t["ConstantOfShape"] = importConstantOfShape;
  t["Reshape"] = importReshape;
  t["Flatten"] = importFlatten;
  t["Squeeze"] = importSqueeze;
  t["Unsqueeze"] = importUnsqueeze;
  t["Transpose"] = importTranspose;
  t["Concat"] = importConcat;
  t["Slice"] = importSlice;
  t["Split"] = importSplit;
  t["Gather"] = importGather;
  t["Shape"] = importShape;
  t["Expand"] = importExpand;
}
