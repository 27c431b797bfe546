//===- Slicing.cpp - Cell planes and ADC windows ----------------*- C++ -*-===//
//
// The cells of a bit-sliced (or unsliced) weight tile, and the ADC windows
// of its columns: worst case, or calibrated from sample column results.
//
//===----------------------------------------------------------------------===//

#include "cim/Macro/Slicing.h"
#include "cim/Macro/Conductance.h"

#include <algorithm>

namespace cim::macro {

CellPlanes cellPlanes(const float *gPos, const float *gNeg, size_t n,
                      unsigned bitsPerCell, unsigned weightBits, bool offset) {
  CellPlanes p;
  p.offset = offset;
  p.sliced = weightBits > bitsPerCell && bitsPerCell > 0;
  if (p.sliced) {
    // Each weight's code in base 2^bits digits, one plane per slice. A
    // differential weight slices its magnitude and keeps its sign in every
    // slice; an offset weight slices its offset code g = 0.5 + w / 2.
    unsigned slices = weightSlices(weightBits, bitsPerCell);
    double levels = std::ldexp(1.0, int(weightBits)) - 1;
    uint64_t base = uint64_t(1) << bitsPerCell;
    p.digits = double(base - 1);
    p.pos.assign(slices, std::vector<double>(n, 0.0));
    if (!offset)
      p.neg.assign(slices, std::vector<double>(n, 0.0));
    for (size_t i = 0; i < n; ++i) {
      double wn = double(gPos[i]) - double(gNeg[i]);
      uint64_t code = uint64_t(
          std::llround((offset ? offsetCell(wn) : std::fabs(wn)) * levels));
      for (unsigned sl = 0; sl < slices; ++sl) {
        double d = double((code >> (uint64_t(bitsPerCell) * sl)) & (base - 1));
        (offset || wn >= 0 ? p.pos[sl] : p.neg[sl])[i] = d / p.digits;
      }
    }
    for (unsigned sl = 0; sl < slices; ++sl)
      p.shifts.push_back(p.digits * std::ldexp(1.0, int(bitsPerCell * sl)) /
                         levels);
    return p;
  }
  p.digits = bitsPerCell == 0 ? 0.0 : std::ldexp(1.0, int(bitsPerCell)) - 1;
  auto quantise = [&](double g) {
    return p.digits == 0 ? g : std::round(g * p.digits) / p.digits;
  };
  p.pos.assign(1, std::vector<double>(n));
  if (!offset)
    p.neg.assign(1, std::vector<double>(n));
  for (size_t i = 0; i < n; ++i) {
    double gp = gPos[i], gn = gNeg[i];
    if (offset) {
      p.pos[0][i] = quantise(offsetCell(gp - gn));
    } else {
      p.pos[0][i] = quantise(gp);
      p.neg[0][i] = quantise(gn);
    }
  }
  p.shifts.push_back(1.0);
  return p;
}

std::vector<AdcWindow> worstCaseWindows(const CellPlanes &planes, size_t plane,
                                        size_t rows, size_t cols) {
  std::vector<double> sum(cols, 0.0);
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c)
      sum[c] += std::fabs(planes.value(plane, r * cols + c));
  std::vector<AdcWindow> windows(cols);
  for (size_t c = 0; c < cols; ++c)
    if (sum[c] > 0)
      windows[c] = {-sum[c], sum[c]};
  return windows;
}

namespace {
/// Mean squared error of converting sorted `v` through window [lo, hi]
/// with 2 L + 1 codes: the clipped tails' squared distances plus, for the
/// samples inside, a step^2 / 12 rounding error each.
double windowError(const std::vector<double> &v, double lo, double hi,
                   double levels) {
  double step = (hi - lo) / (2 * levels);
  double error = 0;
  size_t inside = 0;
  for (double x : v) {
    if (x < lo)
      error += (lo - x) * (lo - x);
    else if (x > hi)
      error += (x - hi) * (x - hi);
    else
      ++inside;
  }
  return (error + double(inside) * step * step / 12) / double(v.size());
}

/// How far the ends of a window should reach, in units of each side's
/// spread, for results whose tails fall off like a Gaussian's: the z that
/// minimises the expected clipping error beyond z (per unit variance,
/// (1 + z^2) Q(z) - z phi(z)) on both sides plus the rounding error of
/// 2 L + 1 codes over the window, with spreads `below` and `above` the
/// mean.
double gaussianReach(double below, double above, double levels) {
  const double kInvSqrt2Pi = 0.3989422804014327;
  double bestZ = 1, bestError = HUGE_VAL;
  for (double z = 1; z <= 12; z += 0.05) {
    double q = 0.5 * std::erfc(z / std::sqrt(2.0));
    double phi = kInvSqrt2Pi * std::exp(-0.5 * z * z);
    double clip = (below * below + above * above) * ((1 + z * z) * q - z * phi);
    double step = z * (below + above) / (2 * levels);
    double error = clip + step * step / 12;
    if (error < bestError) {
      bestError = error;
      bestZ = z;
    }
  }
  return bestZ;
}
} // namespace

AdcWindow calibratedWindow(std::vector<double> &samples, double levels,
                           AdcWindow bound) {
  if (samples.empty() || levels <= 0)
    return bound;
  std::sort(samples.begin(), samples.end());
  // Candidate ends: quantiles from the extremes inwards, on a geometric
  // grid of tail fractions (the extremes themselves first).
  static const double kTails[] = {0,     1e-4,  3e-4, 1e-3, 2e-3, 5e-3,
                                  1e-2,  2e-2,  5e-2, 0.1,  0.2};
  auto quantile = [&](double tail, bool upper) {
    double at = (upper ? 1 - tail : tail) * double(samples.size() - 1);
    return samples[size_t(std::llround(at))];
  };
  AdcWindow best = bound;
  double bestError = windowError(samples, bound.lo, bound.hi, levels);
  for (double lowTail : kTails)
    for (double highTail : kTails) {
      double lo = std::max(bound.lo, quantile(lowTail, false));
      double hi = std::min(bound.hi, quantile(highTail, true));
      if (!(hi > lo))
        continue;
      double error = windowError(samples, lo, hi, levels);
      if (error < bestError) {
        bestError = error;
        best = {lo, hi};
      }
    }
  // An end that clips none of the samples sits at their extreme: new data
  // reach past it, and a few hundred samples show little of the tails
  // that a fine ADC should not clip. Such an end reaches at least as far
  // as the Gaussian optimum for the samples' spread on its side of the
  // mean (within the bound). An end that clips samples saw its tail.
  double mean = 0;
  for (double x : samples)
    mean += x;
  mean /= double(samples.size());
  double below = 0, above = 0;
  size_t nBelow = 0, nAbove = 0;
  for (double x : samples) {
    double d = x - mean;
    if (d < 0) {
      below += d * d;
      ++nBelow;
    } else {
      above += d * d;
      ++nAbove;
    }
  }
  below = nBelow ? std::sqrt(below / double(nBelow)) : 0.0;
  above = nAbove ? std::sqrt(above / double(nAbove)) : 0.0;
  if (below + above > 0) {
    double z = gaussianReach(below, above, levels);
    if (best.lo <= samples.front())
      best.lo = std::max(bound.lo, std::min(best.lo, mean - z * below));
    if (best.hi >= samples.back())
      best.hi = std::min(bound.hi, std::max(best.hi, mean + z * above));
  }
  return best;
}

} // namespace cim::macro
