//===- ReadoutTest.cpp - Binary neurons' references -------------*- C++ -*-===//
//
// A binary neuron's comparator reference, chosen for +-1 inputs, gives the
// model's sign for every pre-activation a column can reach (a tie of Sign
// reading -1) with a margin of one unit of q, whatever the steps' signs.
//
//===----------------------------------------------------------------------===//

#include "cim/Macro/Readout.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace cim::macro;

namespace {

TEST(BinaryNeuron, ReferenceSeparatesEveryReachableValueByOne) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> any(-3, 3);
  std::uniform_int_distribution<int> fanIns(0, 40), ties(-1, 1);
  for (int trial = 0; trial < 2000; ++trial) {
    int64_t m = fanIns(rng);
    BinaryNeuron n{any(rng), any(rng), any(rng) * float(m), any(rng),
                   float(ties(rng))};
    if (trial % 7 == 0)
      n.bias = -n.scale * (2.0f * float(m / 2) - float(m)); // a tie at q
    n.reference = binaryReference(n, m, true);
    for (int64_t q = -m; q <= m; q += 2) {
      float model = n.exact(float(q));
      EXPECT_EQ(n.compare(double(q)), model == 1.0f ? 1.0f : -1.0f)
          << "trial " << trial << " q " << q;
      if (n.polarity() != 0)
        EXPECT_GE(std::fabs(double(q) - n.reference), 1.0)
            << "trial " << trial << " q " << q;
    }
  }
}

TEST(BinaryNeuron, ExactReplaysTheSteps) {
  // Sign of ((q + pre) * scale) + bias, 0 at zero, NaN through.
  BinaryNeuron sign{0.0f, -2.0f, 3.0f, 0.0f, 0.0f};
  EXPECT_EQ(sign.exact(1.0f), 1.0f);
  EXPECT_EQ(sign.exact(1.5f), 0.0f);
  EXPECT_EQ(sign.exact(2.0f), -1.0f);
  EXPECT_TRUE(std::isnan(sign.exact(NAN)));
  // Where(v >= 0.5, 1, -1): ties +1, NaN -1.
  BinaryNeuron ge{0.0f, 1.0f, 0.0f, 0.5f, 1.0f};
  EXPECT_EQ(ge.exact(0.5f), 1.0f);
  EXPECT_EQ(ge.exact(0.25f), -1.0f);
  EXPECT_EQ(ge.exact(NAN), -1.0f);
  // Without +-1 inputs the reference is the crossing: (c - b) / s - pre.
  BinaryNeuron n{-2.0f, 4.0f, 1.0f, 0.5f, 0.0f};
  EXPECT_DOUBLE_EQ(binaryReference(n, 3, false), 1.875);
}

} // namespace
