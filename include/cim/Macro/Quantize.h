//===- Quantize.h - ONNX QuantizeLinear's rounding and saturation -*- C++ -*-===//
//
// One element of QuantizeLinear as ONNX defines it: x / scale in float32,
// rounded half to even, plus the zero point, saturated to the integer
// type's range; and DynamicQuantizeLinear's scale and zero point. The
// compiler folds constant quantisations by them and the runtime's
// cim.quantize_linear and cim.dynamic_quantize_linear compute by them.
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

/// DynamicQuantizeLinear's scale and zero point for a tensor whose
/// smallest and largest elements are `lo` and `hi`, as ONNX's function
/// body computes them in float32: the range [min(lo, 0), max(hi, 0)]
/// spread over the 255 steps of uint8, and the zero point
/// round_half_even(clip(-min / scale, 0, 255)). An all-zero tensor has
/// scale 0 and zero point 0.
struct DynamicQuantization {
  float scale;
  int64_t zeroPoint;
};

inline DynamicQuantization dynamicQuantization(float lo, float hi) {
  float minA = std::fmin(lo, 0.0f), maxA = std::fmax(hi, 0.0f);
  float scale = (maxA - minA) / 255.0f;
  float zp = 0.0f - minA / scale;
  if (std::isnan(zp))
    return {scale, 0};
  zp = std::fmin(std::fmax(zp, 0.0f), 255.0f);
  return {scale, int64_t(std::nearbyint(zp))};
}

} // namespace cim::macro

#endif // CIM_MACRO_QUANTIZE_H
