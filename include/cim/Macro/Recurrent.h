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

/// tanh in float32 through expf, which is several times faster than
/// tanhf: 1 - 2 / (e^{2|x|} + 1) with x's sign, and below |x| = 1/8 (where
/// that form would cancel) the series to x^7. Within 1e-6 relative error.
inline float tanhViaExp(float x) {
  float a = std::fabs(x);
  if (a < 0.125f) {
    float x2 = x * x;
    return x *
           (1.0f + x2 * (-1.0f / 3 + x2 * (2.0f / 15 - x2 * (17.0f / 315))));
  }
  float t = 1.0f - 2.0f / (std::exp(2.0f * a) + 1.0f);
  return std::copysign(t, x); // a NaN stays NaN
}

/// The activation of `x` with parameters alpha and beta.
inline float evaluate(RecurrentActivation kind, float alpha, float beta,
                      float x) {
  switch (kind) {
  case RecurrentActivation::Relu:
    return x > 0 ? x : 0.0f;
  case RecurrentActivation::Tanh:
    return tanhViaExp(x);
  case RecurrentActivation::Sigmoid:
    return 1.0f / (1.0f + std::exp(-x));
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
    return x >= 0 ? x : alpha * (std::exp(x) - 1.0f);
  case RecurrentActivation::Softsign:
    return x / (1.0f + std::fabs(x));
  case RecurrentActivation::Softplus:
    return std::log1p(std::exp(x));
  }
  return x;
}

} // namespace cim::macro

#endif // CIM_MACRO_RECURRENT_H
