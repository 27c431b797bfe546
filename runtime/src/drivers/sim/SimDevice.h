//===- SimDevice.h - The simulator's pieces ---------------------*- C++ -*-===//
//
// The "sim" driver's internals, split by concern into files:
//
//  - SimProgramming.cpp: a tile image becomes a SimTile (quantisation to
//    the cell's levels, bit slicing into planes, the ramp column) and, with
//    a noise model, its cells are programmed (CellProgrammer: variation,
//    verify, stuck cells, faulty lines remapped onto spares, drift, IR
//    drop);
//  - SignalChain.cpp: an MVM on a SimTile (DAC, one GEMM per plane and
//    input pass, read noise, ADC / ramp / sign conversion, shift-add);
//  - SimCounters.cpp: the device's counters and their energy and latency;
//  - SimAnalog.cpp: the boundary of an analog ODE solve (DAC, integrators,
//    ADC);
//  - SimDevice.cpp: the device and its tile table;
//  - SimDriver.cpp: URIs (sim://ideal, sim://quantized?noise=...).
//
// docs/Simulator.md gives the formulas.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_DRIVERS_SIM_SIMDEVICE_H
#define CIMRT_SRC_DRIVERS_SIM_SIMDEVICE_H

#include "base/ThreadPool.h"
#include "cim/Macro/Cost.h"
#include "cim/Macro/Readout.h"
#include "cim/Macro/Slicing.h"
#include "drivers/sim/Noise.h"
#include "drivers/sim/VarianceProduct.h"
#include "hal/Hal.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace cim::rt::sim {

enum class SimMode { Ideal, Quantized };

/// Options of a simulator device (its URI's query).
struct SimOptions {
  artifact::NoiseModel noise;
  uint64_t seed = 0;
  double driftTime = 0; // seconds since programming; 0: none
  unsigned threads = 1;
  /// Post-programming calibration: drive known vectors through each tile,
  /// fit every column's gain and offset, and correct them digitally.
  bool calibrate = false;
};

/// Sets one of a simulator URI's scalar options in `options`: seed (a
/// whole number, 0 to 2^64 - 1, exactly), drift_time (seconds, >= 0),
/// threads (1 to kMaxPoolThreads), calibrate (0 or 1). noise= is resolved
/// by the driver. The error says what the value must be, without naming
/// the option ("must be a whole number from 1 to 256, got '0'"), so that
/// the URI parser and cim-run's flags word it each their own way.
Status setSimOption(std::string_view key, std::string_view value,
                    SimOptions &options);

/// Input vectors a calibration drives through each tile.
inline constexpr int64_t kCalibrationVectors = 64;

/// What an MVM on a tile costs, in the macro model's terms
/// (cim/Macro/Cost.h), and what a cell write costs.
struct TileCosts {
  macro::TileRead read;
  macro::CellFigures figures;
  unsigned lanes = 1;
};

/// One slice of a tile: a rows x cols matrix of effective cell values.
struct Plane {
  std::vector<float> w;   // float path
  std::vector<double> wd; // double path (exact codes beyond float's range)
  double unit = 1;        // normalised cell value = w * unit
  double shift = 1;       // weight of this plane in the shift-add
  double noiseGain = 1;   // read-noise sigma per unit of cell sigma and |x|
  // Per weight (rows x cols; empty: none): the variance of its cells'
  // conductance-proportional read noise, normalised units squared, packed
  // for the variance product (VarianceProduct.h). A column's variance is
  // then x^2 times this column (one more product).
  PackedVariances readVar;
  // Per column: the ADC window's centre and half width (normalised units,
  // the half width widened by the noise model's adc_range), its offset in
  // LSB, and the conversion's factors: toCode = L / half into codes,
  // fromCode = half / L * shift back (none without an ADC).
  std::vector<double> mid, half, adcOffset, toCode, fromCode;
};

/// A programmed tile, immutable after programming except for its MVM
/// sequence number (which keys the read noise).
struct SimTile {
  uint32_t id = 0;
  int64_t rows = 0, cols = 0;
  std::vector<double> scales; // per column: weight = scale * cell value
  // Post-programming calibration (empty: none): each column's measured
  // gain and offset in normalised units, divided out after conversion.
  std::vector<double> gain, offset;
  std::vector<Plane> planes;
  bool offsetReference = false; // subtract the mid-conductance reference
  // DAC: none (ideal), sign, or 2 L + 1 levels; bit-serial passes.
  bool quantized = false, dacSign = false;
  bool analog = false; // no converters (analog ODE schedule)
  bool lifColumns = false; // no ADC: the charge goes to LIF neurons
  // A ramp ADC with a fused activation (model units); exact in ideal mode.
  bool ramp = false;
  macro::RampADC rampAdc;
  macro::RampFunction activation;
  double dacLevels = 0, inputLevels = 0;
  int inputPasses = 1;
  // ADC.
  bool adcSign = false;
  double adcLevels = 0;
  double readSigma = 0; // per cell, normalised conductance units
  // RRAM bridges (binary neurons): the planes hold each bridge's coupling
  // (its divider ratio over the nominal one, times its capacitor's
  // mismatch and its row's drive attenuation), no ADC; the neurons
  // (empty: the charge goes on) with each comparator's offset, and the
  // comparator's noise sigma, both in units of the pre-activation q.
  bool bridge = false;
  std::vector<macro::BinaryNeuron> neurons;
  std::vector<double> comparatorOffset;
  double comparatorNoise = 0, comparatorOffsetSigma = 0;
  // Calibration: per column, the expected charge of the bridges verify
  // found broken (empty: none compensated), added to every read.
  std::vector<double> brokenCharge;
  TileCosts costs;
  TileReport report;
  mutable std::atomic<uint64_t> sequence{0};
};

