//===- VarianceProductTest.cpp - Conductance-proportional variances -------===//
//
// The variance product against exact sums in double (within bfloat16's
// rounding), against a scalar statement of its documented order (bit for
// bit, for both kernels), and its results for one input vector the same
// in any batch. Also the bfloat16 rounding.
//
//===----------------------------------------------------------------------===//

#include "drivers/sim/VarianceProduct.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace cim::rt::sim;

namespace {

float fromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

float bf16(float f) { return fromBits(uint32_t(toBfloat16(f)) << 16); }

struct Case {
  int64_t batch, rows, cols;
  std::vector<float> x, v;
};

/// Inputs as the DAC gives them (integer codes up to 127, zeros among
/// them) or unquantised, and variances over six decades with zeros.
Case randomCase(int64_t batch, int64_t rows, int64_t cols, bool codes,
                unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  std::uniform_real_distribution<float> decades(-6.0f, 0.0f);
  Case c{batch, rows, cols, {}, {}};
  c.x.resize(size_t(batch * rows));
  for (float &x : c.x)
    x = codes ? std::round(127.0f * unit(rng)) : unit(rng);
  c.v.resize(size_t(rows * cols));
  for (float &v : c.v)
    v = rng() % 10 == 0 ? 0.0f : std::pow(10.0f, decades(rng));
  return c;
}

std::vector<float> run(const Case &c, bool portable) {
  PackedVariances packed = packVariances(c.v.data(), c.rows, c.cols);
  std::vector<uint16_t> squares;
  squareInputs(c.x.data(), c.batch, c.rows, squares);
  std::vector<float> out(size_t(c.batch * c.cols), -1.0f);
  if (portable)
    varianceProductPortable(squares.data(), c.batch, packed, out.data());
  else
    varianceProduct(squares.data(), c.batch, packed, out.data());
  return out;
}

const Case kShapes[] = {
    randomCase(1, 256, 256, true, 1),  randomCase(13, 37, 10, true, 2),
    randomCase(7, 1000, 130, true, 3), randomCase(64, 256, 64, false, 4),
    randomCase(6, 2, 65, false, 5),    randomCase(5, 1, 3, true, 6),
};

TEST(VarianceProduct, WithinBfloat16OfTheExactSums) {
  for (const Case &c : kShapes) {
    std::vector<float> out = run(c, false);
    // Each term's two roundings to bfloat16 are within 2^-8 each; the
    // float sums add rows times 2^-24 at most.
    const double bound = 2 * 0x1p-8 + 0x1p-16 + double(c.rows) * 0x1p-24;
    double worst = 0;
    for (int64_t b = 0; b < c.batch; ++b)
      for (int64_t col = 0; col < c.cols; ++col) {
        double exact = 0;
        for (int64_t r = 0; r < c.rows; ++r) {
          double x = c.x[size_t(b * c.rows + r)];
          exact += x * x * double(c.v[size_t(r * c.cols + col)]);
        }
        double got = out[size_t(b * c.cols + col)];
        if (exact == 0) {
          EXPECT_EQ(got, 0.0);
          continue;
        }
        worst = std::max(worst, std::fabs(got - exact) / exact);
      }
    EXPECT_LE(worst, bound) << c.batch << " x " << c.rows << " x " << c.cols;
    EXPECT_GT(worst, 0.0) << "the rounding to bfloat16 shows";
  }
}

TEST(VarianceProduct, BothKernelsAddInTheDocumentedOrder) {
  for (const Case &c : kShapes) {
    for (bool portable : {false, true}) {
      std::vector<float> out = run(c, portable);
      for (int64_t b = 0; b < c.batch; ++b)
        for (int64_t col = 0; col < c.cols; ++col) {
          // Over the rows in pairs, row 2p + 1 then row 2p, in float.
          float sum = 0;
          auto term = [&](int64_t r) {
            if (r >= c.rows)
              return 0.0f;
            float x = c.x[size_t(b * c.rows + r)];
            return bf16(x * x) * bf16(c.v[size_t(r * c.cols + col)]);
          };
          for (int64_t r = 0; r < c.rows; r += 2) {
            sum += term(r + 1);
            sum += term(r);
          }
          float got = out[size_t(b * c.cols + col)];
          ASSERT_EQ(std::memcmp(&got, &sum, sizeof sum), 0)
              << (portable ? "portable" : "dispatched") << " kernel, "
              << c.batch << " x " << c.rows << " x " << c.cols << " at (" << b
              << ", " << col << "): " << got << " against " << sum;
        }
    }
  }
}

TEST(VarianceProduct, AVectorsVariancesDoNotDependOnTheBatch) {
  Case all = randomCase(23, 300, 200, true, 7);
  std::vector<float> together = run(all, false);
  for (int64_t b : {0, 5, 17, 22}) {
    Case one = all;
    one.batch = 1;
    one.x.assign(all.x.begin() + b * all.rows,
                 all.x.begin() + (b + 1) * all.rows);
    std::vector<float> alone = run(one, false);
    EXPECT_EQ(std::memcmp(alone.data(), together.data() + b * all.cols,
                          alone.size() * sizeof(float)),
              0)
        << "row " << b;
  }
}

TEST(VarianceProduct, RoundsToNearestEvenAndFlushesTinyValues) {
  EXPECT_EQ(toBfloat16(1.0f), 0x3f80);
  // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: to even (1).
  EXPECT_EQ(toBfloat16(1.0f + 0x1p-8f), 0x3f80);
  // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 and 1 + 2^-6: to even.
  EXPECT_EQ(toBfloat16(1.0f + 3 * 0x1p-8f), 0x3f82);
  EXPECT_EQ(toBfloat16(1.0f + 0x1p-8f + 0x1p-12f), 0x3f81);
  EXPECT_EQ(toBfloat16(16129.0f), 0x467c); // 127^2 to 16128
  EXPECT_EQ(toBfloat16(0x1p-63f), 0x2000);
  EXPECT_EQ(toBfloat16(0x1.fp-64f), 0);
  EXPECT_EQ(toBfloat16(std::numeric_limits<float>::max()), 0x7f80); // +inf
  EXPECT_EQ(toBfloat16(std::numeric_limits<float>::quiet_NaN()), 0x7fc0);
}

} // namespace
