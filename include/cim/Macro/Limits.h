//===- Limits.h - What a target may describe --------------------*- C++ -*-===//
//
// The ranges of a target's bit widths, and the lines of an array that spares
// leave to weights, checked by the compiler when it reads a target and by
// the runtime when it loads an artifact. Part of the macro model shared by
// both.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_MACRO_LIMITS_H
#define CIM_MACRO_LIMITS_H

namespace cim::macro {

/// The widest converter: DAC, ADC, and bit-serial input precision.
inline constexpr unsigned kMaxConverterBits = 16;
/// The most bits one cell holds.
inline constexpr unsigned kMaxBitsPerCell = 16;
/// The widest weight (bit-sliced over cells).
inline constexpr unsigned kMaxWeightBits = 16;
/// The finest ramp ADC of a fused readout (2^bits steps per conversion).
inline constexpr unsigned kMaxRampBits = 12;

/// The rows (or columns) of an array that hold weights when `spares` of
/// its `lines` are kept to replace faulty ones; 0 when the spares take
/// them all (which a target may not describe).
inline constexpr unsigned usableLines(unsigned lines, unsigned spares) {
  return spares < lines ? lines - spares : 0;
}

} // namespace cim::macro

#endif // CIM_MACRO_LIMITS_H
