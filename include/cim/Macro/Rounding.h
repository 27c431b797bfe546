//===- Rounding.h - Integer codes of quantised weights ----------*- C++ -*-===//
//
// A quantised weight is an integer code c in [-L, L] on its tile's grid: the
// device realises the normalised weight c / L (L = weightLevels, 2^bits - 1,
// bits the weight bits when the weight is sliced over several cells, else
// the cell's).
// Differential pairs use every code; an offset cell's code 2 o - L (o its
// level) is odd. Rounding each weight to its nearest code is what a device
// does without the compiler's help; with sample inputs the compiler can
// choose codes whose column results are closer to the exact ones (data-aware
// rounding). Part of the macro model shared by the compiler and the runtime.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_MACRO_ROUNDING_H
#define CIM_MACRO_ROUNDING_H

#include "cim/Macro/Slicing.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cim::macro {

/// The nearest code of normalised weight `wn` (clamped to [-1, 1]): L times
/// quantisedWeight(wn).
int32_t nearestCode(double wn, unsigned bitsPerCell, unsigned weightBits,
                    bool offset);

/// The cells a device programs for `n` weights g_pos - g_neg (see
/// cellPlanes): with `codes` (n of them; null or empty: none), each
/// weight's code codes[i] / L, else each weight's nearest level.
CellPlanes codedCellPlanes(const float *gPos, const float *gNeg,
                           const std::vector<int32_t> &codes, size_t n,
                           unsigned bitsPerCell, unsigned weightBits,
                           bool offset);

/// Whether `code` is a code of the grid: |code| <= L, odd for offset cells.
bool validCode(int64_t code, unsigned bitsPerCell, unsigned weightBits,
               bool offset);

/// Codes for the normalised weights `wn` (rows x cols, row-major, in
/// [-1, 1]) of one tile that keep its column results y = x wn close to the
/// exact ones on the sample input vectors `x` (`count` x rows): rows are
/// rounded one at a time, the most strongly driven first, and each row's
/// rounding error is spread over the rows not yet rounded in proportion to
/// how their inputs correlate with its input (through the inverse of the
/// inputs' second moment, damped by 1% of its mean diagonal), the
/// optimal-brain-quantisation update of Frantar et al., "GPTQ" (ICLR
/// 2023). With uncorrelated inputs this is rounding to nearest. Without
/// quantised cells (L = 0) or samples, every code is the nearest one.
std::vector<int32_t> dataAwareCodes(const float *wn, size_t rows, size_t cols,
                                    const float *x, size_t count,
                                    unsigned bitsPerCell, unsigned weightBits,
                                    bool offset);

} // namespace cim::macro

#endif // CIM_MACRO_ROUNDING_H
