//===- RecurrentHandlers.cpp - Import of ONNX RNN, GRU and LSTM -*- C++ -*-===//
//
// RNN, GRU and LSTM become cim.rnn, cim.gru and cim.lstm with ONNX's
// semantics. The importer resolves everything ONNX leaves implicit, so the
// ops (and the runtime) see explicit values: the full activation list for
// every direction, and one alpha and beta per activation, consumed from the
// node's lists by the functions that take them, in order, with ONNX's
// defaults for the rest.
//
//===----------------------------------------------------------------------===//

#include "Handlers.h"

#include "cim/Dialect/CIM/CIMOps.h"

using namespace mlir;
using namespace cim;
using namespace cim::onnx_import;

namespace {

/// The activation named `name` (ONNX spells names case-insensitively).
RecurrentActivation lookupActivation(const std::string &name) {
  for (uint32_t i = 0; i <= getMaxEnumValForRecurrentActivation(); ++i) {
    std::optional<RecurrentActivation> act = symbolizeRecurrentActivation(i);
    if (act && StringRef(name).equals_insensitive(
                   stringifyRecurrentActivation(*act)))
      return *act;
  }
  throw ImportError{"activation '" + name + "' is not supported"};
}

struct RecurrentAttrs {
  RecurrentDirectionAttr direction;
  int64_t numDirections;
  IntegerAttr hiddenSize;
  ArrayAttr activations, alpha, beta;
  FloatAttr clip;
  IntegerAttr layout;
};

RecurrentAttrs readAttrs(GraphImporter &g, const Node &node, Value r,
                         ArrayRef<const char *> defaultActivations) {
  Builder &b = g.b();
  RecurrentAttrs attrs;
  std::string directionName = stringAttr(node, "direction", "forward");
  std::optional<RecurrentDirection> direction =
      symbolizeRecurrentDirection(directionName);
  if (!direction)
    throw ImportError{"direction '" + directionName + "' is not supported"};
  attrs.direction = RecurrentDirectionAttr::get(b.getContext(), *direction);
  attrs.numDirections = getNumDirections(*direction);

  int64_t hidden = intAttr(node, "hidden_size", -1);
  if (hidden < 0)
    hidden = tensorType(r).getDimSize(2);
  if (ShapedType::isDynamic(hidden) || hidden <= 0)
    throw ImportError{"hidden_size is missing and R's shape does not give it"};
  attrs.hiddenSize = b.getI64IntegerAttr(hidden);

  size_t perDirection = defaultActivations.size();
  std::vector<std::string> names;
  if (const auto *a = findAttr(node, "activations")) {
    names.assign(a->strings().begin(), a->strings().end());
  } else {
    for (int64_t d = 0; d < attrs.numDirections; ++d)
      names.insert(names.end(), defaultActivations.begin(),
                   defaultActivations.end());
  }
  if (names.size() != perDirection * attrs.numDirections)
    throw ImportError{"expected " +
                      std::to_string(perDirection * attrs.numDirections) +
                      " activations, got " + std::to_string(names.size())};
  auto readFloats = [&](const char *name) {
    SmallVector<float> v;
    if (const auto *a = findAttr(node, name))
      v.assign(a->floats().begin(), a->floats().end());
    return v;
  };
  SmallVector<float> alphaIn = readFloats("activation_alpha");
  SmallVector<float> betaIn = readFloats("activation_beta");
  size_t nextAlpha = 0, nextBeta = 0;
  SmallVector<Attribute> nameAttrs;
  SmallVector<float> alpha, beta;
  for (const std::string &name : names) {
    RecurrentActivation act = lookupActivation(name);
    ActivationParams info = getActivationParams(act);
    nameAttrs.push_back(RecurrentActivationAttr::get(b.getContext(), act));
    alpha.push_back(info.takesAlpha && nextAlpha < alphaIn.size()
                        ? alphaIn[nextAlpha++]
                        : info.alpha);
    beta.push_back(info.takesBeta && nextBeta < betaIn.size() ? betaIn[nextBeta++]
                                                              : info.beta);
  }
  if (nextAlpha != alphaIn.size() || nextBeta != betaIn.size())
    throw ImportError{"activation_alpha/activation_beta hold more values than "
                      "the activations take"};
  attrs.activations = b.getArrayAttr(nameAttrs);
  attrs.alpha = b.getF32ArrayAttr(alpha);
  attrs.beta = b.getF32ArrayAttr(beta);
  if (const auto *c = findAttr(node, "clip"))
    attrs.clip = b.getF32FloatAttr(c->f());
  int64_t layout = intAttr(node, "layout", 0);
  if (layout != 0 && layout != 1)
    throw ImportError{"layout must be 0 or 1"};
  attrs.layout = b.getI64IntegerAttr(layout);
  return attrs;
}

/// Result types Y and Y_h (Y_c has Y_h's type).
std::pair<RankedTensorType, RankedTensorType>
resultTypes(Value x, const RecurrentAttrs &attrs) {
  auto xt = tensorType(x);
  if (xt.getRank() != 3)
    throw ImportError{"X must be 3-D"};
  bool batchFirst = attrs.layout.getInt() == 1;
  int64_t seq = xt.getDimSize(batchFirst ? 1 : 0);
  int64_t batch = xt.getDimSize(batchFirst ? 0 : 1);
  int64_t dirs = attrs.numDirections, hidden = attrs.hiddenSize.getInt();
  Type f32 = xt.getElementType();
  if (batchFirst)
    return {RankedTensorType::get({batch, seq, dirs, hidden}, f32),
            RankedTensorType::get({batch, dirs, hidden}, f32)};
  return {RankedTensorType::get({seq, dirs, batch, hidden}, f32),
          RankedTensorType::get({dirs, batch, hidden}, f32)};
}

/// Operand `i` if given, else a null value (an absent optional operand).
Value optional(GraphImporter &g, const Node &node, int i) {
  return hasOperand(node, i) ? operand(g, node, i) : Value();
}

void importRNN(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"activation_alpha", "activation_beta", "activations",
                    "clip", "direction", "hidden_size", "layout"});
  Value x = operand(g, node, 0), w = operand(g, node, 1), r = operand(g, node, 2);
  requireF32(x, "X");
  RecurrentAttrs a = readAttrs(g, node, r, {"Tanh"});
  auto [yType, hType] = resultTypes(x, a);
  auto op = g.b().create<RNNOp>(
      g.loc(), yType, hType, x, w, r, optional(g, node, 3), optional(g, node, 4),
      optional(g, node, 5), a.direction, a.hiddenSize, a.activations, a.alpha,
      a.beta, a.clip, a.layout);
  bindResult(g, node, op.getY(), 0);
  bindResult(g, node, op.getYH(), 1);
}

