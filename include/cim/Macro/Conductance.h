//===- Conductance.h - How normalised conductances map onto cells -*- C++ -*-=//
//
// Tile images hold normalised conductances g in [0, 1]; an analog cell of a
// kind with a conductance range is programmed to g_min + g (g_max - g_min)
// microsiemens. Offset cells hold a signed normalised weight around the
// mid-conductance reference. Part of the macro model shared by the compiler
// (the ramp column it emits) and the simulator (the cells it programs).
//
//===----------------------------------------------------------------------===//

#ifndef CIM_MACRO_CONDUCTANCE_H
#define CIM_MACRO_CONDUCTANCE_H

namespace cim::macro {

/// A kind of array's conductance range; without one (g_max 0) conductances
/// stay normalised, as if the range were [0, 1].
struct ConductanceRange {
  double gMinUs = 0, gMaxUs = 0;

  double lo() const { return gMaxUs > 0 ? gMinUs : 0.0; }
  double hi() const { return gMaxUs > 0 ? gMaxUs : 1.0; }
  /// Microsiemens of normalised conductance `g`.
  double toUs(double g) const { return lo() + (hi() - lo()) * g; }
  /// Normalised conductance of `us` microsiemens.
  double normalised(double us) const { return (us - lo()) / (hi() - lo()); }
};

/// The variance, in normalised units squared (of G_max - G_min), of the
/// conductance-proportional read noise of a cell at normalised conductance
/// `g`: sigma = rel * G, G its conductance as a fraction of G_max
/// (gMinRatio = G_min / G_max). The simulator draws it and the compiler's
/// error prediction counts it.
inline double proportionalReadVariance(double rel, double g,
                                       double gMinRatio) {
  const double span = 1 - gMinRatio;
  const double sigma = rel * (gMinRatio + g * span) / span;
  return sigma * sigma;
}

/// The cell of an offset-encoded weight w in [-1, 1] (normalised): w = 2 g
/// - 1 against the reference column at g = 1/2.
inline double offsetCell(double w) { return 0.5 + 0.5 * w; }

} // namespace cim::macro

#endif // CIM_MACRO_CONDUCTANCE_H