//===- SimProgramming.cpp -------------------------------------------------===//

/// The SimTile of `tile` on `target`: its planes in `mode`, programmed with
/// the options' noise model. With `read`, also the cells' conductances as
/// programmed (the same draws: they are keyed by tile and cell).
StatusOr<std::shared_ptr<SimTile>>
programSimTile(const hal::TileImage &tile, const hal::MacroConfig &target,
               SimMode mode, const SimOptions &options,
               TileConductances *read = nullptr);

//===- SignalChain.cpp ----------------------------------------------------===//

/// y = x * W, exact up to rounding (and the fused activation, exact).
void mvmIdeal(const SimTile &t, ThreadPool &pool, const float *x, int64_t batch,
              float *y);

/// The quantised signal chain; `sequence` (the tile's MVM number) keys
/// the read noise.
void mvmQuantized(const SimTile &t, ThreadPool &pool, uint64_t seed,
                  const float *x, int64_t batch, float *y, uint64_t sequence);

/// A bridge tile's neurons on the charge `y` (batch x cols, model units)
/// plus `carry` (may be null): in ideal mode the model's steps exactly;
/// quantised, each comparator with its offset and noise (keyed by
/// `sequence`). Without neurons y just takes the carry.
void decideNeurons(const SimTile &t, bool ideal, uint64_t seed,
                   const float *carry, int64_t batch, float *y,
                   uint64_t sequence);

//===- SimCounters.cpp ----------------------------------------------------===//

/// The cost figures of `tile`'s array on `target`.
TileCosts tileCosts(const hal::TileImage &tile, const hal::MacroConfig &target);

/// Adds the writes of programming `t` to `counters`.
void countProgramming(DeviceStats &counters, const SimTile &t);

/// Adds one MVM call of `batch` rows on `t` to `counters`, read as `read`
/// (the tile's, with whether it joined a carried charge and, on a pulsed
/// tile, the pulses and active rows counted from its inputs).
void countMvm(DeviceStats &counters, const SimTile &t, int64_t batch,
              const macro::TileRead &read);

/// Adds a calibration of `t` (kCalibrationVectors MVMs, charged to the
/// "calibrate" energy and the calibration counters, not to inference).
void countCalibration(DeviceStats &counters, const SimTile &t);

/// Adds a comparator trim of `t`'s neurons (`decisions` comparator
/// decisions, each an MVM's time, charged to "calibrate").
void countComparatorTrim(DeviceStats &counters, const SimTile &t,
                         uint64_t decisions);

/// Calibrates programmed tile `t`: drives kCalibrationVectors known
/// vectors through its signal chain (read noise included) and through
/// `reference` (the same tile as designed: quantised, no device noise,
/// which the digital unit can compute from the weights it programmed),
/// fits each column's gain and offset by least squares over the vectors
/// whose reference result is not clipped by the column's ADC window, and
/// stores them for correction.
void calibrateTile(SimTile &t, const SimTile &reference, ThreadPool &pool,
                   uint64_t seed);

/// Comparator calibration of a bridge tile's neurons: with its rows at
/// rest (q = 0), each comparator's reference trim is found by a binary
/// search of kTrimSteps decisions (each with the comparator's noise) over
/// +-(4 offset sigmas + 1) units of q, and subtracted from its offset.
/// Returns the decisions made.
uint64_t trimComparators(SimTile &t, uint64_t seed);

/// Decisions of one comparator's trim search.
inline constexpr int kTrimSteps = 12;

//===- SimAnalog.cpp ------------------------------------------------------===//

/// The analog domain of one ODE solve on the quantised simulator; `key`
/// keys its integrator noise.
std::unique_ptr<hal::AnalogState>
openSimAnalogState(const hal::MacroConfig &target, uint64_t key);

//===- SimDevice.cpp ------------------------------------------------------===//

class SimDevice final : public Device {
public:
  SimDevice(std::string uri, SimMode mode, SimOptions options);

  const std::string &uri() const override { return uri_; }
  StatusOr<TileHandle> programTile(const hal::TileImage &tile,
                                   const hal::MacroConfig &target) override;
  void releaseTile(TileHandle handle) override;
  Status mvm(TileHandle handle, const float *x, int64_t batch,
             float *y) override;
  Status mvmShared(TileHandle handle, const float *x, const float *carry,
                   int64_t batch, float *y) override;
  DeviceStats stats() const override;
  StatusOr<TileConductances> readConductances(TileHandle handle) override;
  StatusOr<std::unique_ptr<hal::AnalogState>>
  openAnalogState(const hal::MacroConfig &target) override;

private:
  std::string uri_;
  SimMode mode_;
  SimOptions options_;
  ThreadPool pool_;
  mutable std::mutex mutex_;
  std::unordered_map<TileHandle, std::shared_ptr<const SimTile>> tiles_;
  /// What each tile was programmed from, to read its cells back.
  struct Source {
    hal::TileImage image;
    hal::MacroConfig target;
  };
  std::unordered_map<TileHandle, std::shared_ptr<const Source>> sources_;
  /// The programmed tile of `handle`, or an error.
  StatusOr<std::shared_ptr<const SimTile>> find(TileHandle handle);
  TileHandle nextHandle_ = 1;
  DeviceStats counters_;
  std::vector<TileReport> reports_;
  std::atomic<uint64_t> noiseKeys_{0};
};

} // namespace cim::rt::sim

#endif // CIMRT_SRC_DRIVERS_SIM_SIMDEVICE_H
