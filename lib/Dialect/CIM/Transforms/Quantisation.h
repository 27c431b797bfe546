//===- Quantisation.h - Weight quantisation error of a product --*- C++ -*-===//
//
// The relative RMS error of quantising a product's weights on an array kind,
// each column on its own scale (cim-choose-precision's policy), and whether
// some width holds them exactly (a QDQ model's integer levels), which
// cim-split-rows must not spoil.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_DIALECT_CIM_TRANSFORMS_QUANTISATION_H
#define CIM_LIB_DIALECT_CIM_TRANSFORMS_QUANTISATION_H

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Macro/Limits.h"
#include "cim/Macro/Slicing.h"

#include <cmath>
#include <vector>

namespace cim {

/// RMS of w - Q(w) over RMS of w for a K x N weight, each column on its own
/// scale (its largest magnitude), at `weightBits` on `array`.
inline double quantisationError(llvm::ArrayRef<float> w, int64_t n,
                                ArrayKindAttr array, unsigned weightBits) {
  std::vector<double> scale(size_t(n), 0.0);
  for (size_t i = 0; i < w.size(); ++i)
    scale[i % n] = std::max(scale[i % n], std::fabs(double(w[i])));
  bool offset = array.getEncoding() == WeightEncoding::offset;
  double error = 0, energy = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    double s = scale[i % n] > 0 ? scale[i % n] : 1.0;
    double q = s * macro::quantisedWeight(double(w[i]) / s,
                                          array.getBitsPerCell(), weightBits,
                                          offset);
    error += (q - w[i]) * (q - w[i]);
    energy += double(w[i]) * w[i];
  }
  return energy > 0 ? std::sqrt(error / energy) : 0.0;
}

/// A relative RMS error this small is float32 rounding, not quantisation.
inline constexpr double kExactQuantisation = 1e-6;

/// Whether some weight width up to macro::kMaxWeightBits holds the weights
/// exactly on `array`.
inline bool onExactGrid(llvm::ArrayRef<float> w, int64_t n,
                        ArrayKindAttr array) {
  for (unsigned bits = 1; bits <= macro::kMaxWeightBits; ++bits)
    if (quantisationError(w, n, array, bits) < kExactQuantisation)
      return true;
  return false;
}

} // namespace cim

#endif // CIM_LIB_DIALECT_CIM_TRANSFORMS_QUANTISATION_H
