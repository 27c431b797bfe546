//===- Placement.cpp - Checking where the compiler put each block -*- C++ -*-=//

#include "artifact/Placement.h"

#include "cim/Macro/Limits.h"
#include "cim/Macro/Slicing.h"

#include <map>
#include <vector>

namespace cim::rt {

namespace {
struct Block {
  uint32_t tile;
  uint64_t row0, row1, col0, col1; // [row0, row1) x [col0, col1)
};
} // namespace

Status verifyPlacement(const artifact::Artifact &a) {
  const artifact::Target &target = a.target();
  std::map<std::pair<int, uint32_t>, std::vector<Block>> arrays; // by kind
  for (int i = 0; i < a.tiles_size(); ++i) {
    const artifact::Tile &t = a.tiles(i);
    if (!t.placed())
      continue;
    std::string path = "tiles[" + std::to_string(i) + "]";
    if (t.array_kind() >= uint32_t(target.arrays_size()))
      continue; // verifyTiles reports it
    const artifact::ArrayKind *kind = &target.arrays(int(t.array_kind()));
    uint64_t count = uint64_t(kind->count()) * std::max(1u, target.macros());
    if (kind->count() > 0 && t.array() >= count)
      return makeError(Code::DataLoss, path, ".array: ", t.array(),
                       " is beyond the target's ", count, " '", kind->name(),
                       "' arrays");
    uint64_t cols = macro::physicalColumns(
        t.cols(), macro::weightSlices(t.weight_bits(), kind->bits_per_cell()),
        kind->encoding() == artifact::OFFSET);
    Block b{t.id(), t.array_row(), uint64_t(t.array_row()) + t.rows(),
            t.array_col(), uint64_t(t.array_col()) + cols};
    // Blocks stay off the spare rows and columns (the last of each).
    uint64_t rows = macro::usableLines(kind->rows(), kind->spare_rows()),
             usable = macro::usableLines(kind->cols(), kind->spare_cols());
    if (b.row1 > rows || b.col1 > usable)
      return makeError(Code::DataLoss, path, ": a ", t.rows(), "x", cols,
                       " block at row ", b.row0, ", column ", b.col0,
                       " does not fit its ", kind->rows(), "x", kind->cols(),
                       " array ", t.array(),
                       kind->spare_rows() || kind->spare_cols()
                           ? strCat(" beside its ", kind->spare_rows(),
                                    " spare rows and ", kind->spare_cols(),
                                    " spare columns")
                           : std::string());
    if (t.reload())
      continue; // takes turns with the other blocks of its array
    std::vector<Block> &placed = arrays[{int(t.array_kind()), t.array()}];
    for (const Block &o : placed)
      if (b.row0 < o.row1 && o.row0 < b.row1 && b.col0 < o.col1 &&
          o.col0 < b.col1)
        return makeError(Code::DataLoss, path, ": tile ", t.id(),
                         " overlaps tile ", o.tile, " in '", kind->name(),
                         "' array ", t.array(), " (rows ", b.row0, "-",
                         b.row1 - 1, ", columns ", b.col0, "-", b.col1 - 1,
                         ")");
    placed.push_back(b);
  }
  return Status::ok();
}

void shareSpares(const artifact::Artifact &a,
                 std::vector<hal::TileImage> &images) {
  const artifact::Target &target = a.target();
  std::map<std::pair<int, uint32_t>, std::vector<int>> arrays; // by kind
  std::vector<Block> blocks(size_t(a.tiles_size()));
  for (int i = 0; i < a.tiles_size(); ++i) {
    const artifact::Tile &t = a.tiles(i);
    if (!t.placed() || t.reload())
      continue;
    const artifact::ArrayKind &kind = target.arrays(int(t.array_kind()));
    if (kind.spare_rows() == 0 && kind.spare_cols() == 0)
      continue;
    uint64_t cols = macro::physicalColumns(
        t.cols(), macro::weightSlices(t.weight_bits(), kind.bits_per_cell()),
        kind.encoding() == artifact::OFFSET);
    blocks[size_t(i)] = {t.id(), t.array_row(),
                         uint64_t(t.array_row()) + t.rows(), t.array_col(),
                         uint64_t(t.array_col()) + cols};
    arrays[{int(t.array_kind()), t.array()}].push_back(i);
  }
  for (const auto &[id, members] : arrays) {
    const artifact::ArrayKind &kind = target.arrays(id.first);
    for (int i : members) {
      const Block &b = blocks[size_t(i)];
      uint32_t sameCols = 0, sameRows = 0;
      for (int j : members) {
        const Block &o = blocks[size_t(j)];
        sameCols += b.col0 < o.col1 && o.col0 < b.col1;
        sameRows += b.row0 < o.row1 && o.row0 < b.row1;
      }
      images[size_t(i)].spareRows = kind.spare_rows() / sameCols;
      images[size_t(i)].spareCols = kind.spare_cols() / sameRows;
    }
  }
}

} // namespace cim::rt
