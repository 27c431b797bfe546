//===- MapLIFNeurons.cpp - LIF layers onto the columns' neurons -*- C++ -*-===//
//
// Implements `cim-map-lif-neurons`: a cim.lif whose currents are one
// product (plus a constant bias) on analog arrays gets the product read by
// charge, once per time step, into the columns' LIF neurons.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/Passes.h"

#include "mlir/Analysis/TopologicalSortUtils.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SetVector.h"

namespace cim {
#define GEN_PASS_DEF_MAPLIFNEURONS
#include "cim/Dialect/CIM/CIMPasses.h.inc"
} // namespace cim

using namespace mlir;
using namespace cim;

namespace {

/// A step's current: product + bias.
struct Current {
  LinearOp product;
  Value bias; // a constant, or null
};

/// `v` as a product of analog arrays plus an optional constant bias.
std::optional<Current> matchCurrent(Value v) {
  Value bias;
  if (auto add = v.getDefiningOp<tosa::AddOp>()) {
    for (int i = 0; i < 2; ++i)
      if (matchPattern(add->getOperand(1 - i), m_Constant()) &&
          add->getOperand(i).getDefiningOp<LinearOp>()) {
        bias = add->getOperand(1 - i);
        v = add->getOperand(i);
        break;
      }
    if (!bias)
      return std::nullopt;
  }
  auto product = v.getDefiningOp<LinearOp>();
  if (!product)
    return std::nullopt;
  return Current{product, bias};
}

/// True if `a` and `b` are the same constant (the same value or equal
/// attributes).
bool sameConstant(Value a, Value b) {
  if (a == b)
    return true;
  Attribute x, y;
  return a && b && matchPattern(a, m_Constant(&x)) &&
         matchPattern(b, m_Constant(&y)) && x == y;
}

struct MapLIFNeuronsPass
    : public cim::impl::MapLIFNeuronsBase<MapLIFNeuronsPass> {
  using MapLIFNeuronsBase::MapLIFNeuronsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (mode != "auto" && mode != "neurons" && mode != "digital") {
      module.emitError("cim-map-lif-neurons: mode must be neurons, digital "
                       "or auto, got '")
          << mode << "'";
      return signalPassFailure();
    }
    std::optional<InputCoding> coding;
    if (inputCoding == "rate")
      coding = InputCoding::rate;
    else if (inputCoding == "latency")
      coding = InputCoding::latency;
    else if (inputCoding != "dac" && inputCoding != "auto") {
      module.emitError("cim-map-lif-neurons: input-coding must be dac, rate, "
                       "latency or auto, got '")
          << inputCoding << "'";
      return signalPassFailure();
    }
    if (mode == "digital")
      return;
    // Products of spikes drive their rows with a pulse per spike.
    module.walk([&](LinearOp op) {
      auto lif = op.getInput().getDefiningOp<LIFOp>();
      if (lif && op.getInput() != lif.getMembrane())
        op.setInputCodingAttr(
            InputCodingAttr::get(&getContext(), InputCoding::spikes));
    });
    TargetAttr target = lookupTarget(module);
    bool hasNeurons = target && target.getLif();
    if (!hasNeurons && mode == "auto")
      return;
    // The Tempo-CIM macro's scheme: real-valued inputs of LIF layers as
    // latency codes.
    if (inputCoding == "auto" && hasNeurons)
      coding = InputCoding::latency;
    SmallVector<LIFOp> layers;
    module.walk([&](LIFOp op) {
      if (!op.getNeurons())
        layers.push_back(op);
    });
    for (LIFOp op : layers) {
      if (!hasNeurons) {
        op.emitError("cannot map a LIF layer onto neurons: the target has "
                     "no LIF neurons (its description has no `lif`)");
        return signalPassFailure();
      }
      map(op, target, coding);
    }
  }

