//===- Noise.h - Non-ideality models and counter-based noise ----*- C++ -*-===//
//
// The simulator's non-ideality models (noise.proto): the named presets and
// JSON files of NoiseModel, and the random numbers they draw. Random
// numbers are counter-based: a value is a hash of the seed and of where it
// is used (tile, cell, MVM, batch row, column), so one seed gives the same
// numbers in any order and on any number of threads.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_NOISE_H
#define CIMRT_SRC_NOISE_H

#include "Status.h"
#include "noise.pb.h"

#include <cmath>
#include <cstdint>
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
  double uniform(uint64_t key) const {
    return (double(bits(key) >> 11) + 0.5) * 0x1.0p-53;
  }
  /// Standard normal (Box-Muller on two uniforms).
  double gaussian(uint64_t key) const {
    double u1 = uniform(combineKey(key, 1)), u2 = uniform(combineKey(key, 2));
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
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
};

/// True if the model changes nothing.
bool isIdeal(const artifact::NoiseModel &model);

/// The preset of that name, or the JSON file at that path; checks every
/// field's range. Errors name the file and the field.
StatusOr<artifact::NoiseModel> resolveNoiseModel(const std::string &nameOrFile);

/// The preset names, in order.
std::vector<std::string> noisePresetNames();

} // namespace cim::rt

#endif // CIMRT_SRC_NOISE_H
