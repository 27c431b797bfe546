//===- SplitRows.cpp - Spread analog rows over free tile rows ---*- C++ -*-===//
//
// Implements `cim-split-rows`: the rows of a product on RRAM arrays that the
// last row block leaves free hold copies of the rows that set the columns'
// scales (cim/Macro/RowCopies.h), each copy w / k driven by the same input.
//
//===----------------------------------------------------------------------===//

#include "Capacity.h"
#include "Quantisation.h"

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/Passes.h"
#include "cim/Macro/RowCopies.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"

#include <cmath>

namespace cim {
#define GEN_PASS_DEF_SPLITROWS
#include "cim/Dialect/CIM/CIMPasses.h.inc"
} // namespace cim

using namespace mlir;
using namespace cim;

namespace {

/// The measure the copies must reach, relative to one row per input:
/// copies that save less than half the noise power do not pay for the IR
/// drop of fuller columns, their cells and their DAC drives (on the
/// Fashion-MNIST LSTM's gates, which save about a third, they cost
/// accuracy; docs/Calibration.md).
constexpr double kMinNoiseSaving = 0.5;

struct SplitRowsPass : public cim::impl::SplitRowsBase<SplitRowsPass> {
  using SplitRowsBase::SplitRowsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<TargetAttr> target = requireTarget(module);
    if (failed(target))
      return signalPassFailure();
    FailureOr<std::vector<NamedRule>> rules =
        parseNamedRules(module, activeRows, "active-rows", 1, kMaxActiveRows);
    if (failed(rules))
      return signalPassFailure();
    if (maxCopies <= 1)
      return;
    // Weight cells per kind of array, each weight matrix once (as
    // cim-check-capacity counts them). The copies may use the target's
    // arrays up to 90% of them (the rest is slack for packing), and where
    // the model already needs more, only what its own arrays leave free:
    // they never fail the capacity check.
    llvm::MapVector<CellTech, uint64_t> cells;
    llvm::DenseSet<std::pair<Attribute, CellTech>> seen;
    SmallVector<LinearOp> products;
    module.walk([&](LinearOp op) {
      ArrayKindAttr kind = op.getArrayKind(*target);
      Attribute weights;
      if (!kind || !matchPattern(op.getWeight(), m_Constant(&weights)))
        return;
      if (seen.insert({weights, kind.getCell()}).second)
        cells[kind.getCell()] += weightCells(op, kind);
      products.push_back(op);
    });
    llvm::DenseMap<CellTech, uint64_t> freeCells;
    for (auto [cell, used] : cells) {
      ArrayKindAttr kind = target->lookupArray(cell);
      uint64_t perArray = kind.cellsPerArray();
      uint64_t total = target->totalArrays(kind);
      uint64_t arrays = std::max<uint64_t>(
          std::min<uint64_t>((used + perArray - 1) / perArray, total),
          total * 9 / 10);
      freeCells[cell] = arrays * perArray > used ? arrays * perArray - used : 0;
    }
    // Small products first: a classifier head or a stem gains the most from
    // each copied row (no later layer averages its noise).
    std::stable_sort(products.begin(), products.end(),
                     [](LinearOp a, LinearOp b) {
                       return cast<RankedTensorType>(a.getWeight().getType())
                                  .getDimSize(0) <
                              cast<RankedTensorType>(b.getWeight().getType())
                                  .getDimSize(0);
                     });
    for (LinearOp op : products)
      split(op, *target, *rules, freeCells);
  }

  void split(LinearOp op, TargetAttr target, ArrayRef<NamedRule> rules,
             llvm::DenseMap<CellTech, uint64_t> &freeCells) {
    ArrayKindAttr array = op.getArrayKind(target);
    if (!array || array.getCell() != CellTech::rram ||
        !isa<ADCReadoutAttr>(op.getReadout()) || op.getInputCoding() ||
        op.getReplica() || op->getParentOfType<ODEOp>())
      return;
    DenseElementsAttr weights;
    if (!matchPattern(op.getWeight(), m_Constant(&weights)) ||
        !weights.getElementType().isF32())
      return;
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto weightType = cast<RankedTensorType>(weights.getType());
    const int64_t total = weightType.getDimSize(0);
    const int64_t cols = weightType.getDimSize(1);
    const int64_t fixedRows = op.getBiasRow() ? 1 : 0;
    const int64_t rows = total - fixedRows;
    if (inputType.getRank() < 1 || inputType.isDynamicDim(inputType.getRank() - 1) ||
        inputType.getShape().back() != rows || rows <= 0 || cols <= 0)
      return;
    const int64_t rowsPerTile = rowsPerBlock(op, array, rules);
    // The rows the last row block leaves free, as far as the model's
    // arrays have cells to spare for them.
    const uint64_t rowCells = weightCells(op, array) / uint64_t(total);
    const int64_t free = std::min<int64_t>(
        (total + rowsPerTile - 1) / rowsPerTile * rowsPerTile - total,
        int64_t(freeCells[array.getCell()] / std::max<uint64_t>(rowCells, 1)));
    if (free <= 0)
      return;
    SmallVector<float> values(weights.getValues<float>());
    if (!llvm::all_of(values, [](float v) { return std::isfinite(v); }))
      return;
    // Weights already on a grid of levels (a QDQ model's integers) keep
    // it: copies of w / k would leave the grid.
    if (onExactGrid(values, cols, array))
      return;
    std::vector<float> fixed;
    if (fixedRows)
      fixed.assign(values.end() - cols, values.end());
    std::vector<int64_t> copies = macro::chooseRowCopies(
        values.data(), size_t(rows), size_t(cols), fixed, size_t(fixedRows),
        free, int64_t(maxCopies), kMinNoiseSaving);
    if (llvm::all_of(copies, [](int64_t k) { return k == 1; }))
      return;

    // Row r's copies sit together, in the order of the rows; the bias row
    // stays last.
    SmallVector<int64_t> indices;
    SmallVector<float> split;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < copies[r]; ++c) {
        indices.push_back(r);
        for (int64_t j = 0; j < cols; ++j)
          split.push_back(values[r * cols + j] / float(copies[r]));
      }
    split.append(fixed.begin(), fixed.end());
    const int64_t driven = int64_t(indices.size());
    freeCells[array.getCell()] -= uint64_t(driven - rows) * rowCells;

    OpBuilder b(op);
    Location loc = op.getLoc();
    auto indexType = RankedTensorType::get({driven}, b.getI64Type());
    Value index = b.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(indexType, ArrayRef<int64_t>(indices)));
    SmallVector<int64_t> shape(inputType.getShape());
    shape.back() = driven;
    Value input = b.create<GatherOp>(
        loc, RankedTensorType::get(shape, inputType.getElementType()),
        op.getInput(), index, b.getI64IntegerAttr(inputType.getRank() - 1));
    auto splitType = RankedTensorType::get({driven + fixedRows, cols},
                                           b.getF32Type());
    Value weight = b.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(splitType, ArrayRef<float>(split)));
    Operation *weightDef = op.getWeight().getDefiningOp();
    op.getInputMutable().assign(input);
    op.getWeightMutable().assign(weight);
    if (weightDef && weightDef->use_empty())
      weightDef->erase();
  }
};
} // namespace
