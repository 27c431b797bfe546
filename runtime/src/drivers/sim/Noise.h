//===- Noise.h - Non-ideality models and counter-based noise ----*- C++ -*-===//
//
// The simulator's non-ideality models (noise.proto): the named presets and
// JSON files of NoiseModel, and the random numbers they draw. Random
// numbers are counter-based: a value is a hash of the seed and of where it
// is used (tile, cell, MVM, batch row, column), so one seed gives the same
// numbers in any order and on any number of threads.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_DRIVERS_SIM_NOISE_H
#define CIMRT_SRC_DRIVERS_SIM_NOISE_H

#include "base/Status.h"
#include "noise.pb.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace cim::rt {

/// The splitmix64 finaliser: a bijective mix of 64 bits.
inline uint64_t mixBits(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// Folds `value` into the running key `h`.
inline uint64_t combineKey(uint64_t h, uint64_t value) {
  return mixBits(h ^ (value + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)));
}

/// A random stream: values keyed by a seed, a purpose and a key (build one
/// with combineKey from what the value is for).
class NoiseStream {
public:
  NoiseStream(uint64_t seed, uint64_t purpose)
      : key_(combineKey(mixBits(seed), purpose)) {}

  /// 64 random bits for `key`.
  uint64_t bits(uint64_t key) const { return combineKey(key_, key); }
  /// Uniform in (0, 1).
  double uniform(uint64_t key) const { return toUniform(bits(key)); }
  static double toUniform(uint64_t bits) {
    return (double(bits >> 11) + 0.5) * 0x1.0p-53;
  }
  /// The counter of the sequence `key` of uniforms (SplitMix64: the mixed
  /// counter key advanced by the golden gamma, one multiply pair per
  /// value), from which nextUniform draws them in order.
  uint64_t counterOf(uint64_t key) const { return bits(key); }
  /// The next uniform of a sequence. The counter advances by an addition,
  /// which the vectoriser turns into one per vector, not a multiply.
  static double nextUniform(uint64_t &counter) {
    counter += 0x9e3779b97f4a7c15ULL;
    return toUniform(mixBits(counter));
  }
  /// Uniforms u[0..n) of the sequence `key`.
  void uniforms(uint64_t key, double *u, int64_t n) const {
    uint64_t counter = counterOf(key);
    for (int64_t i = 0; i < n; ++i)
      u[i] = nextUniform(counter);
  }
  /// Standard normal: the inverse normal CDF of a uniform.
  double gaussian(uint64_t key) const { return inverseNormal(uniform(key)); }

