//===- RowCopiesTest.cpp - Spreading rows over free rows --------*- C++ -*-===//

#include "cim/Macro/RowCopies.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>

using namespace cim::macro;

namespace {

int64_t extra(const std::vector<int64_t> &copies) {
  return std::accumulate(copies.begin(), copies.end(), int64_t(0)) -
         int64_t(copies.size());
}

TEST(RowCopies, OutlierRowIsSplitAndTheOthersStay) {
  // Column 0's peak (8) is on row 2, four times the next weight: splitting
  // row 2 four ways brings the column's scale down to 2.
  std::vector<float> w = {1, 1,  2, 1,  8, 1,  -1, 1,
                          1, -1, 2, 1,  1, 1,  -2, 1};
  std::vector<int64_t> k = chooseRowCopies(w.data(), 8, 2, {}, 0, 8, 16);
  EXPECT_EQ(k[2], 4);
  for (size_t r = 0; r < k.size(); ++r)
    if (r != 2)
      EXPECT_EQ(k[r], 1) << "row " << r;
  EXPECT_LT(rowCopiesNoise(w.data(), 8, 2, k, {}, 0),
            rowCopiesNoise(w.data(), 8, 2, std::vector<int64_t>(8, 1), {}, 0));
  // The split brings the measure to 1.925 / 7.4 = 0.26 of one row per
  // input: kept at a ratio of 0.3, dropped at 0.25.
  EXPECT_EQ(chooseRowCopies(w.data(), 8, 2, {}, 0, 8, 16, 0.3), k);
  EXPECT_EQ(chooseRowCopies(w.data(), 8, 2, {}, 0, 8, 16, 0.25),
            std::vector<int64_t>(8, 1));
}

TEST(RowCopies, PeaksOnEveryRowSpreadUniformly) {
  // Each column's peak is on another row, so no single split helps; every
  // row copied three times divides each scale by 3 for 3 times the rows.
  std::vector<float> w = {4, 1, 1,
                          1, 4, 1,
                          1, 1, 4};
  std::vector<int64_t> k = chooseRowCopies(w.data(), 3, 3, {}, 0, 6, 16);
  EXPECT_EQ(k, (std::vector<int64_t>{3, 3, 3}));
  double one = rowCopiesNoise(w.data(), 3, 3, {1, 1, 1}, {}, 0);
  EXPECT_NEAR(rowCopiesNoise(w.data(), 3, 3, k, {}, 0), one / 3, 1e-12);
}

TEST(RowCopies, NothingToGain) {
  std::vector<float> w = {1, -1, 1, 1};
  // No free rows, a cap of one copy, or all-zero weights: one copy each.
  EXPECT_EQ(chooseRowCopies(w.data(), 2, 2, {}, 0, 0, 16),
            (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(chooseRowCopies(w.data(), 2, 2, {}, 0, 10, 1),
            (std::vector<int64_t>{1, 1}));
  std::vector<float> zero(4, 0.0f);
  EXPECT_EQ(chooseRowCopies(zero.data(), 2, 2, {}, 0, 10, 16),
            (std::vector<int64_t>{1, 1}));
  // A bias row that holds every column's peak is never split, so copies
  // of the other rows only add noise.
  EXPECT_EQ(chooseRowCopies(w.data(), 2, 2, {9, 9}, 1, 10, 16),
            (std::vector<int64_t>{1, 1}));
}

TEST(RowCopies, RandomWeightsNeverWorseAndWithinBudget) {
  std::mt19937 rng(7);
  std::student_t_distribution<float> heavy(3);
  std::uniform_int_distribution<int> size(1, 40);
  for (int trial = 0; trial < 50; ++trial) {
    size_t rows = size_t(size(rng)), cols = size_t(size(rng));
    std::vector<float> w(rows * cols);
    for (float &v : w)
      v = heavy(rng);
    int64_t budget = size(rng) * 2;
    std::vector<int64_t> k =
        chooseRowCopies(w.data(), rows, cols, {}, 0, budget, 8);
    ASSERT_EQ(k.size(), rows);
    EXPECT_LE(extra(k), budget);
    for (int64_t c : k) {
      EXPECT_GE(c, 1);
      EXPECT_LE(c, 8);
    }
    std::vector<int64_t> ones(rows, 1);
    EXPECT_LE(rowCopiesNoise(w.data(), rows, cols, k, {}, 0),
              rowCopiesNoise(w.data(), rows, cols, ones, {}, 0));
  }
}

TEST(RowCopies, MeasureIsTheReadNoiseOfSplitCells) {
  // The measure's column term s_c^2 * sum_r k_r against a simulation of
  // the cells: each copy programmed to (w / k) / s_c, every cell read with
  // N(0, sigma); the column error in weight units over unit inputs.
  std::vector<float> w = {3, 1, -1, 0.5f, 0.25f, -2};
  std::vector<int64_t> k = {3, 1, 2};
  const size_t rows = 3, cols = 2;
  std::mt19937 rng(11);
  std::normal_distribution<double> read(0, 0.01);
  double s[cols] = {0, 0}, signal[cols] = {0, 0};
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) {
      s[c] = std::max(s[c], std::fabs(double(w[r * cols + c])) / double(k[r]));
      signal[c] += double(w[r * cols + c]) * w[r * cols + c];
    }
  double predicted = 0, measured = 0;
  const int draws = 200000;
  for (size_t c = 0; c < cols; ++c) {
    double sq = 0;
    for (int d = 0; d < draws; ++d) {
      double error = 0;
      for (size_t r = 0; r < rows; ++r)
        for (int64_t copy = 0; copy < k[r]; ++copy)
          error += read(rng) * s[c];
      sq += error * error;
    }
    measured += sq / draws / signal[c];
    predicted += s[c] * s[c] / signal[c];
  }
  predicted *= 6 * 0.01 * 0.01; // 6 rows driven
  EXPECT_NEAR(measured / predicted, 1.0, 0.02);
  EXPECT_NEAR(rowCopiesNoise(w.data(), rows, cols, k, {}, 0) * 1e-4,
              predicted, 1e-12);
}

} // namespace
