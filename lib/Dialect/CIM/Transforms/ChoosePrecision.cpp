//===- ChoosePrecision.cpp - Weight bits from an error budget ---*- C++ -*-===//
//
// Implements `cim-choose-precision`: every product read through an ADC gets
// the fewest weight bits (cells per weight) whose quantisation error is
// within the budget, unless a rule fixes them; on that many cells, weights
// that some narrower width holds exactly get that width.
//
//===----------------------------------------------------------------------===//

#include "NamedRules.h"
#include "Quantisation.h"

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/Passes.h"
#include "cim/Macro/Limits.h"
#include "cim/Macro/Slicing.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/FormatVariadic.h"

namespace cim {
#define GEN_PASS_DEF_CHOOSEPRECISION
#include "cim/Dialect/CIM/CIMPasses.h.inc"
} // namespace cim

using namespace mlir;
using namespace cim;

namespace {

struct ChoosePrecisionPass
    : public cim::impl::ChoosePrecisionBase<ChoosePrecisionPass> {
  using ChoosePrecisionBase::ChoosePrecisionBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<TargetAttr> target = requireTarget(module);
    if (failed(target))
      return signalPassFailure();
    FailureOr<std::vector<NamedRule>> parsed = parseNamedRules(
        module, rules, "weight-bits", 0, macro::kMaxWeightBits);
    if (failed(parsed))
      return signalPassFailure();
    if (!(errorBudget > 0)) {
      module.emitError("the weight error budget (error-budget, "
                       "--weight-error-budget) must be positive, got ")
          << errorBudget;
      return signalPassFailure();
    }
    WalkResult result = module.walk([&](LinearOp op) {
      return failed(choose(op, *target, *parsed)) ? WalkResult::interrupt()
                                                 : WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

  LogicalResult choose(LinearOp op, TargetAttr target,
                       ArrayRef<NamedRule> rules) {
    ArrayKindAttr array = op.getArrayKind(target);
    if (!array)
      return success(); // cim-tile-weights reports it
    // A binary neuron's weight is one bridge, a pair of cells: +-1 needs
    // no more precision than the cells have.
    if (isa<SignReadoutAttr>(op.getReadout())) {
      if (array.getWeightBits() > array.getBitsPerCell())
        op.setWeightBitsAttr(
            Builder(op).getI64IntegerAttr(array.getBitsPerCell()));
      return success();
    }
    DenseElementsAttr weights;
    if (!matchPattern(op.getWeight(), m_Constant(&weights)) ||
        !weights.getElementType().isF32())
      return success();
    Builder b(op);
    StringRef name = op.getWeightName().value_or("");
    if (const NamedRule *rule = matchRule(rules, name)) {
      unsigned slices = array.slicesFor(rule->value);
      if (array.physicalCols(1, slices) > array.usableCols())
        return op.emitOpError("weight-bits ")
               << rule->value << " needs " << array.physicalCols(1, slices)
               << " columns per weight; the "
               << stringifyCellTech(array.getCell()) << " arrays have "
               << array.usableCols();
      if (rule->value != 0)
        op.setWeightBitsAttr(b.getI64IntegerAttr(rule->value));
      return success();
    }
    SmallVector<float> w(weights.getValues<float>());
    int64_t n = cast<RankedTensorType>(weights.getType()).getDimSize(1);
    const unsigned perCell = array.getBitsPerCell();
    double error = quantisationError(w, n, array, 0);
    if (error <= errorBudget)
      return success();
    if (isa<RampReadoutAttr>(op.getReadout())) {
      op.emitRemark("weights quantised with ")
          << llvm::formatv("{0:f1}", 100 * error).str()
          << "% RMS error, above the budget: a product fused into a ramp "
             "readout has one cell per weight";
      return success();
    }
    // One more cell per weight at a time, while a weight fits one array.
    unsigned best = 0;
    for (unsigned slices = array.getSlices() + 1;
         slices * perCell <= std::max<unsigned>(maxBits, perCell) &&
         slices * perCell <= macro::kMaxWeightBits &&
         array.physicalCols(1, slices) <= array.usableCols();
         ++slices) {
      best = slices * perCell;
      error = quantisationError(w, n, array, best);
      if (error <= errorBudget)
        break;
    }
    // Weights already on a grid of 2^bits - 1 levels per column (a QDQ
    // model's int8 levels, say) keep their levels: among the widths on as
    // many cells, the narrowest that holds them exactly (to float32
    // rounding) replaces one that would re-quantise them.
    if (best != 0)
      for (unsigned bits = best - perCell + 1; bits <= best; ++bits)
        if (!exactScales(w, n, array, bits).empty()) {
          best = bits;
          break;
        }
    if (best != 0)
      op.setWeightBitsAttr(b.getI64IntegerAttr(best));
    return success();
  }
};
} // namespace
