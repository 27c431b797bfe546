//===- Recurrent.h - The activations of recurrent layers --------*- C++ -*-===//
//
// ONNX's RNN, GRU and LSTM take their activations by name, some with alpha
// and beta. The one table of them: names (as ONNX spells them, which the
// artifact carries), which parameters each takes and their defaults (as
// onnxruntime uses them, ONNX's operator defaults where one exists), and
// their definitions, evaluated by the runtime's recurrent kernels; the
// compiler's `#cim<activation ...>` enum lists the same names in the same
// order. Part of the macro model shared by the compiler and the runtime.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_MACRO_RECURRENT_H
#define CIM_MACRO_RECURRENT_H

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>

namespace cim::macro {

enum class RecurrentActivation {
  Relu,
  Tanh,
  Sigmoid,
  Affine,
  LeakyRelu,
  ThresholdedRelu,
  ScaledTanh,
  HardSigmoid,
  Elu,
  Softsign,
  Softplus,
};

struct RecurrentActivationInfo {
  const char *name;
  RecurrentActivation kind;
  bool takesAlpha, takesBeta;
  float alpha, beta; // defaults
};

inline constexpr RecurrentActivationInfo kRecurrentActivations[] = {
    {"Relu", RecurrentActivation::Relu, false, false, 0, 0},
    {"Tanh", RecurrentActivation::Tanh, false, false, 0, 0},
    {"Sigmoid", RecurrentActivation::Sigmoid, false, false, 0, 0},
    {"Affine", RecurrentActivation::Affine, true, true, 1.0f, 0.0f},
    {"LeakyRelu", RecurrentActivation::LeakyRelu, true, false, 0.01f, 0},
    {"ThresholdedRelu", RecurrentActivation::ThresholdedRelu, true, false,
     1.0f, 0},
    {"ScaledTanh", RecurrentActivation::ScaledTanh, true, true, 1.0f, 1.0f},
    {"HardSigmoid", RecurrentActivation::HardSigmoid, true, true, 0.2f, 0.5f},
    {"Elu", RecurrentActivation::Elu, true, false, 1.0f, 0},
    {"Softsign", RecurrentActivation::Softsign, false, false, 0, 0},
    {"Softplus", RecurrentActivation::Softplus, false, false, 0, 0},
};

inline const RecurrentActivationInfo &info(RecurrentActivation kind) {
  return kRecurrentActivations[int(kind)];
}

/// The activation named `name`, matched case-insensitively as onnxruntime
/// does, or null.
inline const RecurrentActivationInfo *
findRecurrentActivation(std::string_view name) {
  for (const RecurrentActivationInfo &a : kRecurrentActivations) {
    std::string_view n(a.name);
    if (n.size() == name.size() &&
        std::equal(n.begin(), n.end(), name.begin(), [](char x, char y) {
          return std::tolower((unsigned char)x) ==
                 std::tolower((unsigned char)y);
        }))
      return &a;
  }
  return nullptr;
}

/// e^x in float32 without a branch or a call, so that loops over it
/// vectorise (and give the same bits on every ISA when compiled without
/// FMA contraction): x = n ln2 + r with |r| <= ln2 / 2 (ln2 in two parts,
/// Cody and Waite), e^r by Cephes' expf polynomial, times 2^n in two
/// exact halves. Within 2 ulp of e^x where that is a normal float; above
/// 88.72 it is +inf, below -103.97 zero, and NaN stays NaN.
inline float expFloat(float x) {
  constexpr float kHigh = 88.7228394f, kLow = -103.972084f;
  float v = x > kHigh ? kHigh : x;
  v = v < kLow ? kLow : v;
  // n = round(v / ln2): adding 1.5 * 2^23 rounds to an integer, which
  // sits in the sum's low mantissa bits.
  constexpr float kRound = 12582912.0f;
  float shifted = v * 1.44269504088896341f + kRound;
  float n = shifted - kRound;
  uint32_t shiftedBits;
  std::memcpy(&shiftedBits, &shifted, sizeof shiftedBits);
  int32_t ni = int32_t(shiftedBits - 0x4B400000u); // n, in [-150, 128]
  float r = v - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float e = p * (r * r) + r + 1.0f;
  // 2^n as two factors 2^half and 2^(n - half), each a normal float.
  int32_t half = ni >> 1;
  uint32_t bits1 = uint32_t(half + 127) << 23, bits2 = uint32_t(ni - half + 127)
                                                       << 23;
  float scale1, scale2;
  std::memcpy(&scale1, &bits1, sizeof scale1);
  std::memcpy(&scale2, &bits2, sizeof scale2);
  e = e * scale1 * scale2;
  e = x > kHigh ? std::numeric_limits<float>::infinity() : e;
  return x < kLow ? 0.0f : e;
}

/// tanh in float32 through expFloat: 1 - 2 / (e^{2|x|} + 1) with x's
/// sign, and below |x| = 1/8 (where that form would cancel) the series to
/// x^7, both computed and one selected, so that loops vectorise. Within
/// 1e-6 relative error.
inline float tanhViaExp(float x) {
  float a = std::fabs(x);
  float x2 = x * x;
  float series =
      x * (1.0f + x2 * (-1.0f / 3 + x2 * (2.0f / 15 - x2 * (17.0f / 315))));
  float t = std::copysign(1.0f - 2.0f / (expFloat(2.0f * a) + 1.0f), x);
  return a < 0.125f ? series : t; // a NaN stays NaN
}

/// The logistic function through expFloat.
inline float sigmoidViaExp(float x) { return 1.0f / (1.0f + expFloat(-x)); }

/// The activation of `x` with parameters alpha and beta.
inline float evaluate(RecurrentActivation kind, float alpha, float beta,
                      float x) {
  switch (kind) {
  case RecurrentActivation::Relu:
    return x > 0 ? x : 0.0f;
  case RecurrentActivation::Tanh:
    return tanhViaExp(x);
  case RecurrentActivation::Sigmoid:
    return sigmoidViaExp(x);
  case RecurrentActivation::Affine:
    return alpha * x + beta;
  case RecurrentActivation::LeakyRelu:
    return x >= 0 ? x : alpha * x;
  case RecurrentActivation::ThresholdedRelu:
    return x > alpha ? x : 0.0f;
  case RecurrentActivation::ScaledTanh:
    return alpha * tanhViaExp(beta * x);
  case RecurrentActivation::HardSigmoid:
    return std::max(0.0f, std::min(1.0f, alpha * x + beta));
  case RecurrentActivation::Elu:
    return x >= 0 ? x : alpha * (expFloat(x) - 1.0f);
  case RecurrentActivation::Softsign:
    return x / (1.0f + std::fabs(x));
  case RecurrentActivation::Softplus:
    return std::log1p(std::exp(x));
  }
  return x;
}

/// Activation `Kind` applied in place to x[0, n) (evaluate's switch
/// folded away, so the loop vectorises). Always inlined, so that a caller
/// compiled for a wider ISA vectorises it for that ISA.
template <RecurrentActivation Kind>
__attribute__((always_inline)) inline void
evaluateRowOf(float alpha, float beta, float *x, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    x[i] = evaluate(Kind, alpha, beta, x[i]);
}

/// The activation applied in place to x[0, n): one loop per kind, which
/// vectorises for every kind but Softplus.
__attribute__((always_inline)) inline void evaluateRow(RecurrentActivation kind,
                                                       float alpha, float beta,
                                                       float *x, int64_t n) {
  using A = RecurrentActivation;
  switch (kind) {
  case A::Relu:
    return evaluateRowOf<A::Relu>(alpha, beta, x, n);
  case A::Tanh:
    return evaluateRowOf<A::Tanh>(alpha, beta, x, n);
  case A::Sigmoid:
    return evaluateRowOf<A::Sigmoid>(alpha, beta, x, n);
  case A::Affine:
    return evaluateRowOf<A::Affine>(alpha, beta, x, n);
  case A::LeakyRelu:
    return evaluateRowOf<A::LeakyRelu>(alpha, beta, x, n);
  case A::ThresholdedRelu:
    return evaluateRowOf<A::ThresholdedRelu>(alpha, beta, x, n);
  case A::ScaledTanh:
    return evaluateRowOf<A::ScaledTanh>(alpha, beta, x, n);
  case A::HardSigmoid:
    return evaluateRowOf<A::HardSigmoid>(alpha, beta, x, n);
  case A::Elu:
    return evaluateRowOf<A::Elu>(alpha, beta, x, n);
  case A::Softsign:
    return evaluateRowOf<A::Softsign>(alpha, beta, x, n);
  case A::Softplus:
    return evaluateRowOf<A::Softplus>(alpha, beta, x, n);
  }
}

} // namespace cim::macro

#endif // CIM_MACRO_RECURRENT_H
