//===- PackTiles.cpp - Assign weight blocks to physical arrays --*- C++ -*-===//
//
// Implements `cim-pack-tiles`: first-fit decreasing height shelf packing of
// the weight blocks of each kind of array. Blocks go, tallest first, onto
// the first shelf (a band of rows of one array) that is tall enough and has
// the columns left; else onto a new shelf in the first array with the rows
// left; else into a new array. Blocks never overlap, so each can be read by
// driving its rows and converting its columns. Then the arrays needed are
// checked against what the target has.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/MapVector.h"

namespace cim {
#define GEN_PASS_DEF_PACKTILES
#include "cim/Dialect/CIM/CIMPasses.h.inc"
} // namespace cim

using namespace mlir;
using namespace cim;

namespace {

struct Shelf {
  unsigned row, height, usedCols;
};

struct PhysicalArray {
  std::vector<Shelf> shelves;
  unsigned usedRows = 0;
};

struct PackTilesPass : public cim::impl::PackTilesBase<PackTilesPass> {
  using PackTilesBase::PackTilesBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<TargetAttr> target = requireTarget(module);
    if (failed(target))
      return signalPassFailure();

    llvm::MapVector<CellTech, SmallVector<ProgramTileOp>> byCell;
    module.walk([&](ProgramTileOp op) {
      byCell[op.getTile().getType().getCell()].push_back(op);
    });

    Builder b(&getContext());
    for (auto &[cell, tiles] : byCell) {
      ArrayKindAttr kind = target->lookupArray(cell);
      if (!kind) {
        tiles.front().emitOpError("target '")
            << target->getName() << "' has no " << stringifyCellTech(cell)
            << " arrays";
        return signalPassFailure();
      }
      // Tallest first; ties keep program order, so packing is deterministic.
      llvm::stable_sort(tiles, [](ProgramTileOp a, ProgramTileOp b) {
        return a.getTile().getType().getRows() > b.getTile().getType().getRows();
      });
      std::vector<PhysicalArray> arrays;
      for (ProgramTileOp op : tiles) {
        TileType tile = op.getTile().getType();
        unsigned rows = tile.getRows();
        unsigned cols = kind.physicalCols(tile.getCols());
        auto [index, row, col] = place(arrays, kind, rows, cols);
        op.setArrayAttr(b.getI64IntegerAttr(index));
        op.setArrayRowAttr(b.getI64IntegerAttr(row));
        op.setArrayColAttr(b.getI64IntegerAttr(col));
      }
      bool writable = cell != CellTech::rom;
      uint64_t available = target->totalArrays(kind);
      if (arrays.size() > available && allowReload && writable) {
        // Time-shared: the packed arrays take turns on the physical ones,
        // and every tile of this kind is written per inference.
        for (ProgramTileOp op : tiles) {
          op.setReload(true);
          op.setArrayAttr(
              b.getI64IntegerAttr(*op.getArray() % available));
        }
        continue;
      }
      if (arrays.size() > available) {
        uint64_t cellsPerArray = kind.cellsPerArray();
        module.emitError("the model does not fit target '")
            << target->getName() << "': " << stringifyCellTech(cell)
            << " needs " << arrays.size() << " arrays ("
            << arrays.size() * cellsPerArray << " cells) but the target has "
            << available << " (" << available * cellsPerArray << " cells)";
        return signalPassFailure();
      }
    }
  }

  /// Places a rows x cols block; returns (array, row, col).
  static std::tuple<unsigned, unsigned, unsigned>
  place(std::vector<PhysicalArray> &arrays, ArrayKindAttr kind, unsigned rows,
        unsigned cols) {
    for (auto [i, array] : llvm::enumerate(arrays))
      for (Shelf &shelf : array.shelves)
        if (shelf.height >= rows && shelf.usedCols + cols <= kind.getCols()) {
          unsigned col = shelf.usedCols;
          shelf.usedCols += cols;
          return {unsigned(i), shelf.row, col};
        }
    for (auto [i, array] : llvm::enumerate(arrays))
      if (array.usedRows + rows <= kind.getRows()) {
        array.shelves.push_back({array.usedRows, rows, cols});
        array.usedRows += rows;
        return {unsigned(i), array.shelves.back().row, 0};
      }
    arrays.emplace_back();
    arrays.back().shelves.push_back({0, rows, cols});
    arrays.back().usedRows = rows;
    return {unsigned(arrays.size() - 1), 0, 0};
  }
};
} // namespace
