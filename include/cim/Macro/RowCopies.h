//===- RowCopies.h - Spreading rows over a tile's free rows -----*- C++ -*-===//
//
// A product's row r may be programmed as k_r copies of w_r / k_r, each
// driven by the same input: the column sums are unchanged, but every
// column's scale (its largest |w| over the rows, which maps to G_max)
// drops where its peak is split, so its weights use more of the
// conductance range. Read noise is one Gaussian per cell and read, so in
// weight units a column's read noise has variance
//   s_c^2 * sum_r k_r x_r^2
// (s_c = max_r |w_rc| / k_r): splitting trades more noisy cells for a
// smaller scale. Programming variation's absolute part and a stuck cell's
// error scale with s_c in the same way. Part of the macro model shared by
// the compiler (cim-split-rows) and its tests.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_MACRO_ROWCOPIES_H
#define CIM_MACRO_ROWCOPIES_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cim::macro {

/// The read-noise-to-signal measure the copies minimise: over the columns
/// with a non-zero weight, sum_c s_c^2 / sum_r w_rc^2, times the rows
/// driven, sum_r k_r + fixedRows (equal input power per row assumed).
/// `w` is rows x cols, row-major; `fixed` (cols values, may be empty) is a
/// row that is never split (a bias row), counted in fixedRows.
double rowCopiesNoise(const float *w, size_t rows, size_t cols,
                      const std::vector<int64_t> &copies,
                      const std::vector<float> &fixed, size_t fixedRows);

/// Copies of each of `rows` rows (each at least 1, at most maxCopies) using
/// at most `extraRows` rows beyond one per row, chosen to minimise
/// rowCopiesNoise: from every uniform start (each row u times, u = 1 while
/// it fits), rows are added one at a time where they lower the measure
/// most, while one does; the best result wins. All ones unless it brings
/// the measure to at most `maxRatio` of one row per input.
std::vector<int64_t> chooseRowCopies(const float *w, size_t rows,
                                     size_t cols, const std::vector<float> &fixed,
                                     size_t fixedRows, int64_t extraRows,
                                     int64_t maxCopies, double maxRatio = 1);

} // namespace cim::macro

#endif // CIM_MACRO_ROWCOPIES_H
