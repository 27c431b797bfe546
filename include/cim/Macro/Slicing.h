//===- Slicing.h - Bit slicing of weights and inputs ------------*- C++ -*-===//
//
// How many cells a weight takes and how many times an input vector is
// driven: a weight of `weight_bits` above the cell's `bits_per_cell` is
// spread over several cells (slices) whose column results are shifted and
// added; an input of `input_bits` above the DAC's `dac_bits` is driven
// bit-serially in passes of the DAC's magnitude digits (dac_bits - 1 bits;
// the sign is the drive polarity). Part of the macro model shared by the
// compiler and the runtime.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_MACRO_SLICING_H
#define CIM_MACRO_SLICING_H

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace cim::macro {

/// Cells (pairs) per weight: ceil(weight_bits / bits_per_cell), or 1 when a
/// weight fits one cell (weight_bits 0 means one cell per weight).
inline unsigned weightSlices(unsigned weightBits, unsigned bitsPerCell) {
  return weightBits > bitsPerCell && bitsPerCell > 0
             ? (weightBits + bitsPerCell - 1) / bitsPerCell
             : 1;
}

/// Array columns a block of `logicalCols` weight columns takes: two per
/// weight column and slice for differential pairs; one per weight column
/// and slice plus one shared reference column for offset cells.
inline unsigned physicalColumns(unsigned logicalCols, unsigned slices,
                                bool offsetEncoding) {
  unsigned sliced = logicalCols * slices;
  return offsetEncoding ? sliced + 1 : 2 * sliced;
}

/// DAC passes per input vector: 1, or ceil((input_bits - 1) / (dac_bits -
/// 1)) when inputs of `input_bits` are driven through a DAC of fewer bits.
inline unsigned inputPasses(unsigned inputBits, unsigned dacBits) {
  if (inputBits <= dacBits || dacBits < 2)
    return 1;
  return (inputBits - 1 + dacBits - 2) / (dacBits - 1);
}

/// 2^(bits-1) - 1: the largest signed code of a converter; 0 for bits 0.
inline double signedLevels(unsigned bits) {
  return bits == 0 ? 0.0 : std::ldexp(1.0, int(bits) - 1) - 1.0;
}

/// How a tile's rows are driven. `Dac`: a level per row through the DAC.
/// `Spikes`: inputs that are 0 or 1 (spikes), a pulse per 1. `Rate` and
/// `Latency`: the DAC's code c of each row (|x| over the vector's largest,
/// times the levels, rounded) as |c| pulses within the step (rate), or as
/// one pulse whose time in the step gives c (time to first spike); both
/// give the DAC's value, in pulses instead of levels.
enum class InputCoding { Dac, Spikes, Rate, Latency };

/// The pulses a vector x of `rows` inputs takes under `coding` with a DAC
/// of `levels` levels (0 for Dac).
inline uint64_t inputPulses(InputCoding coding, const float *x, int64_t rows,
                            double levels) {
  if (coding == InputCoding::Dac)
    return 0;
  uint64_t pulses = 0;
  if (coding == InputCoding::Spikes) {
    for (int64_t r = 0; r < rows; ++r)
      pulses += x[r] != 0.0f;
    return pulses;
  }
  float largest = 0;
  for (int64_t r = 0; r < rows; ++r)
    largest = std::fabs(x[r]) > largest ? std::fabs(x[r]) : largest;
  if (!(largest > 0) || !std::isfinite(largest))
    return 0;
  for (int64_t r = 0; r < rows; ++r) {
    auto code = uint64_t(std::llround(double(std::fabs(x[r])) / largest * levels));
    pulses += coding == InputCoding::Rate ? code : uint64_t(code > 0);
  }
  return pulses;
}

/// The cells a device programs for a tile of normalised weights wn = g_pos
/// - g_neg in [-1, 1] (rows x cols, row-major): one plane of cells per
/// slice, the least significant first, each holding digits of the weight's
/// code in units of the cell's largest level. Unsliced (one cell per
/// weight), the plane holds g_pos and g_neg (or the offset cell 0.5 + wn /
/// 2) rounded to the cell's levels. The compiler computes its ADC windows
/// from these planes and the simulator programs them, so both see the
/// same cells.
struct CellPlanes {
  std::vector<std::vector<double>> pos, neg; // neg empty for offset cells
  std::vector<double> shifts; // each plane's weight in the shift-add
  double digits = 0;          // the cell's largest level (0: unquantised)
  bool sliced = false, offset = false;

  size_t size() const { return pos.size(); }
  /// An unsliced offset cell g reads as 2 g - 1 against the reference
  /// column; a sliced one keeps its digit, and the reference is subtracted
  /// after the shift-add.
  bool folded() const { return offset && !sliced; }
  /// What a cell pair (or offset cell) adds to its column per unit input.
  double value(double pos, double neg) const {
    return offset ? (folded() ? 2 * pos - 1 : pos) : pos - neg;
  }
  double value(size_t plane, size_t i) const {
    return value(pos[plane][i], offset ? 0.0 : neg[plane][i]);
  }
};

/// The planes of `n` weights given as g_pos / g_neg in [0, 1] on cells of
/// `bitsPerCell` (0: unquantised) holding `weightBits` (0: one cell per
/// weight), differential or `offset` encoded.
CellPlanes cellPlanes(const float *gPos, const float *gNeg, size_t n,
                      unsigned bitsPerCell, unsigned weightBits, bool offset);

/// Each column's largest |w| of a row-major weight of `count` values in
/// `cols` columns: the scale a column gets unless one is given.
inline std::vector<double> columnPeaks(const float *w, size_t count,
                                       size_t cols) {
  std::vector<double> peak(cols, 0.0);
  for (size_t i = 0; i < count; ++i)
    peak[i % cols] = std::max(peak[i % cols], std::fabs(double(w[i])));
  return peak;
}

/// L, the number of levels a weight on cells of `bitsPerCell` holding
/// `weightBits` (0: one cell per weight) is rounded to: 2^bits - 1, bits
/// the weight bits when sliced, else the cell's; 0 when the cells are not
/// quantised (bitsPerCell 0).
inline double weightLevels(unsigned bitsPerCell, unsigned weightBits) {
  if (bitsPerCell == 0)
    return 0.0;
  unsigned bits =
      weightSlices(weightBits, bitsPerCell) > 1 ? weightBits : bitsPerCell;
  return std::ldexp(1.0, int(bits)) - 1;
}

/// The weight a device realises for normalised weight wn in [-1, 1] on
/// cells of `bitsPerCell` holding `weightBits` (as cellPlanes programs it,
/// before any device noise): its magnitude (differential) or its offset
/// code 0.5 + wn / 2 (offset) rounded to weightLevels levels.
inline double quantisedWeight(double wn, unsigned bitsPerCell,
                              unsigned weightBits, bool offset) {
  double levels = weightLevels(bitsPerCell, weightBits);
  if (levels == 0)
    return wn;
  if (offset)
    return 2 * std::round((0.5 + 0.5 * wn) * levels) / levels - 1;
  return std::copysign(std::round(std::fabs(wn) * levels) / levels, wn);
}

/// The ADC window of one column: it clips to [lo, hi] and spreads its
/// 2 L + 1 codes over it, so a result v converts to
/// mid + half * round(clamp((v - mid) / half * L, -L, L)) / L.
struct AdcWindow {
  double lo = -1, hi = 1;
  double mid() const { return 0.5 * (lo + hi); }
  double half() const { return 0.5 * (hi - lo); }
};

/// Every column's worst case: [-sum |value|, +sum |value|] over the rows of
/// plane `plane` (inputs lie in [-1, 1]), never clipping; a column of zero
/// cells gets [-1, 1].
std::vector<AdcWindow> worstCaseWindows(const CellPlanes &planes,
                                        size_t plane, size_t rows,
                                        size_t cols);

/// The window of a uniform ADC with `levels` (L) that minimises the mean
/// squared error of converting `samples` (clipping plus rounding, each
/// code's error uniform over its step), among windows whose ends are
/// quantiles of the samples; it never reaches past `bound` (the worst
/// case). `samples` is reordered. Without samples, `bound`.
AdcWindow calibratedWindow(std::vector<double> &samples, double levels,
                           AdcWindow bound);

} // namespace cim::macro

#endif // CIM_MACRO_SLICING_H
