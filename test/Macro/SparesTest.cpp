//===- SparesTest.cpp - Remapping faulty lines onto spares --------------===//

#include "cim/Macro/Spares.h"

#include <gtest/gtest.h>

#include <random>

using namespace cim::macro;

TEST(PickFaultyLine, LargestScoreRowOnTies) {
  std::vector<double> rows = {0, 3, 1}, cols = {2, 3, 0, 0};
  FaultyLine l = pickFaultyLine(rows, true, cols, true);
  EXPECT_EQ(l.kind, FaultyLine::Row); // 3 against 3: the row
  EXPECT_EQ(l.index, 1u);
  l = pickFaultyLine(rows, false, cols, true);
  EXPECT_EQ(l.kind, FaultyLine::Column);
  EXPECT_EQ(l.index, 1u);
  cols[0] = 4;
  l = pickFaultyLine(rows, true, cols, true);
  EXPECT_EQ(l.kind, FaultyLine::Column);
  EXPECT_EQ(l.index, 0u);
  EXPECT_EQ(pickFaultyLine({0, 0}, true, {0}, true).kind, FaultyLine::None);
  EXPECT_EQ(pickFaultyLine(rows, false, cols, false).kind, FaultyLine::None);
}

namespace {
std::vector<double> randomMagnitudes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> m(n);
  for (double &x : m)
    x = u(rng);
  return m;
}
} // namespace

TEST(FaultEnergyLeft, OneWithoutSparesOrFaults) {
  auto m = randomMagnitudes(2 * 32 * 16, 1);
  for (double f : faultEnergyLeft(m, 2, 32, 16, 0.01, true, 0, 0, 8, 1))
    EXPECT_EQ(f, 1.0);
  for (double f : faultEnergyLeft(m, 2, 32, 16, 0.0, true, 4, 4, 8, 1))
    EXPECT_EQ(f, 1.0);
}

/// More spares leave less of the stuck cells' error, within [0, 1]; and
/// with as many spare rows as rows (and faultless spares) nearly none.
TEST(FaultEnergyLeft, FallsWithSpares) {
  const size_t slices = 2, rows = 64, cols = 32;
  auto m = randomMagnitudes(slices * rows * cols, 2);
  auto mean = [&](uint32_t spares, double rate) {
    auto f = faultEnergyLeft(m, slices, rows, cols, rate, true, spares,
                             spares, 64, 7);
    double s = 0;
    for (double x : f) {
      EXPECT_GE(x, 0.0);
      EXPECT_LE(x, 1.0);
      s += x;
    }
    return s / double(f.size());
  };
  double few = mean(2, 0.01), more = mean(8, 0.01), all = mean(64, 0.01);
  EXPECT_LT(few, 1.0);
  EXPECT_LT(more, few);
  EXPECT_LT(all, more);
  EXPECT_LT(all, 0.05);
}

/// With one faulty row per draw at most (rare faults) and one spare row,
/// every fault is remapped unless the spare is faulty too.
TEST(FaultEnergyLeft, RareFaultsAllRemapped) {
  const size_t rows = 16, cols = 4;
  std::vector<double> m(rows * cols, 1.0);
  auto f = faultEnergyLeft(m, 1, rows, cols, 1e-3, false, 1, 0, 2000, 3);
  double s = 0;
  for (double x : f)
    s += x;
  // Left: draws with faults in two rows, or a faulty spare (about
  // 64e-3 and 4e-3 of the faulty draws): far below one.
  EXPECT_LT(s / double(cols), 0.15);
}
