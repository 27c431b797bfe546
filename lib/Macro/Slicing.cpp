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
  // New data reach past the samples' extremes: an end chosen at a sample
  // extreme moves out by the width of the samples' outer 1% (about the
  // overshoot of the extremes of as many new samples again), within the
  // bound.
  size_t k = std::max<size_t>(1, samples.size() / 100);
  if (best.lo <= samples.front() && best.lo > bound.lo)
    best.lo = std::max(bound.lo, best.lo - (samples[k] - samples.front()));
  if (best.hi >= samples.back() && best.hi < bound.hi)
    best.hi = std::min(bound.hi, best.hi + (samples.back() -
                                            samples[samples.size() - 1 - k]));
  return best;
}

} // namespace cim::macro