void importGRU(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"activation_alpha", "activation_beta", "activations",
                    "clip", "direction", "hidden_size", "layout",
                    "linear_before_reset"});
  Value x = operand(g, node, 0), w = operand(g, node, 1), r = operand(g, node, 2);
  requireF32(x, "X");
  RecurrentAttrs a = readAttrs(g, node, r, {"Sigmoid", "Tanh"});
  auto [yType, hType] = resultTypes(x, a);
  auto op = g.b().create<GRUOp>(
      g.loc(), yType, hType, x, w, r, optional(g, node, 3), optional(g, node, 4),
      optional(g, node, 5), a.direction, a.hiddenSize, a.activations, a.alpha,
      a.beta, a.clip, a.layout,
      g.b().getI64IntegerAttr(intAttr(node, "linear_before_reset", 0)));
  bindResult(g, node, op.getY(), 0);
  bindResult(g, node, op.getYH(), 1);
}

void importLSTM(GraphImporter &g, const Node &node) {
  allowAttrs(node, {"activation_alpha", "activation_beta", "activations",
                    "clip", "direction", "hidden_size", "layout",
                    "input_forget"});
  Value x = operand(g, node, 0), w = operand(g, node, 1), r = operand(g, node, 2);
  requireF32(x, "X");
  RecurrentAttrs a = readAttrs(g, node, r, {"Sigmoid", "Tanh", "Tanh"});
  auto [yType, hType] = resultTypes(x, a);
  auto op = g.b().create<LSTMOp>(
      g.loc(), yType, hType, hType, x, w, r, optional(g, node, 3),
      optional(g, node, 4), optional(g, node, 5), optional(g, node, 6),
      optional(g, node, 7), a.direction, a.hiddenSize, a.activations, a.alpha,
      a.beta, a.clip, a.layout,
      g.b().getI64IntegerAttr(intAttr(node, "input_forget", 0)));
  bindResult(g, node, op.getY(), 0);
  bindResult(g, node, op.getYH(), 1);
  bindResult(g, node, op.getYC(), 2);
}

} // namespace

void cim::onnx_import::addRecurrentHandlers(HandlerTable &t) {
  t["RNN"] = importRNN;
  t["GRU"] = importGRU;
  t["LSTM"] = importLSTM;
}
