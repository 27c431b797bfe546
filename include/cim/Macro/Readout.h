//===- Readout.h - Column readout circuits of a CIM macro --------*- C++ -*-===//
//
// How a column result leaves an array: a uniform ADC (range, clipping,
// offset), a ramp ADC with arbitrary thresholds, a sign comparator, a
// leaky integrate-and-fire neuron, or an analog integrator. Values are in
// the column's normalised units; docs/Simulator.md gives the formulas.
// Part of the macro model shared by the compiler and the runtime.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_MACRO_READOUT_H
#define CIM_MACRO_READOUT_H

#include <algorithm>
#include <cmath>
#include <vector>

namespace cim::macro {

/// A uniform ADC: 2 L + 1 codes (L = 2^(bits - 1) - 1) over [-range,
/// range]; code = clamp(round(v / range * L + offset), -L, L) and the
/// output is code * range / L. `offset` is in LSB.
struct UniformADC {
  double levels = 0; // L; 0: no quantisation
  double range = 1;

  double convert(double v, double offset = 0) const {
    if (levels == 0)
      return v;
    // (levels / range) and (range / levels) are loop invariants of a
    // caller's loop; a division per conversion would dominate it.
    double q = std::clamp(v * (levels / range) + offset, -levels, levels);
    return roundHalfAway(q) * (range / levels);
  }

  /// std::round for |q| < 2^52, without a libm call: truncation of q +-
  /// 1/2 (off by one only within an ulp below a half).
  static double roundHalfAway(double q) {
    return double(int64_t(q + (q < 0 ? -0.5 : 0.5)));
  }
};

/// A ramp ADC: a counter runs while a ramp rises past thresholds t_1 <
/// ... < t_n; the comparator stops it at the first threshold above the
/// input, so the code is the number of thresholds at or below v, and the
/// output is levels[code]. A pre-distorted ramp (non-uniform thresholds)
/// computes a monotonic function of v in the conversion.
struct RampADC {
  std::vector<double> thresholds; // ascending
  std::vector<double> levels;     // thresholds.size() + 1 outputs

  size_t code(double v) const {
    return size_t(std::upper_bound(thresholds.begin(), thresholds.end(), v) -
                  thresholds.begin());
  }
  double convert(double v) const { return levels[code(v)]; }

  /// The ramp of a uniform `bits`-bit ADC over [-range, range]: it gives
  /// the same output as UniformADC{2^(bits-1) - 1, range} (rounding half up
  /// where UniformADC rounds half away from zero).
  static RampADC uniform(unsigned bits, double range) {
    RampADC adc;
    double l = std::ldexp(1.0, int(bits) - 1) - 1;
    for (double k = -l; k <= l; k += 1) {
      adc.levels.push_back(k * range / l);
      if (k < l)
        adc.thresholds.push_back((k + 0.5) * range / l);
    }
    return adc;
  }
};

/// One step of the monotonic function a ramp ADC computes: tanh,
/// sigmoid, exp, log, relu, clamp to [a, b], multiplication by a, addition
/// of a.
enum class RampStepKind { Tanh, Sigmoid, Exp, Log, Relu, Clamp, Mul, Add };

struct RampStep {
  RampStepKind kind = RampStepKind::Tanh;
  double a = 0, b = 0;

  bool operator==(const RampStep &o) const {
    return kind == o.kind && a == o.a && b == o.b;
  }
  double operator()(double v) const {
    switch (kind) {
    case RampStepKind::Tanh:
      return std::tanh(v);
    case RampStepKind::Sigmoid:
      return 1.0 / (1.0 + std::exp(-v));
    case RampStepKind::Exp:
      return std::exp(v);
    case RampStepKind::Log:
      return std::log(v);
    case RampStepKind::Relu:
      return v > 0 ? v : 0.0;
    case RampStepKind::Clamp:
      return std::min(std::max(v, a), b);
    case RampStepKind::Mul:
      return v * a;
    case RampStepKind::Add:
      return v + a;
    }
    return v;
  }
  /// The input giving `y`, for y inside the step's range (relu and clamp
  /// are the identity there).
  double inverse(double y) const {
    switch (kind) {
    case RampStepKind::Tanh:
      return std::atanh(y);
    case RampStepKind::Sigmoid:
      return std::log(y / (1.0 - y));
    case RampStepKind::Exp:
      return std::log(y);
    case RampStepKind::Log:
      return std::exp(y);
    case RampStepKind::Relu:
    case RampStepKind::Clamp:
      return y;
    case RampStepKind::Mul:
      return y / a;
    case RampStepKind::Add:
      return y - a;
    }
    return y;
  }
  /// Scalar products and sums: steps that keep a function linear.
  bool linear() const {
    return kind == RampStepKind::Mul || kind == RampStepKind::Add;
  }
};

/// The name of a step kind as the IR prints it, and its argument count.
inline const char *rampStepName(RampStepKind kind) {
  static const char *const names[] = {"tanh", "sigmoid", "exp", "log",
                                      "relu", "clamp",   "mul", "add"};
  return names[int(kind)];
}
inline unsigned rampStepArguments(RampStepKind kind) {
  return kind == RampStepKind::Clamp ? 2
         : kind == RampStepKind::Mul || kind == RampStepKind::Add ? 1
                                                                  : 0;
}

/// The steps of a ramp readout, applied in order; the simulator's ideal
/// mode evaluates them exactly.
class RampFunction {
public:
  RampFunction() = default;
  explicit RampFunction(std::vector<RampStep> steps)
      : steps_(std::move(steps)) {}

