//===- Quantize.h - ONNX QuantizeLinear's rounding and saturation -*- C++ -*-===//
//
// One element of QuantizeLinear as ONNX defines it: x / scale in float32,
// rounded half to even, plus the zero point, saturated to the integer
// type's range. The compiler folds constant quantisations by it and the
// runtime's cim.quantize_linear computes by it.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_MACRO_QUANTIZE_H
#define CIM_MACRO_QUANTIZE_H

#include <cmath>
#include <cstdint>

namespace cim::macro {

/// saturate(round_half_even(x / scale) + zeroPoint) into [lo, hi]. A NaN
/// quotient gives the zero point (saturated); infinities saturate.
inline int64_t quantizeLinear(float x, float scale, int64_t zeroPoint,
                              int64_t lo, int64_t hi) {
  float q = x / scale; // float32 division, as the reference computes it
  double v;
  if (std::isnan(q))
    v = double(zeroPoint);
  else
    v = std::nearbyint(double(q)) + double(zeroPoint); // default rounding: half to even
  if (!(v > double(lo)))
    return lo;
  if (v >= double(hi))
    return hi;
  return int64_t(v);
}

} // namespace cim::macro

#endif // CIM_MACRO_QUANTIZE_H
