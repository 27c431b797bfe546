//===- Quantisation.h - Weight quantisation error of a product --*- C++ -*-===//
//
// The relative RMS error of quantising a product's weights on an array kind,
// each column on its own scale (cim-choose-precision's policy), and whether
// some width holds them exactly (a QDQ model's integer levels), and on
// which column scales, which cim-tile-weights gives the tiles and
// cim-split-rows must not spoil.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_DIALECT_CIM_TRANSFORMS_QUANTISATION_H
#define CIM_LIB_DIALECT_CIM_TRANSFORMS_QUANTISATION_H

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Macro/Limits.h"
#include "cim/Macro/Slicing.h"

#include <cmath>
#include <set>
#include <vector>

namespace cim {

/// RMS of w - Q(w) over RMS of w for a K x N weight, each column on its own
/// scale (`scales`; empty: its largest magnitude), at `weightBits` on
/// `array`.
inline double quantisationError(llvm::ArrayRef<float> w, int64_t n,
                                ArrayKindAttr array, unsigned weightBits,
                                llvm::ArrayRef<double> scales = {}) {
  std::vector<double> scale =
      scales.empty() ? macro::columnPeaks(w.data(), w.size(), size_t(n))
                     : std::vector<double>(scales.begin(), scales.end());
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

/// Distinct magnitudes a product needs before exactScales looks for a
/// grid step (a QDQ tensor has up to 128).
inline constexpr size_t kMinGridLevels = 32;

/// The column scales on which `array`'s cells at `weightBits` hold a K x N
/// weight exactly, or none: each column's largest |w| where its levels
/// reach the top one; else, on differential cells, each column's grid
/// step g (every weight an integer multiple of it, as a QDQ model's
/// (q - zero point) * scale is, whatever its largest level) times the
/// levels L, where L covers the column's largest multiple (only for a
/// product of kMinGridLevels distinct magnitudes or more). The step is
/// the column's smallest non-zero |w|, or a half, third or quarter of it.
inline std::vector<double> exactScales(llvm::ArrayRef<float> w, int64_t n,
                                       ArrayKindAttr array,
                                       unsigned weightBits) {
  std::vector<double> largest = macro::columnPeaks(w.data(), w.size(), size_t(n));
  for (double &s : largest)
    if (s == 0)
      s = 1;
  if (quantisationError(w, n, array, weightBits, largest) < kExactQuantisation)
    return largest;
  const double levels =
      macro::weightLevels(array.getBitsPerCell(), weightBits);
  if (levels == 0 || array.getEncoding() != WeightEncoding::differential)
    return {};
  // A grid is a quantised tensor's: a few hand-picked values (0.5, 1, 2)
  // are left to the usual scales.
  std::set<float> magnitudes;
  for (float v : w)
    if (magnitudes.size() < kMinGridLevels)
      magnitudes.insert(std::fabs(v));
  if (magnitudes.size() < kMinGridLevels)
    return {};
  std::vector<double> smallest(size_t(n), 0.0);
  for (size_t i = 0; i < w.size(); ++i) {
    double v = std::fabs(double(w[i]));
    double &s = smallest[i % size_t(n)];
    if (v > 0 && (s == 0 || v < s))
      s = v;
  }
  std::vector<double> scales(size_t(n), 1.0);
  for (int64_t c = 0; c < n; ++c) {
    if (smallest[size_t(c)] == 0)
      continue; // an all-zero column
    bool found = false;
    for (int divisor = 1; divisor <= 4 && !found; ++divisor) {
      double g = smallest[size_t(c)] / divisor;
      if (largest[size_t(c)] / g > levels + 1e-3)
        break;
      found = true;
      for (size_t i = size_t(c); i < w.size() && found; i += size_t(n)) {
        double k = double(w[i]) / g;
        found = std::fabs(k - std::round(k)) < 1e-3;
      }
      scales[size_t(c)] = g * levels;
    }
    if (!found)
      return {};
  }
  if (quantisationError(w, n, array, weightBits, scales) < kExactQuantisation)
    return scales;
  return {};
}

/// Whether some weight width up to macro::kMaxWeightBits holds the weights
/// exactly on `array`.
inline bool onExactGrid(llvm::ArrayRef<float> w, int64_t n,
                        ArrayKindAttr array) {
  for (unsigned bits = 1; bits <= macro::kMaxWeightBits; ++bits)
    if (!exactScales(w, n, array, bits).empty())
      return true;
  return false;
}

} // namespace cim

#endif // CIM_LIB_DIALECT_CIM_TRANSFORMS_QUANTISATION_H
