//===- RecurrentTest.cpp - The recurrent layers' activations ----*- C++ -*-===//
//
// expFloat, tanhViaExp and sigmoidViaExp against the double-precision
// library functions over their whole float range, their limits (overflow,
// underflow, NaN), and the row evaluation against the element one.
//
//===----------------------------------------------------------------------===//

#include "cim/Macro/Recurrent.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

using namespace cim::macro;

namespace {

/// Floats of [lo, hi): zero, and of either sign 1024 mantissas of every
/// binade from 2^-24 to 2^7.
std::vector<float> sweep(float lo, float hi) {
  std::vector<float> xs = {0.0f};
  for (int e = -24; e <= 7; ++e)
    for (int m = 0; m < 1024; ++m)
      for (float sign : {-1.0f, 1.0f}) {
        float x = sign * std::ldexp(1.0f + float(m) / 1024, e);
        if (x >= lo && x < hi)
          xs.push_back(x);
      }
  return xs;
}

TEST(Recurrent, ExpFloatIsWithinTwoUlpWhereNormal) {
  // e^x is a normal float for x in [ln(2^-126), ln(FLT_MAX)].
  double worst = 0;
  for (float x : sweep(-87.33f, 88.72f)) {
    double want = std::exp(double(x));
    double ulp = std::ldexp(1.0, std::ilogb(float(want)) - 23);
    double err = std::fabs(double(expFloat(x)) - want) / ulp;
    worst = std::max(worst, err);
    ASSERT_LE(err, 2.0) << "x = " << x;
  }
  // The bound is not vacuous: the polynomial is not exact.
  EXPECT_GT(worst, 0.5);
}

TEST(Recurrent, ExpFloatLimits) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(expFloat(88.73f), inf);
  EXPECT_EQ(expFloat(inf), inf);
  EXPECT_EQ(expFloat(-104.0f), 0.0f);
  EXPECT_EQ(expFloat(-inf), 0.0f);
  EXPECT_EQ(expFloat(0.0f), 1.0f);
  EXPECT_TRUE(std::isnan(expFloat(std::nanf(""))));
  // Subnormal results are within one subnormal step.
  for (float x : {-88.0f, -95.5f, -100.0f, -103.0f})
    EXPECT_LE(std::fabs(expFloat(x) - float(std::exp(double(x)))),
              std::numeric_limits<float>::denorm_min())
        << "x = " << x;
}

TEST(Recurrent, TanhAndSigmoidAgainstDouble) {
  for (float x : sweep(-30.0f, 30.0f)) {
    double t = std::tanh(double(x));
    ASSERT_LE(std::fabs(tanhViaExp(x) - t), 1e-6 * std::fabs(t) + 1e-30)
        << "tanh(" << x << ")";
    double s = 1 / (1 + std::exp(-double(x)));
    ASSERT_LE(std::fabs(sigmoidViaExp(x) - s), 1e-6 * s)
        << "sigmoid(" << x << ")";
  }
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(tanhViaExp(inf), 1.0f);
  EXPECT_EQ(tanhViaExp(-inf), -1.0f);
  EXPECT_EQ(sigmoidViaExp(inf), 1.0f);
  EXPECT_EQ(sigmoidViaExp(-inf), 0.0f);
  EXPECT_TRUE(std::isnan(tanhViaExp(std::nanf(""))));
  EXPECT_TRUE(std::isnan(sigmoidViaExp(std::nanf(""))));
}

TEST(Recurrent, RowsEvaluateAsElements) {
  std::vector<float> xs = sweep(-12.0f, 12.0f);
  xs.push_back(std::numeric_limits<float>::infinity());
  xs.push_back(std::nanf(""));
  for (const RecurrentActivationInfo &a : kRecurrentActivations) {
    std::vector<float> row = xs;
    evaluateRow(a.kind, 0.7f, 0.3f, row.data(), int64_t(row.size()));
    for (size_t i = 0; i < xs.size(); ++i) {
      float want = evaluate(a.kind, 0.7f, 0.3f, xs[i]);
      if (std::isnan(want))
        ASSERT_TRUE(std::isnan(row[i])) << a.name << "(" << xs[i] << ")";
      else
        ASSERT_EQ(row[i], want) << a.name << "(" << xs[i] << ")";
    }
  }
}

} // namespace
