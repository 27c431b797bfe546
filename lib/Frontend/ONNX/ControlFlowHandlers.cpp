//===- ControlFlowHandlers.cpp - Import of ONNX Loop, Scan, If --*- C++ -*-===//
//
// Loop and Scan become cim.loop and cim.scan, whose body region is the
// imported subgraph; the subgraph sees the values of the enclosing graph.
// A loop-carried value whose shape changes across iterations gets dynamic
// dimensions where its initial and next shapes differ (the body is imported
// again with the joined types). An If whose condition is a compile-time
// constant is the taken branch, inlined; any other If becomes cim.if with
// both branches as regions.
//
//===----------------------------------------------------------------------===//

#include "Handlers.h"

#include "cim/Dialect/CIM/CIMOps.h"

#include <memory>

using namespace mlir;
using namespace cim;
using namespace cim::onnx_import;

namespace {

const onnx::GraphProto &graphAttr(const Node &node, const char *name) {
  const auto *attr = findAttr(node, name);
  if (!attr || !attr->has_g())
    throw ImportError{"graph attribute '" + std::string(name) + "' is missing"};
  return attr->g();
}

/// Imports `graph`'s initializers and nodes with `g` as the parent scope.
/// Returns the values of the graph's outputs.
SmallVector<Value> importSubgraph(GraphImporter &child,
                                  const onnx::GraphProto &graph) {
  for (const auto &init : graph.initializer())
    child.define(init.name(), child.constant(convertTensor(init, child.getContext())));
  child.importNodes(graph);
  SmallVector<Value> outputs;
  for (const auto &output : graph.output())
    outputs.push_back(child.lookup(output.name()));
  return outputs;
}

/// `a` with the dimensions where it differs from `b` made dynamic; null if
/// the ranks or element types differ.
RankedTensorType joinTypes(RankedTensorType a, RankedTensorType b) {
  if (a.getRank() != b.getRank() || a.getElementType() != b.getElementType())
    return {};
  SmallVector<int64_t> shape;
  for (auto [x, y] : llvm::zip(a.getShape(), b.getShape()))
    shape.push_back(x == y ? x : ShapedType::kDynamic);
  return RankedTensorType::get(shape, a.getElementType());
}

/// A body block imported from `graph` with arguments of `argTypes` bound to
/// the graph's inputs, ending in cim.yield of the graph's outputs.
struct Body {
  std::unique_ptr<Block> block;
  SmallVector<Value> yielded;
};

Body importBody(GraphImporter &g, const onnx::GraphProto &graph,
                ArrayRef<Type> argTypes) {
  if (graph.input_size() != static_cast<int>(argTypes.size()))
    throw ImportError{"body graph has " + std::to_string(graph.input_size()) +
                      " inputs, expected " + std::to_string(argTypes.size())};
  Body body;
  body.block = std::make_unique<Block>();
  for (Type t : argTypes)
    body.block->addArgument(t, g.loc());
  OpBuilder builder(g.getContext());
  builder.setInsertionPointToEnd(body.block.get());
  GraphImporter child(builder, g.getModelPath(), g.getOpset(), &g);
  for (auto [i, input] : llvm::enumerate(graph.input()))
    child.define(input.name(), body.block->getArgument(i));
  body.yielded = importSubgraph(child, graph);
  builder.create<YieldOp>(g.loc(), body.yielded);
  return body;
}

/// Imports a body whose arguments `[first, first + n)` are loop-carried:
/// they must have the types the body yields at `[firstYield, ...)`. Where
/// the types differ, the arguments are generalised and the body imported
/// again.
Body importCarriedBody(GraphImporter &g, const onnx::GraphProto &graph,
                       SmallVector<Type> &argTypes, size_t first,
                       size_t firstYield, size_t n) {
  for (int attempt = 0;; ++attempt) {
    Body body = importBody(g, graph, argTypes);
    if (body.yielded.size() < firstYield + n)
      throw ImportError{"body yields " + std::to_string(body.yielded.size()) +
                        " values, fewer than the " +
                        std::to_string(firstYield + n) +
                        " it must (its condition, if any, and the " +
                        std::to_string(n) + " carried values)"};
    bool changed = false;
    for (size_t i = 0; i < n; ++i) {
      auto arg = cast<RankedTensorType>(argTypes[first + i]);
      auto next = cast<RankedTensorType>(body.yielded[firstYield + i].getType());
      RankedTensorType joined = joinTypes(arg, next);
      if (!joined)
        throw ImportError{"loop-carried value " + std::to_string(i) +
                          " changes rank or element type across iterations"};
      if (joined != arg) {
        argTypes[first + i] = joined;
        changed = true;
      }
    }
    if (!changed)
      return body;
    if (attempt == 1)
      throw ImportError{"loop-carried shapes do not settle"};
  }
}

/// `slice` with a dimension of size `length` inserted at `axis`.
RankedTensorType stacked(RankedTensorType slice, int64_t axis, int64_t length) {
  SmallVector<int64_t> shape(slice.getShape());
  shape.insert(shape.begin() + axis, length);
  return RankedTensorType::get(shape, slice.getElementType());
}

/// Binds `op`'s results (a loop's or a scan's: its carried values, then its
/// scan outputs) to the node's outputs, which may not outnumber them.
void bindAll(GraphImporter &g, const Node &node, Operation *op) {
  if (node.output_size() > static_cast<int>(op->getNumResults()))
    throw ImportError{"the node names " + std::to_string(node.output_size()) +
                      " outputs, but its body gives " +
                      std::to_string(op->getNumResults()) +
                      " (the carried values and scan outputs)"};
  for (int i = 0; i < node.output_size(); ++i)
    bindResult(g, node, op->getResult(i), i);
}

void importLoop(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"body"});
  const onnx::GraphProto &graph = graphAttr(node, "body");
  Value maxTrips = hasOperand(node, 0) ? operand(g, node, 0) : Value();
  Value cond = hasOperand(node, 1) ? operand(g, node, 1) : Value();
  if (maxTrips && (!elementType(maxTrips).isInteger(64) ||
                   tensorType(maxTrips).getNumElements() != 1))
    throw ImportError{"the trip count must be one int64"};
  if (cond && (!elementType(cond).isInteger(1) ||
               tensorType(cond).getNumElements() != 1))
    throw ImportError{"the condition must be one bool"};
  // Scalars of shape [1] are common in exports; the body sees rank 0.
  if (maxTrips && tensorType(maxTrips).getRank() != 0)
    maxTrips = g.reshape(maxTrips, {});
  if (cond && tensorType(cond).getRank() != 0)
    cond = g.reshape(cond, {});
  SmallVector<Value> initial;
  for (int i = 2; i < node.input_size(); ++i)
    initial.push_back(operand(g, node, i));

  Builder &b = g.b();
  SmallVector<Type> argTypes = {RankedTensorType::get({}, b.getI64Type()),
                                RankedTensorType::get({}, b.getI1Type())};
  for (Value v : initial)
    argTypes.push_back(v.getType());
  Body body = importCarriedBody(g, graph, argTypes, 2, 1, initial.size());
  Value condOut = body.yielded.front();
  if (!isa<RankedTensorType>(condOut.getType()) ||
      !elementType(condOut).isInteger(1) || tensorType(condOut).getNumElements() != 1)
    throw ImportError{"body's first output must be the bool condition"};
  if (tensorType(condOut).getRank() != 0) {
    // Yield the condition as a scalar, as cim.loop expects.
    auto yield = cast<YieldOp>(body.block->getTerminator());
    OpBuilder bb(yield);
    GraphImporter scope(bb, g.getModelPath(), g.getOpset(), &g);
    yield->setOperand(0, scope.reshape(condOut, {}));
  }

  SmallVector<Type> resultTypes(ArrayRef<Type>(argTypes).drop_front(2));
  int64_t trips = ShapedType::kDynamic;
  DenseElementsAttr tripsConst;
  if (maxTrips && !cond && matchPattern(maxTrips, m_Constant(&tripsConst)))
    // A negative count runs no iteration, as zero does.
    trips = std::max<int64_t>(0, tripsConst.getSplatValue<APInt>().getSExtValue());
  for (Value scan : ArrayRef<Value>(body.yielded).drop_front(1 + initial.size()))
    resultTypes.push_back(stacked(tensorType(scan), 0, trips));

  auto loop = g.b().create<LoopOp>(g.loc(), resultTypes, maxTrips, cond, initial);
  loop.getBody().push_back(body.block.release());
  bindAll(g, node, loop);
}

