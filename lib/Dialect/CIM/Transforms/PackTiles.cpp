//===- PackTiles.cpp - Assign weight blocks to physical arrays --*- C++ -*-===//
//
// Implements `cim-pack-tiles`: guillotine packing of the weight blocks of
// each kind of array. Every array keeps a list of free rectangles. Blocks
// go, tallest first, into the free rectangle they fill best (least area
// left over) or else into a new array; the rest of the rectangle is cut in
// two: the part right of the block (as tall as the block) and the part
// below it (as wide as the rectangle). Blocks never overlap, so each can be
// read by driving its rows and converting its columns.
//
// Whole blocks can leave arrays partly empty. A second packing splits a
// block that fits nowhere whole, while the free rectangles could still hold
// all that is left, into the largest free rectangle and packs the rest on;
// a block split by rows reads its pieces' partial sums into a digital add,
// one split by columns concatenates them. The split packing is kept only
// when it needs fewer arrays. Then the arrays needed are checked against
// the target.
//
//===----------------------------------------------------------------------===//

#include "Capacity.h"

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/MapVector.h"

namespace cim {
#define GEN_PASS_DEF_PACKTILES
#include "cim/Dialect/CIM/CIMPasses.h.inc"
} // namespace cim

using namespace mlir;
using namespace cim;

namespace {

/// A free rectangle of cells (physical rows and columns) in one array.
struct FreeRect {
  unsigned array, row, col, rows, cols;
  uint64_t cells() const { return uint64_t(rows) * cols; }
};

/// A rectangle of one tile's weight block (logical rows and columns). A
/// split piece becomes a row split (pieces' results added) or a column
/// split (concatenated) of two children; the rest are leaves, placed at
/// (array, row, col).
struct Piece {
  enum Kind { Leaf, RowSplit, ColSplit } kind = Leaf;
  unsigned tile;
  unsigned row0, rows, col0, cols;
  unsigned children[2] = {0, 0};
  unsigned array = 0, arrayRow = 0, arrayCol = 0;
};

/// A packing of the tiles of one kind of array.
struct Packing {
  ArrayKindAttr kind;
  unsigned arrays = 0;
  std::vector<FreeRect> free;
  std::vector<Piece> pieces; // the first `tiles` pieces are the tiles' roots
  std::vector<unsigned> slices; // cells per weight, by tile

  /// Array columns that `logicalCols` weight columns of `tile` take.
  unsigned physCols(unsigned tile, unsigned logicalCols) const {
    return kind.physicalCols(logicalCols, slices[tile]);
  }
  unsigned physCols(const Piece &piece) const {
    return physCols(piece.tile, piece.cols);
  }

  /// Places `piece` (rows x physCols cells) at the top-left corner of free
  /// rectangle `index` and cuts the rest of it in two.
  void placeIn(size_t index, Piece &piece, unsigned physCols) {
    FreeRect r = free[index];
    piece.array = r.array;
    piece.arrayRow = r.row;
    piece.arrayCol = r.col;
    free.erase(free.begin() + index);
    if (r.cols > physCols)
      free.push_back({r.array, r.row, r.col + physCols, piece.rows,
                      r.cols - physCols});
    if (r.rows > piece.rows)
      free.push_back({r.array, r.row + piece.rows, r.col, r.rows - piece.rows,
                      r.cols});
  }

  void placeInNewArray(Piece &piece, unsigned physCols) {
    free.push_back({arrays++, 0, 0, kind.usableRows(), kind.usableCols()});
    placeIn(free.size() - 1, piece, physCols);
  }

  /// Cells of the free rectangles that can hold a weight column of `tile`.
  uint64_t freeCells(unsigned tile) const {
    uint64_t cells = 0;
    for (const FreeRect &r : free)
      if (r.cols >= physCols(tile, 1))
        cells += r.cells();
    return cells;
  }
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
      Packing packing = pack(tiles, kind, /*split=*/false);
      if (allowSplit && packing.arrays > 1) {
        Packing splitPacking = pack(tiles, kind, /*split=*/true);
        if (splitPacking.arrays < packing.arrays)
          packing = std::move(splitPacking);
      }
      SmallVector<ProgramTileOp> placed = apply(tiles, packing);

