//===- MacroTestHelpers.h - Shared inputs of the macro tests ----*- C++ -*-===//

#ifndef CIM_TEST_MACRO_MACROTESTHELPERS_H
#define CIM_TEST_MACRO_MACROTESTHELPERS_H

#include <algorithm>
#include <random>
#include <vector>

namespace cim::macro::test {

/// Normalised weights in [-1, 1] (rows x cols, row-major) with a +-1 in
/// every column.
inline std::vector<float> weights(size_t rows, size_t cols, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0, 0.3f);
  std::vector<float> w(rows * cols);
  for (float &v : w)
    v = std::clamp(normal(rng), -1.0f, 1.0f);
  for (size_t c = 0; c < cols; ++c)
    w[c] = c % 2 ? 1.0f : -1.0f;
  return w;
}

/// `n` draws of a Gaussian of `mean` and `sigma`.
inline std::vector<double> gaussianSamples(size_t n, double mean,
                                           double sigma, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal(mean, sigma);
  std::vector<double> samples(n);
  for (double &s : samples)
    s = normal(rng);
  return samples;
}

} // namespace cim::macro::test

#endif // CIM_TEST_MACRO_MACROTESTHELPERS_H