  double operator()(double v) const {
    for (const RampStep &s : steps_)
      v = s(v);
    return v;
  }
  const std::vector<RampStep> &steps() const { return steps_; }

private:
  std::vector<RampStep> steps_;
};

/// A sign comparator: +range, -range, or 0 at exactly 0.
inline double signCompare(double v, double range) {
  return v > 0 ? range : v < 0 ? -range : 0.0;
}

/// A binary neuron (a capacitive sign neuron behind RRAM bridges): the
/// model's float32 steps v = ((q + pre) * scale) + bias on the column's
/// pre-activation q, then a comparison with `cmp`: +1 above, -1 below, and
/// at equality `tie` (ONNX Sign: 0; Where(v > c, 1, -1): -1; Where(v >= c,
/// 1, -1): +1). `exact` replays the model bit for bit (absent steps are
/// the identities 0, 1, 0). A comparator decides q against `reference`
/// in the direction `polarity()`: a negative scale flips the comparison
/// (the column's bridges are read swapped).
struct BinaryNeuron {
  float pre = 0, scale = 1, bias = 0, cmp = 0, tie = 0;
  double reference = 0; // the comparator's reference, in units of q

  bool operator==(const BinaryNeuron &o) const {
    return pre == o.pre && scale == o.scale && bias == o.bias &&
           cmp == o.cmp && tie == o.tie && reference == o.reference;
  }

  /// The model's output for pre-activation q; NaN propagates as Sign's
  /// does (x - x), and reads -1 through Where's comparison.
  float exact(float q) const {
    // One rounding per step, as the model's ops do (no contraction into a
    // fused multiply-add).
    volatile float p = q + pre;
    volatile float m = p * scale;
    float v = m + bias;
    if (v > cmp)
      return 1.0f;
    if (v < cmp)
      return -1.0f;
    if (v == cmp)
      return tie;
    return tie == 0 ? v - v : -1.0f;
  }
  /// +1 if the output rises with q, -1 if it falls, 0 if it is constant.
  int polarity() const { return scale > 0 ? 1 : scale < 0 ? -1 : 0; }
  /// The q at which the steps cross `cmp` (in real arithmetic).
  double crossing() const {
    return (double(cmp) - double(bias)) / double(scale) - double(pre);
  }
  /// What a device reads where the model gives `value`: a comparator has
  /// no zero, so a tie of Sign (and a constant 0) reads -1.
  static float deviceOutput(float value) { return value == 1.0f ? 1.0f : -1.0f; }
  /// A comparator's output for q plus its offset and noise `error`: +1 on
  /// the side of the reference that the model maps to 1, else -1.
  float compare(double q, double error = 0) const {
    int p = polarity();
    if (p == 0)
      return deviceOutput(exact(0.0f));
    double d = p * (q - reference) + error;
    if (d > 0)
      return 1.0f;
    if (d < 0)
      return -1.0f;
    return deviceOutput(tie);
  }
};

/// The comparator reference of `n` for a column of `m` nonzero +-1
/// weights. With +-1 inputs, q takes only the values -m, -m + 2, ..., m,
/// and the reference sits midway between the two neighbours where the
/// device's output changes (or one step beyond the range where it never
/// does): every decision then has a margin of one unit of q. Otherwise it
/// is the crossing itself.
inline double binaryReference(const BinaryNeuron &n, int64_t m,
                              bool binaryInputs) {
  int p = n.polarity();
  if (p == 0)
    return 0;
  if (!binaryInputs)
    return n.crossing();
  auto high = [&](int64_t k) {
    return BinaryNeuron::deviceOutput(n.exact(float(2 * k - m))) == 1.0f;
  };
  if (p > 0) { // -1 below, +1 from the first high value on
    for (int64_t k = 0; k <= m; ++k)
      if (high(k))
        return double(2 * k - m) - 1;
    return double(m) + 1;
  }
  for (int64_t k = m; k >= 0; --k) // +1 below, up to the last high value
    if (high(k))
      return double(2 * k - m) + 1;
  return -double(m) - 1;
}

/// A leaky integrate-and-fire neuron (a cim.lif layer's, one per
/// element): at every step v <- beta * v + I in float32 (the product
/// rounded, then the sum, as an unrolled export computes it); it spikes
/// where v > theta (or v >= theta with `ge`), and a spiking membrane is
/// lowered by theta (`subtractReset`) or set to zero. A `refractory` neuron
/// ignores its input for the step after a spike: the current is I * (1 -
/// s_prev).
struct LIFNeuron {
  float beta = 1, theta = 1;
  bool ge = false, subtractReset = true, refractory = false;

  /// One step of membrane `v` with input current `current`, after the
  /// previous step's spike `previous`; returns the spike (0 or 1).
  float step(float &v, float current, float previous = 0) const {
    if (refractory)
      current = current * (1.0f - previous);
    float leaked = beta * v;
    v = leaked + current;
    bool spike = ge ? v >= theta : v > theta;
    if (spike)
      v = subtractReset ? v - theta : 0.0f;
    return spike ? 1.0f : 0.0f;
  }
};

/// An analog integrator per column: v <- clamp((1 - leak) v + gain * I +
/// noise, -vSat, vSat), where noise is the step's N(0, sigma) sample.
struct Integrator {
  double gain = 1, leak = 0, vSat = 1, sigma = 0;
  double v = 0;

  double step(double current, double standardNormal = 0) {
    v = std::clamp((1 - leak) * v + gain * current + sigma * standardNormal,
                   -vSat, vSat);
    return v;
  }
};

} // namespace cim::macro

#endif // CIM_MACRO_READOUT_H