      bool writable = cell != CellTech::rom;
      uint64_t available = target->totalArrays(kind);
      if (packing.arrays > available && allowReload && writable) {
        // Time-shared: the packed arrays take turns on the physical ones,
        // and every tile of this kind is written per inference.
        for (ProgramTileOp op : placed) {
          op.setReload(true);
          op.setArrayAttr(b.getI64IntegerAttr(*op.getArray() % available));
        }
        continue;
      }
      if (packing.arrays > available) {
        emitCapacityError(module, *target, kind, packing.arrays,
                          /*bound=*/false);
        return signalPassFailure();
      }
    }
  }

  /// Weight columns of `tile` that fit in `freeCols` physical columns.
  static unsigned logicalColsIn(const Packing &p, unsigned tile,
                                unsigned freeCols) {
    unsigned cols = freeCols / p.physCols(tile, 1) + 1;
    while (cols > 0 && p.physCols(tile, cols) > freeCols)
      --cols;
    return cols;
  }

  /// Packs `tiles` tallest first. With `split`, a piece that fits nowhere
  /// whole, while the free rectangles could still hold all that is left,
  /// fills the largest free rectangle and the rest packs on.
  static Packing pack(ArrayRef<ProgramTileOp> tiles, ArrayKindAttr kind,
                      bool split) {
    Packing p;
    p.kind = kind;
    std::vector<unsigned> work;
    for (auto [i, tileOp] : llvm::enumerate(tiles)) {
      TileType type = ProgramTileOp(tileOp).getTile().getType();
      p.slices.push_back(ProgramTileOp(tileOp).getSlices(kind));
      p.pieces.push_back({Piece::Leaf, unsigned(i), 0, unsigned(type.getRows()),
                          0, unsigned(type.getCols())});
      work.push_back(i);
    }
    // Tallest first; ties keep program order, so packing is deterministic.
    auto taller = [&](unsigned a, unsigned b) {
      return p.pieces[a].rows > p.pieces[b].rows;
    };
    llvm::stable_sort(work, taller);
    auto cells = [&](unsigned id) {
      return uint64_t(p.pieces[id].rows) * p.physCols(p.pieces[id]);
    };
    uint64_t left = 0;
    for (unsigned id : work)
      left += cells(id);
    for (size_t w = 0; w < work.size(); ++w) {
      unsigned id = work[w];
      left -= cells(id);
      Piece &piece = p.pieces[id];
      unsigned physCols = p.physCols(piece);
      // A block of a whole array fits only an empty one.
      bool full = piece.rows == kind.usableRows() && physCols == kind.usableCols();
      if (std::optional<size_t> r = full ? std::nullopt
                                         : bestFit(p, piece.rows, physCols)) {
        p.placeIn(*r, piece, physCols);
        continue;
      }
      ProgramTileOp tileOp = tiles[piece.tile];
      // A fused activation, a binary neuron or a bias row needs the whole
      // block in one read.
      bool splittable =
          split && tileOp.getWeights().getDefiningOp<arith::ConstantOp>() &&
          llvm::none_of(tileOp->getUsers(), [](Operation *user) {
            auto mvm = dyn_cast<MVMOp>(user);
            return !mvm || mvm.getBiasRow() ||
                   !isa<ADCReadoutAttr>(mvm.getReadout());
          });
      if (splittable && left + cells(id) <= p.freeCells(piece.tile)) {
        for (unsigned rest : placePart(p, id)) {
          left += cells(rest);
          work.push_back(rest);
        }
        // The rest joins the queue in height order.
        std::stable_sort(work.begin() + w + 1, work.end(), taller);
        continue;
      }
      p.placeInNewArray(piece, physCols);
    }
    return p;
  }

  /// The free rectangle that a rows x cols block leaves the least of.
  static std::optional<size_t> bestFit(const Packing &p, unsigned rows,
                                       unsigned cols) {
    std::optional<size_t> best;
    for (auto [i, r] : llvm::enumerate(p.free))
      if (r.rows >= rows && r.cols >= cols &&
          (!best || r.cells() < p.free[*best].cells()))
        best = i;
    return best;
  }

  /// Places the top-left part of piece `id` in the free rectangle that
  /// takes the most of it, and makes `id` the split of that part and the
  /// rest. Returns the rest: the piece right of the part and the piece
  /// below it, where not empty.
  static SmallVector<unsigned, 2> placePart(Packing &p, unsigned id) {
    const Piece piece = p.pieces[id];
    uint64_t bestCells = 0;
    unsigned rows = 0, cols = 0;
    size_t index = 0;
    for (auto [i, r] : llvm::enumerate(p.free)) {
      unsigned fitRows = std::min(piece.rows, r.rows);
      unsigned fitCols =
          std::min(piece.cols, logicalColsIn(p, piece.tile, r.cols));
      uint64_t cells = uint64_t(fitRows) * p.physCols(piece.tile, fitCols);
      if (fitCols > 0 && cells > bestCells)
        std::tie(bestCells, rows, cols, index) =
            std::make_tuple(cells, fitRows, fitCols, i);
    }
    assert(bestCells > 0 && "free cells but no free rectangle");

    Piece part{Piece::Leaf, piece.tile, piece.row0, rows, piece.col0, cols};
    p.placeIn(index, part, p.physCols(piece.tile, cols));
    // id = RowSplit(ColSplit(part, right), below), without empty pieces.
    SmallVector<unsigned, 2> rest;
    auto add = [&](const Piece &q) {
      p.pieces.push_back(q);
      return unsigned(p.pieces.size() - 1);
    };
    Piece top = part;
    if (cols < piece.cols) {
      unsigned partId = add(part);
      unsigned right = add({Piece::Leaf, piece.tile, piece.row0, rows,
                            piece.col0 + cols, piece.cols - cols});
      rest.push_back(right);
      top = {Piece::ColSplit, piece.tile, piece.row0, rows, piece.col0,
             piece.cols, {partId, right}};
    }
    if (rows < piece.rows) {
      unsigned topId = add(top);
      unsigned below = add({Piece::Leaf, piece.tile, piece.row0 + rows,
                            piece.rows - rows, piece.col0, piece.cols});
      rest.push_back(below);
      p.pieces[id] = {Piece::RowSplit, piece.tile, piece.row0, piece.rows,
                      piece.col0, piece.cols, {topId, below}};
    } else {
      p.pieces[id] = top;
    }
    return rest;
  }

  /// Writes the packing into the IR: whole tiles get their place; split
  /// tiles become one tile per leaf, read by MVMs whose results are added
  /// (row splits) and concatenated (column splits). Returns the tiles.
  SmallVector<ProgramTileOp> apply(ArrayRef<ProgramTileOp> tiles,
                                   const Packing &p) {
    Builder b(&getContext());
    SmallVector<ProgramTileOp> result;
    auto setPlace = [&](ProgramTileOp op, const Piece &leaf) {
      op.setArrayAttr(b.getI64IntegerAttr(leaf.array));
      op.setArrayRowAttr(b.getI64IntegerAttr(leaf.arrayRow));
      op.setArrayColAttr(b.getI64IntegerAttr(leaf.arrayCol));
      result.push_back(op);
    };
    for (auto [i, tileOp] : llvm::enumerate(tiles)) {
      ProgramTileOp op = tileOp;
      const Piece &root = p.pieces[i];
      if (root.kind == Piece::Leaf) {
        setPlace(op, root);
        continue;
      }
      // One program_tile per leaf, beside the original.
      auto weights = op.getWeights().getDefiningOp<arith::ConstantOp>();
      auto dense = cast<DenseElementsAttr>(weights.getValue());
      SmallVector<float> values(dense.getValues<float>());
      int64_t n = cast<RankedTensorType>(dense.getType()).getDimSize(1);
      OpBuilder builder(op);
      DenseMap<unsigned, ProgramTileOp> leafTiles;
      std::function<void(unsigned)> program = [&](unsigned id) {
        const Piece &piece = p.pieces[id];
        if (piece.kind != Piece::Leaf) {
          program(piece.children[0]);
          program(piece.children[1]);
          return;
        }
        SmallVector<float> block;
        for (unsigned r = piece.row0; r < piece.row0 + piece.rows; ++r)
          block.append(values.begin() + r * n + piece.col0,
                       values.begin() + r * n + piece.col0 + piece.cols);
        auto blockType = RankedTensorType::get(
            {int64_t(piece.rows), int64_t(piece.cols)}, b.getF32Type());
        Value blockValue = builder.create<arith::ConstantOp>(
            op.getLoc(), DenseElementsAttr::get(blockType, ArrayRef(block)));
        auto tileType = TileType::get(&getContext(), piece.rows, piece.cols,
                                      op.getTile().getType().getCell());
        auto leaf = builder.create<ProgramTileOp>(
            op.getLoc(), tileType, blockValue, op.getEncodingAttr(),
            IntegerAttr(), IntegerAttr(), IntegerAttr(), op.getReloadAttr(),
            op.getAnalogAttr(), op.getLifAttr(), op.getRampAttr(),
            op.getWeightBitsAttr(),
            /*adc_windows=*/DenseF64ArrayAttr(), op.getReplicaAttr(),
            /*codes=*/DenseIntElementsAttr(),
            /*input_means=*/DenseF64ArrayAttr(), op.getInputCodingAttr(),
            op.getScales() ? builder.getDenseF64ArrayAttr(op.getScales()->slice(
                                 piece.col0, piece.cols))
                           : DenseF64ArrayAttr());
        setPlace(leaf, piece);
        leafTiles[id] = leaf;
      };
      program(i);

      // Every MVM of the tile reads the leaves and combines their results.
      for (Operation *user : llvm::make_early_inc_range(op->getUsers())) {
        auto mvm = cast<MVMOp>(user);
        OpBuilder at(mvm);
        auto resultType = cast<RankedTensorType>(mvm.getType());
        std::function<Value(unsigned)> read = [&](unsigned id) -> Value {
          const Piece &piece = p.pieces[id];
          SmallVector<int64_t> shape(resultType.getShape());
          shape.back() = piece.cols;
          auto type = RankedTensorType::get(shape, resultType.getElementType());
          if (piece.kind == Piece::Leaf)
            return at.create<MVMOp>(
                mvm.getLoc(), type, leafTiles[id], mvm.getInput(), Value(),
                at.getI64IntegerAttr(mvm.getRowOffset() + piece.row0),
                mvm.getReadoutAttr(), mvm.getBiasRowAttr(),
                mvm.getStepAttr());
          Value first = read(piece.children[0]);
          Value second = read(piece.children[1]);
          if (piece.kind == Piece::RowSplit)
            return at.create<tosa::AddOp>(mvm.getLoc(), type, first, second);
          return at.create<tosa::ConcatOp>(
              mvm.getLoc(), type, ValueRange{first, second},
              at.getI32IntegerAttr(resultType.getRank() - 1));
        };
        mvm.replaceAllUsesWith(read(i));
        mvm.erase();
      }
      op.erase();
      if (weights->use_empty())
        weights.erase();
    }
    return result;
  }
};
} // namespace
