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

#include <cmath>
#include <cstdint>

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

} // namespace cim::macro

#endif // CIM_MACRO_SLICING_H
