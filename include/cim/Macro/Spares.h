//===- Spares.h - Remapping faulty lines onto spare ones --------*- C++ -*-===//
//
// An array may keep spare rows and columns free of weights. After
// programming, the faulty lines of a tile (rows: one input line across
// every slice; physical columns: one slice's g+ or g- cells) are remapped
// onto them greedily, the line whose faulty cells carry the most weight
// error first. The simulator remaps the cells it draws (docs/Simulator.md);
// the compiler's error prediction averages the same rule over random
// draws of stuck cells. Part of the macro model shared by both.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_MACRO_SPARES_H
#define CIM_MACRO_SPARES_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cim::macro {

/// The line the next spare replaces: the row (if `rowsLeft`) or physical
/// column (if `colsLeft`) with the largest positive score, a row where
/// they tie; none when no line has a positive score.
struct FaultyLine {
  enum Kind { None, Row, Column } kind = None;
  size_t index = 0;
};
FaultyLine pickFaultyLine(const std::vector<double> &rowScore, bool rowsLeft,
                          const std::vector<double> &colScore, bool colsLeft);

/// The share of stuck-cell error energy that each column of each slice
/// keeps after the spares replace faulty lines, averaged over `draws`
/// random draws (seeded by `seed`) in which each weight's cell pair is
/// faulty with probability `rate` (in its g+ or g- cell with equal odds;
/// in its only cell when `pairs` is false), and the spare's own cells are
/// faulty at the same rate (a move is kept only if it lowers the line's
/// error, as the simulator keeps it). `magnitude` is slice-major (slices x
/// rows x cols): a faulty weight's error (slice shift and column scale
/// included), which ranks the lines. Returns slices x cols factors in
/// [0, 1]; all 1 without spares or faults.
std::vector<double> faultEnergyLeft(const std::vector<double> &magnitude,
                                    size_t slices, size_t rows, size_t cols,
                                    double rate, bool pairs,
                                    uint32_t spareRows, uint32_t spareCols,
                                    unsigned draws, uint64_t seed);

} // namespace cim::macro

#endif // CIM_MACRO_SPARES_H