void importScan(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"body", "num_scan_inputs", "scan_input_axes",
                    "scan_input_directions", "scan_output_axes",
                    "scan_output_directions"});
  if (g.getOpset() < 9)
    throw ImportError{"Scan before opset 9 (with sequence_lens) is not supported"};
  const onnx::GraphProto &graph = graphAttr(node, "body");
  int64_t numScan = intAttr(node, "num_scan_inputs", -1);
  int64_t numInputs = node.input_size();
  if (numScan < 1 || numScan > numInputs)
    throw ImportError{"num_scan_inputs must be in [1, " +
                      std::to_string(numInputs) + "]"};
  int64_t numStates = numInputs - numScan;
  int64_t numScanOutputs = node.output_size() - numStates;
  if (numScanOutputs < 0)
    throw ImportError{"Scan has fewer outputs than states"};
  auto readAxes = [&](const char *name, int64_t count) {
    SmallVector<int64_t> v = intsAttr(node, name).value_or(SmallVector<int64_t>());
    if (v.empty())
      v.assign(count, 0);
    if (static_cast<int64_t>(v.size()) != count)
      throw ImportError{std::string(name) + " needs " + std::to_string(count) +
                        " entries"};
    return v;
  };
  SmallVector<int64_t> inAxes = readAxes("scan_input_axes", numScan);
  SmallVector<int64_t> inDirs = readAxes("scan_input_directions", numScan);
  SmallVector<int64_t> outAxes = readAxes("scan_output_axes", numScanOutputs);
  SmallVector<int64_t> outDirs = readAxes("scan_output_directions", numScanOutputs);

  SmallVector<Value> inputs;
  SmallVector<Type> argTypes;
  int64_t length = ShapedType::kDynamic;
  for (int64_t i = 0; i < numInputs; ++i) {
    Value v = operand(g, node, i);
    inputs.push_back(v);
    auto t = tensorType(v);
    if (i < numStates) {
      argTypes.push_back(t);
      continue;
    }
    int64_t k = i - numStates;
    if (t.getRank() == 0)
      throw ImportError{"scan input " + std::to_string(k) +
                        " is a scalar; it needs an axis to scan along"};
    int64_t axis = inAxes[k] = normalizeAxis(inAxes[k], t.getRank());
    length = t.getDimSize(axis);
    SmallVector<int64_t> slice(t.getShape());
    slice.erase(slice.begin() + axis);
    argTypes.push_back(RankedTensorType::get(slice, t.getElementType()));
  }
  Body body = importCarriedBody(g, graph, argTypes, 0, 0, numStates);
  if (static_cast<int64_t>(body.yielded.size()) != numStates + numScanOutputs)
    throw ImportError{"body yields " + std::to_string(body.yielded.size()) +
                      " values, expected " +
                      std::to_string(numStates + numScanOutputs)};
  SmallVector<Type> resultTypes(ArrayRef<Type>(argTypes).take_front(numStates));
  for (int64_t k = 0; k < numScanOutputs; ++k) {
    auto slice = tensorType(body.yielded[numStates + k]);
    outAxes[k] = normalizeAxis(outAxes[k], slice.getRank() + 1);
    resultTypes.push_back(stacked(slice, outAxes[k], length));
  }
  Builder &b = g.b();
  auto scan = g.b().create<ScanOp>(
      g.loc(), resultTypes, inputs, b.getI64IntegerAttr(numScan),
      b.getI64ArrayAttr(inAxes), b.getI64ArrayAttr(inDirs),
      b.getI64ArrayAttr(outAxes), b.getI64ArrayAttr(outDirs));
  scan.getBody().push_back(body.block.release());
  bindAll(g, node, scan);
}