  /// The inverse of the standard normal CDF for p in (0, 1), by Acklam's
  /// rational approximation (absolute error below 5e-9): a rational
  /// function in the centre, one logarithm only in the 4.85% of tails.
  static double inverseNormal(double p) {
    return isTail(p) ? inverseNormalTail(p) : inverseNormalCentre(p);
  }
  static constexpr double kTail = 0.02425;
  static bool isTail(double p) { return (p <= kTail) | (p >= 1 - kTail); }
  /// The centre's rational function (branch-free, so loops vectorise).
  static double inverseNormalCentre(double p) {
    constexpr double a0 = -3.969683028665376e+01, a1 = 2.209460984245205e+02,
                     a2 = -2.759285104469687e+02, a3 = 1.383577518672690e+02,
                     a4 = -3.066479806614716e+01, a5 = 2.506628277459239e+00;
    constexpr double b0 = -5.447609879822406e+01, b1 = 1.615858368580409e+02,
                     b2 = -1.556989798598866e+02, b3 = 6.680131188771972e+01,
                     b4 = -1.328068155288572e+01;
    double q = p - 0.5, r = q * q;
    return (((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q /
           (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
  }
  /// The centre in single precision (relative error about 1e-7): four
  /// lanes per vector instruction for the per-MVM read noise.
  static float inverseNormalCentreF(float p) {
    constexpr float a0 = -3.969683028665376e+01f, a1 = 2.209460984245205e+02f,
                    a2 = -2.759285104469687e+02f, a3 = 1.383577518672690e+02f,
                    a4 = -3.066479806614716e+01f, a5 = 2.506628277459239e+00f;
    constexpr float b0 = -5.447609879822406e+01f, b1 = 1.615858368580409e+02f,
                    b2 = -1.556989798598866e+02f, b3 = 6.680131188771972e+01f,
                    b4 = -1.328068155288572e+01f;
    float q = p - 0.5f, r = q * q;
    return (((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q /
           (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
  }
  /// The tails' formula, with q = sqrt(-2 log min(p, 1 - p)): without a
  /// branch or a call, so that loops over tails vectorise.
  static double inverseNormalTail(double p) {
    constexpr double c0 = -7.784894002430293e-03, c1 = -3.223964580411365e-01,
                     c2 = -2.400758277161838e+00, c3 = -2.549732539343734e+00,
                     c4 = 4.374664141464968e+00, c5 = 2.938163982698783e+00;
    constexpr double d0 = 7.784695709041462e-03, d1 = 3.224671290700398e-01,
                     d2 = 2.445134137142996e+00, d3 = 3.754408661907416e+00;
    double q = std::sqrt(-2 * logPositive(p < 0.5 ? p : 1 - p));
    double x = (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
               ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
    return p < 0.5 ? x : -x;
  }
  /// The natural logarithm of a positive normal double, without a branch
  /// or a call so that loops over it vectorise (the same IEEE operations
  /// on every ISA): fdlibm's method, x = 2^k (1 + f) with 1 + f in
  /// [sqrt(2)/2, sqrt(2)), log(1 + f) from s = f / (2 + f) and a degree-14
  /// polynomial in s, ln 2 in two parts. Within 1 ulp of the C library's
  /// logarithm, and the same double for about 96% of arguments.
  static double logPositive(double x) {
    uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    int64_t high = int64_t(bits >> 32);
    int64_t k = (high >> 20) - 1023;
    high &= 0x000fffff;
    // Mantissas above sqrt(2) take the next exponent.
    int64_t up = (high + 0x95f64) & 0x100000;
    uint64_t mBits =
        (uint64_t(high | (up ^ 0x3ff00000)) << 32) | (bits & 0xffffffffULL);
    k += up >> 20;
    double m;
    std::memcpy(&m, &mBits, sizeof m);
    constexpr double lg1 = 6.666666666666735130e-01,
                     lg2 = 3.999999999940941908e-01,
                     lg3 = 2.857142874366239149e-01,
                     lg4 = 2.222219843214978396e-01,
                     lg5 = 1.818357216161805012e-01,
                     lg6 = 1.531383769920937332e-01,
                     lg7 = 1.479819860511658591e-01;
    constexpr double ln2High = 6.93147180369123816490e-01,
                     ln2Low = 1.90821492927058770002e-10;
    double f = m - 1.0, dk = double(k);
    double s = f / (2.0 + f), z = s * s, w = z * z;
    double r = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7))) +
               w * (lg2 + w * (lg4 + w * lg6));
    // log(1 + f) = f - s (f - r).
    return dk * ln2High - ((s * (f - r) - dk * ln2Low) - f);
  }

private:
  uint64_t key_;
};

/// What the random numbers of a simulation are drawn for.
enum NoisePurpose : uint64_t {
  kStuck = 1,
  kProgram = 2,
  kDrift = 3,
  kRead = 4,
  kAdcOffset = 5,
  kIntegrator = 6,
  kCalibration = 7,
  kComparatorOffset = 8,
  kComparatorNoise = 9,
  kBridgeCap = 10,
};

/// True if the model changes nothing.
bool isIdeal(const artifact::NoiseModel &model);

/// The preset of that name, or the JSON file at that path; checks every
/// field's range. Errors name the file and the field.
StatusOr<artifact::NoiseModel> resolveNoiseModel(const std::string &nameOrFile);

/// Parses the JSON text of a NoiseModel and checks it as resolveNoiseModel
/// does; errors start with `label`, which also names a model without one.
StatusOr<artifact::NoiseModel> parseNoiseModel(const std::string &json,
                                               const std::string &label);

/// The preset names, in order.
std::vector<std::string> noisePresetNames();

} // namespace cim::rt

#endif // CIMRT_SRC_DRIVERS_SIM_NOISE_H
