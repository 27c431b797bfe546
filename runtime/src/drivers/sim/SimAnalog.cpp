//===- SimAnalog.cpp - The analog ODE boundary, simulated -------*- C++ -*-===//
//
// An analog ODE schedule keeps the state in integrators between steps
// instead of converting it on every evaluation. Per state vector: the DAC
// scales the vector by its largest magnitude s and quantises it; the
// integrators add their noise (sigma `noise` times s, drawn per element and
// step) and clamp the state to +-v_sat * s; the ADC quantises the result
// over that range (or over its largest magnitude when the target has no
// integrators). The quantised simulator models this; the ideal one uses the
// HAL's default, which leaves the state alone.
//
//===----------------------------------------------------------------------===//

#include "drivers/sim/SimDevice.h"

#include <algorithm>
#include <cmath>

namespace cim::rt::sim {

using namespace cim::macro;
namespace {

class SimAnalogState final : public hal::AnalogState {
public:
  SimAnalogState(const hal::MacroConfig &target, uint64_t key)
      : dacBits_(target.dacBits), adcBits_(target.adcBits),
        vSat_(target.hasIntegrator ? target.integrator.vSat : 0),
        noise_(target.hasIntegrator ? target.integrator.noise : 0), key_(key) {}

  Status enter(float *v, int64_t rows, int64_t width) override {
    width_ = width;
    scale_.assign(size_t(rows), 0.0);
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < width; ++c)
        scale_[r] = std::max(scale_[r], std::fabs(double(v[r * width + c])));
      quantise(v + r * width, width, scale_[r], dacBits_);
    }
    return Status::ok();
  }

  Status integrate(float *v, int64_t step) override {
    const int64_t rows = int64_t(scale_.size()), width = width_;
    if (noise_ > 0 && key_ != 0) {
      NoiseStream stream(key_, kIntegrator);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < width; ++c)
          v[r * width + c] +=
              float(noise_ * scale_[r] *
                    stream.gaussian(
                        combineKey(uint64_t(step), uint64_t(r * width + c))));
    }
    if (vSat_ <= 0)
      return Status::ok();
    for (int64_t r = 0; r < rows; ++r) {
      float limit = float(vSat_ * scale_[r]);
      for (int64_t c = 0; c < width; ++c)
        v[r * width + c] = std::clamp(v[r * width + c], -limit, limit);
    }
    return Status::ok();
  }

  Status leave(float *v) override {
    const int64_t width = width_;
    for (int64_t r = 0; r < int64_t(scale_.size()); ++r) {
      double fullScale = vSat_ * scale_[r];
      if (fullScale <= 0)
        for (int64_t c = 0; c < width; ++c)
          fullScale = std::max(fullScale, std::fabs(double(v[r * width + c])));
      quantise(v + r * width, width, fullScale, adcBits_);
    }
    return Status::ok();
  }

private:
  /// A converter of `bits` bits over [-fullScale, fullScale] on v[0..n).
  static void quantise(float *v, int64_t n, double fullScale, uint32_t bits) {
    if (bits == 0 || fullScale <= 0)
      return;
    UniformADC converter{std::ldexp(1.0, int(bits) - 1) - 1, fullScale};
    for (int64_t i = 0; i < n; ++i)
      v[i] = float(converter.convert(v[i]));
  }

  uint32_t dacBits_, adcBits_;
  double vSat_, noise_; // vSat_ 0: no saturation
  uint64_t key_;        // the solve's noise key (0: no noise)
  int64_t width_ = 1;
  std::vector<double> scale_; // s per vector
};

} // namespace

std::unique_ptr<hal::AnalogState>
openSimAnalogState(const hal::MacroConfig &target, uint64_t key) {
  return std::make_unique<SimAnalogState>(target, key);
}

StatusOr<std::unique_ptr<hal::AnalogState>>
SimDevice::openAnalogState(const hal::MacroConfig &target) {
  if (mode_ != SimMode::Quantized)
    return Device::openAnalogState(target);
  // One key per solve, from the seed and a counter: one seed gives the
  // same sequence of solves the same integrator noise.
  uint64_t key =
      combineKey(combineKey(mixBits(options_.seed), kIntegrator), noiseKeys_++);
  return openSimAnalogState(target, key);
}

} // namespace cim::rt::sim