/// "float [2, ?]": element type and shape, for messages.
std::string typeName(RankedTensorType t) {
  std::string s = elementTypeName(t.getElementType()) + " [";
  for (auto [i, d] : llvm::enumerate(t.getShape()))
    s += (i ? ", " : "") + (ShapedType::isDynamic(d) ? "?" : std::to_string(d));
  return s + "]";
}

/// If whose condition is known only at run time: cim.if with both branches
/// as its regions. A dimension where the branches' outputs differ becomes
/// dynamic.
void importRuntimeIf(GraphImporter &g, const Node &node) {
  Value cond = operand(g, node, 0);
  if (!elementType(cond).isInteger(1) ||
      tensorType(cond).getNumElements() != 1)
    throw ImportError{"the condition must be one bool, got " +
                      typeName(tensorType(cond))};
  Body branches[2];
  for (int k = 0; k < 2; ++k) {
    const char *name = k == 0 ? "then_branch" : "else_branch";
    branches[k] = importBody(g, graphAttr(node, name), {});
    if (static_cast<int>(branches[k].yielded.size()) != node.output_size())
      throw ImportError{std::string(name) + " yields " +
                        std::to_string(branches[k].yielded.size()) +
                        " values for " + std::to_string(node.output_size()) +
                        " outputs"};
  }
  SmallVector<Type> resultTypes;
  for (int i = 0; i < node.output_size(); ++i) {
    RankedTensorType joined =
        joinTypes(tensorType(branches[0].yielded[i]),
                  tensorType(branches[1].yielded[i]));
    if (!joined)
      throw ImportError{"output " + std::to_string(i) + " is " +
                        typeName(tensorType(branches[0].yielded[i])) +
                        " in then_branch but " +
                        typeName(tensorType(branches[1].yielded[i])) +
                        " in else_branch (rank and element type must agree)"};
    resultTypes.push_back(joined);
  }
  auto op = g.b().create<IfOp>(g.loc(), resultTypes, cond);
  op.getThenRegion().push_back(branches[0].block.release());
  op.getElseRegion().push_back(branches[1].block.release());
  for (int i = 0; i < node.output_size(); ++i)
    bindResult(g, node, op.getResult(i), i);
}

void importIf(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"then_branch", "else_branch"});
  DenseElementsAttr cond = typedConstant(g, node, 0, g.b().getI1Type(),
                                         "the condition", /*scalar=*/true);
  if (!cond)
    return importRuntimeIf(g, node);
  bool taken = cond.getValues<APInt>()[0].getBoolValue();
  const onnx::GraphProto &branch =
      graphAttr(node, taken ? "then_branch" : "else_branch");
  GraphImporter child(g.b(), g.getModelPath(), g.getOpset(), &g);
  SmallVector<Value> outputs = importSubgraph(child, branch);
  if (static_cast<int>(outputs.size()) != node.output_size())
    throw ImportError{"the branch yields " + std::to_string(outputs.size()) +
                      " values for " + std::to_string(node.output_size()) +
                      " outputs"};
  for (auto [i, v] : llvm::enumerate(outputs))
    bindResult(g, node, v, i);
}

} // namespace

void cim::onnx_import::addControlFlowHandlers(HandlerTable &t) {
  t["Loop"] = importLoop;
  t["Scan"] = importScan;
  t["If"] = importIf;
}
