//===- CheckCapacity.cpp - Refuse what cannot fit, early --------*- C++ -*-===//
//
// Implements `cim-check-capacity`: the cells of every cim.linear on its
// kind of array, over the cells of one array, bound the arrays each kind
// needs; a kind that needs more than the target has fails the compile
// before tiling and packing, which take the time.
//
//===----------------------------------------------------------------------===//

#include "Capacity.h"

#include "cim/Dialect/CIM/Passes.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"

#include <tuple>

namespace cim {
#define GEN_PASS_DEF_CHECKCAPACITY
#include "cim/Dialect/CIM/CIMPasses.h.inc"
} // namespace cim

using namespace mlir;
using namespace cim;

void cim::emitCapacityError(ModuleOp module, TargetAttr target,
                            ArrayKindAttr kind, uint64_t arrays, bool bound) {
  uint64_t cellsPerArray = kind.cellsPerArray();
  uint64_t available = target.totalArrays(kind);
  module.emitError("the model does not fit target '")
      << target.getName() << "': " << stringifyCellTech(kind.getCell())
      << " needs " << (bound ? "at least " : "") << arrays << " arrays ("
      << arrays * cellsPerArray << " cells) but the target has " << available
      << " (" << available * cellsPerArray << " cells); compile for more "
      << "macros (--macros "
      << (arrays + kind.getCount() - 1) / std::max(1u, kind.getCount())
      << (bound ? " or more" : "")
      << ") or time-share writable arrays (--allow-reload)";
}

uint64_t cim::weightCells(LinearOp op, ArrayKindAttr kind) {
  auto type = cast<RankedTensorType>(op.getWeight().getType());
  return uint64_t(type.getDimSize(0)) *
         kind.physicalCols(unsigned(type.getDimSize(1)),
                           kind.slicesFor(unsigned(op.getWeightBits().value_or(0))));
}

int64_t cim::rowsPerBlock(LinearOp op, ArrayKindAttr kind,
                          ArrayRef<NamedRule> activeRows) {
  int64_t rows = kind.usableRows();
  if (const NamedRule *rule =
          matchRule(activeRows, op.getWeightName().value_or("")))
    rows = std::min<int64_t>(rows, rule->value);
  return rows;
}

namespace {
struct CheckCapacityPass
    : public cim::impl::CheckCapacityBase<CheckCapacityPass> {
  using CheckCapacityBase::CheckCapacityBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<TargetAttr> target = requireTarget(module);
    if (failed(target))
      return signalPassFailure();
    // Weight cells per kind of array (by its cell technology). Products of
    // one weight matrix with the same cells share their tiles (an
    // unrolled loop's steps), so each counts once.
    llvm::MapVector<CellTech, uint64_t> cells;
    llvm::DenseSet<std::tuple<Attribute, CellTech, unsigned, int64_t,
                              Attribute>>
        seen;
    module.walk([&](LinearOp op) {
      ArrayKindAttr kind = op.getArrayKind(*target);
      if (!kind)
        return; // cim-tile-weights reports it
      unsigned slices =
          kind.slicesFor(unsigned(op.getWeightBits().value_or(0)));
      Attribute weights;
      if (matchPattern(op.getWeight(), m_Constant(&weights))) {
        // A ramp is part of its tile; other readouts are not.
        Attribute ramp = dyn_cast<RampReadoutAttr>(op.getReadout());
        if (!seen.insert({weights, kind.getCell(), slices,
                          int64_t(op.getReplica().value_or(0)), ramp})
                 .second)
          return;
      }
      cells[kind.getCell()] += weightCells(op, kind);
    });
    for (auto [cell, needed] : cells) {
      ArrayKindAttr kind = target->lookupArray(cell);
      uint64_t perArray = kind.cellsPerArray();
      uint64_t arrays = (needed + perArray - 1) / perArray;
      if (arrays <= target->totalArrays(kind) ||
          (allowReload && cell != CellTech::rom))
        continue;
      emitCapacityError(module, *target, kind, arrays, /*bound=*/true);
      return signalPassFailure();
    }
  }
};
} // namespace