  /// Maps `op` onto the neurons; `codingOfAnalogInputs` is how the rows of
  /// its products whose inputs are not spikes are driven (none: DAC
  /// levels).
  void map(LIFOp op, TargetAttr target,
           std::optional<InputCoding> codingOfAnalogInputs) {
    auto remark = [&](const Twine &why) {
      op.emitRemark("LIF layer keeps its membranes in the digital unit: ")
          << why;
    };
    // A loop's carried membrane stays on the columns between iterations.
    if (op.getInit() && !op.carriesMembraneAcrossIterations())
      return remark("its initial membrane is not zero");
    SmallVector<Current> currents;
    for (Value v : op.getCurrents()) {
      std::optional<Current> c = matchCurrent(v);
      if (!c)
        return remark("a current is not a product with a constant weight "
                      "(plus a constant bias)");
      currents.push_back(*c);
    }
    LinearOp first = currents.front().product;
    for (Current &c : currents)
      if (!sameConstant(c.product.getWeight(), first.getWeight()) ||
          !sameConstant(c.bias, currents.front().bias) ||
          c.product.getPlacementAttr() != first.getPlacementAttr() ||
          c.product.getWeightBitsAttr() != first.getWeightBitsAttr())
        return remark("its steps' products differ in weights, bias or "
                      "placement");
    for (Current &c : currents)
      if (!isa<ADCReadoutAttr>(c.product.getReadout()) ||
          c.product.getBiasRow() || c.product.getReplica())
        return remark("a product has a fused readout, a bias row or "
                      "replicas");
    ArrayKindAttr array = first.getArrayKind(target);
    if (!array || array.getCell() != CellTech::rram)
      return remark("its weights are not on RRAM arrays (the LIF neurons "
                    "sit at the RRAM columns)");
    // The bias as [1, ..., N].
    Value bias = currents.front().bias;
    auto type = cast<RankedTensorType>(op.getCurrents().front().getType());
    if (bias) {
      auto biasType = cast<RankedTensorType>(bias.getType());
      if (biasType.getRank() != type.getRank() ||
          biasType.getShape().back() != type.getShape().back() ||
          llvm::any_of(biasType.getShape().drop_back(),
                       [](int64_t d) { return d != 1; }))
        return remark("its bias is not one value per neuron");
    }

    // One read per step: the array is driven again at every step.
    OpBuilder b(op);
    MLIRContext *ctx = &getContext();
    SmallVector<Value> charges;
    for (auto [t, c] : llvm::enumerate(currents)) {
      LinearOp p = c.product;
      InputCodingAttr coding = p.getInputCodingAttr();
      if (!coding && codingOfAnalogInputs)
        coding = InputCodingAttr::get(ctx, *codingOfAnalogInputs);
      charges.push_back(b.create<LinearOp>(
          p.getLoc(), p.getType(), p.getInput(), p.getWeight(),
          ChargeReadoutAttr::get(ctx), p.getPlacementAttr(),
          p.getWeightNameAttr(), /*bias_row=*/UnitAttr(),
          p.getWeightBitsAttr(), /*replica=*/IntegerAttr(),
          b.getI64IntegerAttr(int64_t(t)), coding));
    }
    auto mapped = b.create<LIFOp>(
        op.getLoc(), op.getResultTypes(), bias, op.getInit(), charges,
        op.getBetaAttr(), op.getThetaAttr(), op.getCompareAttr(),
        op.getResetAttr(), op.getRefractoryAttr(), b.getUnitAttr());
    op.replaceAllUsesWith(mapped.getResults());
    llvm::SetVector<Operation *> old;
    for (Value v : op.getCurrents())
      old.insert(v.getDefiningOp());
    for (Current &c : currents)
      old.insert(c.product);
    op.erase();
    // Shapes taken of the old currents are the charges' shapes.
    for (Operation *def : old)
      for (OpOperand &use : llvm::make_early_inc_range(def->getUses()))
        if (isa<ShapeOfOp>(use.getOwner()) &&
            use.get().getType() == charges.front().getType())
          use.set(charges.front());
    // The old currents (adds, then products) if nothing else reads them.
    for (Operation *def : old)
      if (def->use_empty())
        def->erase();
    // The shapes now come after the charges they take.
    if (!sortTopologically(mapped->getBlock()))
      mapped.emitError("could not order the mapped LIF layer");
  }
};
} // namespace
