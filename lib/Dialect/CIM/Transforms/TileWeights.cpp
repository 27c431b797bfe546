//===- TileWeights.cpp - Split weight matrices onto arrays ------*- C++ -*-===//
//
// Implements `cim-tile-weights`: every `cim.linear` is split into blocks that
// fit one array of the target. Each block is programmed into a tile and read
// by a `cim.mvm` over its slice of the input; partial sums along the input
// dimension are added explicitly and column groups are concatenated, so the
// digital work the split creates is visible in the IR.
//
//===----------------------------------------------------------------------===//

#include "Capacity.h"
#include "Quantisation.h"

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

namespace cim {
#define GEN_PASS_DEF_TILEWEIGHTS
#include "cim/Dialect/CIM/CIMPasses.h.inc"
} // namespace cim

using namespace mlir;
using namespace cim;

namespace {

/// `shape` with its last dimension replaced by `last`.
RankedTensorType withLastDim(RankedTensorType type, int64_t last) {
  SmallVector<int64_t> shape(type.getShape());
  shape.back() = last;
  return RankedTensorType::get(shape, type.getElementType());
}

struct TileWeightsPass : public cim::impl::TileWeightsBase<TileWeightsPass> {
  using TileWeightsBase::TileWeightsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<TargetAttr> target = requireTarget(module);
    if (failed(target))
      return signalPassFailure();
    FailureOr<std::vector<NamedRule>> parsed =
        parseNamedRules(module, rules, "active-rows", 1, kMaxActiveRows);
    if (failed(parsed))
      return signalPassFailure();
    WalkResult result = module.walk([&](LinearOp op) {
      if (failed(tile(op, *target, *parsed)))
        return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

  LogicalResult tile(LinearOp op, TargetAttr target,
                     ArrayRef<NamedRule> activeRows) {
    DenseElementsAttr weights;
    if (!matchPattern(op.getWeight(), m_Constant(&weights)))
      return op.emitOpError("weight is not a constant");
    auto weightType = cast<RankedTensorType>(weights.getType());
    if (!weightType.getElementType().isF32())
      return op.emitOpError("weights of type ")
             << weightType.getElementType() << " are not supported (need f32)";
    const int64_t k = weightType.getDimSize(0), n = weightType.getDimSize(1);
    ArrayKindAttr array = op.getArrayKind(target);
    if (!array)
      return op.emitOpError("is placed on ")
             << stringifyCellTech(*op.getPlacement())
             << " arrays, which the target does not have";
    const WeightEncoding encoding = array.getEncoding();
    const int64_t rowsPerTile = rowsPerBlock(op, array, activeRows);
    // The product's weight bits (absent: the kind's), as its tiles carry
    // them.
    const int64_t colsPerTile = array.maxLogicalCols(macro::weightSlices(
        unsigned(op.getWeightBits().value_or(array.getWeightBits())),
        array.getBitsPerCell()));
    SmallVector<float> values(weights.getValues<float>());
    // Cells hold conductances: a NaN or infinite weight has no level to be
    // programmed to, and would spoil its whole tile's scale.
    if (auto bad = llvm::find_if(values, [](float v) { return !std::isfinite(v); });
        bad != values.end()) {
      int64_t at = bad - values.begin();
      return op.emitOpError("weight '")
             << op.getWeightName().value_or("") << "' holds "
             << (std::isnan(*bad) ? "NaN" : "an infinite value") << " at ["
             << at / n << ", " << at % n
             << "]; weights on arrays must be finite";
    }

    // A product whose weights sit exactly on its precision's levels (a QDQ
    // model's integers) keeps the scales that hold them (exactScales) in
    // every block (and every piece packing cuts from it): a block's own
    // largest |w| would put the same levels on another grid and round them
    // again. Binary columns (every |w| the same) need none: every block
    // has their scale.
    std::vector<double> columnScale;
    const unsigned bits =
        unsigned(op.getWeightBits().value_or(array.getWeightBits()));
    if (array.getBitsPerCell() > 0) {
      columnScale = exactScales(values, n, array, bits);
      if (!columnScale.empty() &&
          llvm::all_of(llvm::seq<size_t>(0, values.size()), [&](size_t i) {
            double v = std::fabs(values[i]);
            return v == 0 || v == columnScale[i % size_t(n)];
          }))
        columnScale.clear();
    }

    OpBuilder b(op);
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto encodingAttr = WeightEncodingAttr::get(&getContext(), encoding);
    // Binary neurons whose fan-in spans several arrays: each row block
    // passes its charge on to the next (#cim.charge, the carry), and the
    // last block's comparators decide.
    auto neurons = dyn_cast<SignReadoutAttr>(op.getReadout());
    // LIF neurons: the row blocks pass their charge on in the same way, the
    // last one's to the cim.lif that reads the product.
    bool lif = isa<ChargeReadoutAttr>(op.getReadout());
    SmallVector<Value> columnGroups;
    for (int64_t c0 = 0; c0 < n; c0 += colsPerTile) {
      int64_t cb = std::min(colsPerTile, n - c0);
      auto partialType = withLastDim(inputType, cb);
      Value sum;
      Attribute readout = op.getReadout();
      if (neurons)
        readout = neurons.slice(size_t(c0), size_t(cb));
      for (int64_t r0 = 0; r0 < k; r0 += rowsPerTile) {
        int64_t rb = std::min(rowsPerTile, k - r0);
        SmallVector<float> block;
        block.reserve(rb * cb);
        for (int64_t r = r0; r < r0 + rb; ++r)
          block.append(values.begin() + r * n + c0,
                       values.begin() + r * n + c0 + cb);
        auto blockType = RankedTensorType::get({rb, cb}, b.getF32Type());
        Value blockValue = b.create<arith::ConstantOp>(
            loc, DenseElementsAttr::get(blockType, ArrayRef<float>(block)));
        auto tileType = TileType::get(&getContext(), rb, cb, array.getCell());
        Value tileValue =
            b.create<ProgramTileOp>(loc, tileType, blockValue, encodingAttr,
                                    IntegerAttr(), IntegerAttr(), IntegerAttr(),
                                    /*reload=*/UnitAttr(), /*analog=*/UnitAttr(),
                                    lif ? b.getUnitAttr() : UnitAttr(),
                                    dyn_cast<RampReadoutAttr>(op.getReadout()),
                                    op.getWeightBitsAttr(),
                                    /*adc_windows=*/DenseF64ArrayAttr(),
                                    op.getReplicaAttr(),
                                    /*codes=*/DenseIntElementsAttr(),
                                    /*input_means=*/DenseF64ArrayAttr(),
                                    op.getInputCodingAttr(),
                                    columnScale.empty()
                                        ? DenseF64ArrayAttr()
                                        : b.getDenseF64ArrayAttr(ArrayRef(
                                              columnScale.data() + c0, cb)));
        // A bias row (the weight's last) is the last row block's last row.
        bool biasRow = op.getBiasRow() && r0 + rb == k;
        if (neurons || lif) {
          bool last = r0 + rb == k;
          sum = b.create<MVMOp>(
              loc, partialType, tileValue, op.getInput(), sum,
              b.getI64IntegerAttr(r0),
              last ? readout : ChargeReadoutAttr::get(&getContext()),
              UnitAttr(), op.getStepAttr());
          continue;
        }
        Value partial = b.create<MVMOp>(
            loc, partialType, tileValue, op.getInput(), Value(),
            b.getI64IntegerAttr(r0), readout,
            biasRow ? b.getUnitAttr() : UnitAttr(), op.getStepAttr());
        sum = sum ? b.create<tosa::AddOp>(loc, partialType, sum, partial)
                  : partial;
      }
      columnGroups.push_back(sum);
    }
    Value result = columnGroups.front();
    if (columnGroups.size() > 1)
      result = b.create<tosa::ConcatOp>(loc, op.getType(), columnGroups,
                                        b.getI32IntegerAttr(inputType.getRank() - 1));
    Operation *weightDef = op.getWeight().getDefiningOp();
    op.replaceAllUsesWith(result);
    op.erase();
    if (weightDef && weightDef->use_empty())
      weightDef->erase();
    return success();
  }
};
} // namespace
