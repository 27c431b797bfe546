//===- SlicingTest.cpp - Cell planes and ADC windows ------------*- C++ -*-===//

#include "cim/Macro/Slicing.h"

#include "MacroTestHelpers.h"

#include <gtest/gtest.h>

#include <random>

using namespace cim::macro;
using cim::macro::test::gaussianSamples;
using cim::macro::test::weights;

namespace {

/// The weight the planes realise: shift-add of the planes' values (minus
/// the reference code for sliced offset cells).
double realised(const CellPlanes &p, size_t i, unsigned weightBits) {
  double sum = 0;
  for (size_t k = 0; k < p.size(); ++k)
    sum += p.shifts[k] * p.value(k, i);
  if (p.offset && p.sliced)
    return 2 * sum - 1; // digits of 0.5 + w / 2
  (void)weightBits;
  return sum;
}

} // namespace

TEST(CellPlanes, RealiseTheQuantisedWeight) {
  const size_t rows = 7, cols = 5, n = rows * cols;
  std::vector<float> w = weights(rows, cols, 1);
  std::vector<float> gPos(n), gNeg(n);
  for (size_t i = 0; i < n; ++i) {
    gPos[i] = std::max(w[i], 0.0f);
    gNeg[i] = std::max(-w[i], 0.0f);
  }
  struct Case {
    unsigned bitsPerCell, weightBits;
    bool offset;
    size_t planes;
  };
  for (Case c : {Case{4, 0, false, 1}, Case{4, 8, false, 2},
                 Case{2, 8, false, 4}, Case{1, 8, true, 8},
                 Case{4, 0, true, 1}, Case{3, 8, true, 3}}) {
    CellPlanes p =
        cellPlanes(gPos.data(), gNeg.data(), n, c.bitsPerCell, c.weightBits,
                   c.offset);
    ASSERT_EQ(p.size(), c.planes);
    for (size_t i = 0; i < n; ++i)
      EXPECT_NEAR(realised(p, i, c.weightBits),
                  quantisedWeight(w[i], c.bitsPerCell, c.weightBits, c.offset),
                  1e-12)
          << "bits/cell " << c.bitsPerCell << " weight bits " << c.weightBits
          << (c.offset ? " offset" : " differential") << " weight " << i;
  }
}

TEST(CellPlanes, MoreBitsLessError) {
  // 4-bit cells: 15 magnitude levels; two cells per weight: 255.
  double coarse = 0, fine = 0;
  for (float w : weights(64, 8, 2)) {
    coarse = std::max(coarse, std::fabs(quantisedWeight(w, 4, 0, false) - w));
    fine = std::max(fine, std::fabs(quantisedWeight(w, 4, 8, false) - w));
  }
  EXPECT_LE(coarse, 0.5 / 15 + 1e-9);
  EXPECT_LE(fine, 0.5 / 255 + 1e-9);
  EXPECT_GT(coarse, 10 * fine);
}

TEST(AdcWindows, WorstCaseIsTheColumnsAbsoluteSum) {
  const float gPos[] = {1, 0, 0.5f, 0};
  const float gNeg[] = {0, 1, 0, 0};
  CellPlanes p = cellPlanes(gPos, gNeg, 4, 0, 0, false); // 2 x 2, exact
  std::vector<AdcWindow> w = worstCaseWindows(p, 0, 2, 2);
  EXPECT_DOUBLE_EQ(w[0].lo, -1.5);
  EXPECT_DOUBLE_EQ(w[0].hi, 1.5);
  EXPECT_DOUBLE_EQ(w[1].hi, 1.0);
  // A column of zero cells keeps the unit window.
  const float zeros[] = {0, 0};
  CellPlanes z = cellPlanes(zeros, zeros, 2, 4, 0, false);
  EXPECT_DOUBLE_EQ(worstCaseWindows(z, 0, 2, 1)[0].hi, 1.0);
}

TEST(AdcWindows, CalibratedWindowBeatsTheWorstCase) {
  // Column results concentrated near 0.5 with rare excursions: the worst
  // case [-64, 64] wastes most codes of an 8-bit ADC.
  std::vector<double> samples = gaussianSamples(4000, 0.5, 0.4, 3);
  const double levels = 127;
  const AdcWindow bound{-64, 64};
  std::vector<double> copy = samples;
  AdcWindow w = calibratedWindow(copy, levels, bound);
  EXPECT_GT(w.lo, -2.0);
  EXPECT_LT(w.hi, 3.0);
  EXPECT_LT(w.lo, 0.5);
  EXPECT_GT(w.hi, 0.5);
  auto mse = [&](AdcWindow win) {
    double e = 0;
    for (double s : samples) {
      double q = std::clamp((s - win.mid()) / win.half() * levels, -levels,
                            levels);
      double out = win.mid() + std::round(q) * win.half() / levels;
      e += (out - s) * (out - s);
    }
    return e / double(samples.size());
  };
  EXPECT_LT(mse(w) * 100, mse(bound));
}

TEST(AdcWindows, CalibratedWindowStaysWithinTheBound) {
  std::vector<double> samples = {-5, -1, 0, 1, 5};
  AdcWindow w = calibratedWindow(samples, 127, {-2, 2});
  EXPECT_GE(w.lo, -2);
  EXPECT_LE(w.hi, 2);
  std::vector<double> none;
  EXPECT_EQ(calibratedWindow(none, 127, {-3, 3}).hi, 3);
  std::vector<double> flat(10, 0.25);
  AdcWindow f = calibratedWindow(flat, 127, {-3, 3});
  EXPECT_GT(f.hi, f.lo);
}

/// 256 samples of a Gaussian show its tails to about 2.7 sigma. Through a
/// fine ADC the window's ends reach to the Gaussian optimum (6 sigma for
/// 16 bits; 3.9 for 8 bits, 2.9 for 5) so that new results are not
/// clipped; through a coarse one the samples' own optimum, which clips
/// them, stays.
TEST(AdcWindows, FineWindowsReachPastTheSamples) {
  std::vector<double> samples = gaussianSamples(256, 10, 2, 5);
  const AdcWindow bound{-1000, 1000};
  std::vector<double> copy = samples;
  AdcWindow fine = calibratedWindow(copy, 32767, bound);
  EXPECT_LT(fine.lo, 10 - 4.5 * 2);
  EXPECT_GT(fine.hi, 10 + 4.5 * 2);
  copy = samples;
  AdcWindow coarse = calibratedWindow(copy, 3, bound);
  double low = *std::min_element(samples.begin(), samples.end());
  double high = *std::max_element(samples.begin(), samples.end());
  EXPECT_GT(coarse.lo, low);
  EXPECT_LT(coarse.hi, high);
}
