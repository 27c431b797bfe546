//===- RoundingTest.cpp - Integer codes of quantised weights ----*- C++ -*-===//

#include "cim/Macro/Rounding.h"
#include "cim/Macro/Slicing.h"

#include "MacroTestHelpers.h"

#include <gtest/gtest.h>

#include <random>

using namespace cim::macro;
using cim::macro::test::weights;

namespace {

/// Input vectors whose rows are strongly correlated (a few shared factors
/// plus a little noise of their own), as neighbouring pixels or hidden
/// units are.
std::vector<float> correlatedInputs(size_t count, size_t rows,
                                    unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0, 1);
  const size_t factors = 4;
  std::vector<float> mix(factors * rows);
  for (float &m : mix)
    m = normal(rng);
  std::vector<float> x(count * rows);
  for (size_t v = 0; v < count; ++v) {
    float f[factors];
    for (float &fi : f)
      fi = normal(rng);
    for (size_t r = 0; r < rows; ++r) {
      float s = 0.1f * normal(rng);
      for (size_t k = 0; k < factors; ++k)
        s += f[k] * mix[k * rows + r];
      x[v * rows + r] = s;
    }
  }
  return x;
}

/// Squared error of the column results of codes / L against wn's, summed
/// over the vectors of `x`.
double resultError(const std::vector<float> &wn,
                   const std::vector<int32_t> &codes, double levels,
                   const std::vector<float> &x, size_t rows, size_t cols) {
  double sum = 0;
  for (size_t v = 0; v < x.size() / rows; ++v)
    for (size_t c = 0; c < cols; ++c) {
      double d = 0;
      for (size_t r = 0; r < rows; ++r)
        d += x[v * rows + r] *
             (double(codes[r * cols + c]) / levels - wn[r * cols + c]);
      sum += d * d;
    }
  return sum;
}

} // namespace

TEST(Codes, NearestCodeIsTheQuantisedWeight) {
  struct Case {
    unsigned bitsPerCell, weightBits;
    bool offset;
    double levels;
  };
  for (Case c : {Case{4, 0, false, 15}, Case{4, 8, false, 255},
                 Case{1, 8, true, 255}, Case{4, 0, true, 15},
                 Case{1, 0, false, 1}}) {
    EXPECT_EQ(weightLevels(c.bitsPerCell, c.weightBits), c.levels);
    for (double wn = -1; wn <= 1; wn += 0.01) {
      int32_t code = nearestCode(wn, c.bitsPerCell, c.weightBits, c.offset);
      EXPECT_TRUE(validCode(code, c.bitsPerCell, c.weightBits, c.offset))
          << code;
      EXPECT_NEAR(double(code) / c.levels,
                       quantisedWeight(wn, c.bitsPerCell, c.weightBits,
                                       c.offset),
                  1e-12);
    }
  }
  // Outside [-1, 1], the nearest code is the end of the grid.
  EXPECT_EQ(nearestCode(1.7, 4, 0, false), 15);
  EXPECT_EQ(nearestCode(-3, 4, 0, true), -15);
  EXPECT_EQ(weightLevels(0, 8), 0.0);
  EXPECT_FALSE(validCode(16, 4, 0, false));
  EXPECT_FALSE(validCode(2, 4, 0, true)); // offset codes are odd
  EXPECT_TRUE(validCode(-15, 4, 0, true));
}

TEST(Codes, DataAwareRoundingLowersTheResultErrorOnNewInputs) {
  const size_t rows = 48, cols = 6;
  std::vector<float> wn = weights(rows, cols, 3);
  // One draw of 800 vectors: the first half is the sample, the second the
  // new inputs (same factors).
  std::vector<float> all = correlatedInputs(800, rows, 4);
  std::vector<float> seen(all.begin(), all.begin() + 400 * rows);
  std::vector<float> unseen(all.begin() + 400 * rows, all.end());
  for (bool offset : {false, true}) {
    std::vector<int32_t> nearest(rows * cols);
    for (size_t i = 0; i < wn.size(); ++i)
      nearest[i] = nearestCode(wn[i], 4, 0, offset);
    std::vector<int32_t> aware =
        dataAwareCodes(wn.data(), rows, cols, seen.data(), 400, 4, 0, offset);
    for (int32_t code : aware)
      ASSERT_TRUE(validCode(code, 4, 0, offset)) << code;
    double before = resultError(wn, nearest, 15, unseen, rows, cols);
    double after = resultError(wn, aware, 15, unseen, rows, cols);
    // The samples' correlation holds on new inputs: the squared error of
    // the results falls 40x (differential) and 60x (offset) here.
    EXPECT_LT(after, before / 10) << "offset " << offset;
  }
}

TEST(Codes, UncorrelatedInputsRoundToNearest) {
  // One input per vector: the second moment is diagonal, so no row's
  // rounding error has anywhere to go.
  const size_t rows = 10, cols = 3;
  std::vector<float> wn = weights(rows, cols, 7);
  std::vector<float> x(rows * rows, 0.0f);
  for (size_t r = 0; r < rows; ++r)
    x[r * rows + r] = float(r + 1);
  std::vector<int32_t> aware =
      dataAwareCodes(wn.data(), rows, cols, x.data(), rows, 4, 0, false);
  for (size_t i = 0; i < wn.size(); ++i)
    EXPECT_EQ(aware[i], nearestCode(wn[i], 4, 0, false)) << i;
}

TEST(Codes, WithoutSamplesOrLevelsEveryCodeIsTheNearest) {
  const size_t rows = 5, cols = 2;
  std::vector<float> wn = weights(rows, cols, 9);
  std::vector<int32_t> none =
      dataAwareCodes(wn.data(), rows, cols, nullptr, 0, 2, 0, false);
  for (size_t i = 0; i < wn.size(); ++i)
    EXPECT_EQ(none[i], nearestCode(wn[i], 2, 0, false));
  // A row that is never driven keeps its nearest code.
  std::vector<float> x = correlatedInputs(50, rows, 2);
  for (size_t v = 0; v < 50; ++v)
    x[v * rows + 2] = 0;
  std::vector<int32_t> aware =
      dataAwareCodes(wn.data(), rows, cols, x.data(), 50, 2, 0, false);
  for (size_t c = 0; c < cols; ++c)
    EXPECT_EQ(aware[2 * cols + c], nearestCode(wn[2 * cols + c], 2, 0, false));
}
