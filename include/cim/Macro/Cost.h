//===- Cost.h - Energy, latency and activity of a CIM macro -----*- C++ -*-===//
//
// The one cost model of a macro: what a read of a tile, a digital
// operation, a reload or an analog ODE's boundary costs in conversions,
// energy and time, from a target's cost figures. The compiler's report
// (cim-compile --report) charges the work it schedules with these
// functions; the runtime charges the work it runs with the same functions,
// so the two agree by construction. docs/CostModel.md gives the formulas
// and the default figures.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_MACRO_COST_H
#define CIM_MACRO_COST_H

#include "cim/Macro/Slicing.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cim::macro {

/// Cell technologies, as cost keys name them (`key.rram`).
enum class Cell { RRAM, ROM, SRAM };
const char *cellName(Cell cell);

/// The default cost figures (key, value): docs/CostModel.md.
const std::vector<std::pair<const char *, double>> &defaultCostFigures();

/// A target's cost figures: a figure `key` is the target's `key.cell` if
/// it gives one, else its `key`, else the default.
class CostFigures {
public:
  CostFigures() = default;
  explicit CostFigures(std::map<std::string, double, std::less<>> values)
      : values_(std::move(values)) {}
  double get(std::string_view key, Cell cell) const;

private:
  std::map<std::string, double, std::less<>> values_;
};

/// The figures the cost functions use, for one cell technology, resolved
/// once (a device charges every MVM with them).
struct CellFigures {
  double macPj = 0, dacPj = 0, adcPj = 0, mvmNs = 0, rampStepNs = 0;
  double digitalOpPj = 0, digitalOpNs = 0, digitalActPj = 0, digitalActNs = 0;
  double integratorPj = 0, writePj = 0, writeNs = 0, offchipPjPerBit = 0;
  double bridgePj = 0, comparatorPj = 0, chargeSharePj = 0;
  double neuronPj = 0, pulsePj = 0;

  CellFigures() = default;
  CellFigures(const CostFigures &figures, Cell cell);
};

/// The activity and cost of some work: counts, energy by component (mac,
/// dac, adc, digital, activation, integrator, reload), the latency of the
/// digital unit, and the time an array is busy (arrays of one layer run in
/// parallel; see CostLedger).
struct Cost {
  uint64_t mvms = 0, macs = 0, dacConversions = 0, adcConversions = 0;
  uint64_t digitalOps = 0;
  uint64_t comparisons = 0, chargeShares = 0; // binary neurons
  uint64_t neuronUpdates = 0;                  // LIF neurons
  double cellWrites = 0;                        // reloads, per vector
  // Counted by a runtime, which sees the data: spikes fired, and MACs
  // whose input is nonzero (synaptic operations of spiking inputs).
  uint64_t spikes = 0, synapticOps = 0;
  uint64_t inputPulses = 0; // rows driven by pulses (see TileRead)
  std::map<std::string, double> energyPj;
  double latencyNs = 0; // serial: the digital unit
  double arrayNs = 0;   // the array's busy time
  Cost &operator+=(const Cost &other);
  double energy() const;
};

/// A read of one tile: `rows` driven rows and `cols` weight columns of an
/// array of `cell` (whose figures the caller passes), weights in `slices` cells, inputs in `passes` DAC
/// passes; an analog read (analog ODE schedule) converts nothing; a ramp
/// readout of `rampBits` counts its 2^bits steps. A `bridge` read
/// (binary neurons) converts nothing: each weight is a bridge charging the
/// column's capacitors; its `neurons` decide with a comparator per column,
/// and a `shared` read first joins the previous groups' charge (a
/// charge-sharing step per column).
struct TileRead {
  uint64_t rows = 0, cols = 0;
  unsigned slices = 1, passes = 1;
  bool analog = false;
  unsigned rampBits = 0; // 0: the target's ADC
  bool bridge = false, neurons = false, shared = false;
  /// Columns that feed LIF neurons: no ADC, the slices' charges merge on
  /// the column (no shift-adds), a `shared` read joins the previous row
  /// block's charge.
  bool lif = false;
  /// How the rows are driven, with a DAC of `dacLevels` levels. Rows
  /// driven by pulses (spikes, rate or latency codes) instead of DAC
  /// levels cost `pulses` per call when the caller counted them (a
  /// runtime, from the data: countDrive), else at most one per row
  /// (spikes, latency) or the DAC's levels per row (rate); pulse_pj each,
  /// no DAC conversion.
  InputCoding coding = InputCoding::Dac;
  double dacLevels = 0;
  int64_t pulses = -1;
  /// Pulsed rows draw no current while they rest: `activeRows` (summed
  /// over the vectors) are the rows a runtime saw pulse, whose cells are
  /// charged; -1: every row (the compiler's full activity).
  int64_t activeRows = -1;
  bool pulsed() const { return coding != InputCoding::Dac; }
  Cell cell = Cell::RRAM;
};

/// `vectors` input vectors read through a tile: MACs (rows x cols per
/// vector) charged per cell of a slice and pass, a DAC conversion per row
/// and pass, an ADC conversion per column, slice and pass, the digital
/// shift-adds of slices and passes, and the array's time. A bridge read
/// charges bridge_pj per bridge instead of mac_pj and no ADC, plus
/// comparator_pj per neuron decision and charge_share_pj per column
/// of a shared read. A `lif` read charges MACs and DACs, no ADC and no
/// shift-adds, and charge_share_pj per column of a shared read.
Cost tileReadCost(const TileRead &read, uint64_t vectors,
                  const CellFigures &figures, unsigned lanes);

/// What a runtime sees of `vectors` input vectors x (dense, `rows` each)
/// driving `read`: returns the nonzero inputs (the rows that are driven),
/// and on a pulsed read sets its `pulses` and `activeRows` from them.
uint64_t countDrive(TileRead &read, const float *x, uint64_t vectors,
                    int64_t rows);

/// `vectors` times `perVector` element operations of the digital unit
/// (partial sums): digital_op_pj each, ceil(perVector / lanes) x
/// digital_op_ns per vector.
Cost digitalOpCost(uint64_t perVector, uint64_t vectors,
                   const CellFigures &figures, unsigned lanes);

/// The same for an activation of array results in the digital unit
/// (digital_act_pj, digital_act_ns).
Cost activationCost(uint64_t perVector, uint64_t vectors,
                    const CellFigures &figures, unsigned lanes);

/// One load of a reloaded tile of `rows` rows, shared by `reuse` input
/// vectors: every cell written (write_pj each; a row of cells per write
/// pulse of write_ns on the tile's array) and the weights' bits read from
/// off-chip memory.
Cost reloadCost(uint64_t cells, uint64_t rows, uint64_t weightBits,
                const CellFigures &figures, unsigned reuse);

/// `vectors` input vectors through a LIF layer of `neurons` neurons on the
/// columns over `steps` time steps: neuron_pj per neuron and step
/// (integrate, compare, reset).
Cost lifNeuronCost(uint64_t neurons, uint64_t steps, uint64_t vectors,
                   const CellFigures &figures);

/// An analog ODE schedule's extras per input vector: a DAC and an ADC per
/// state element at the boundary, and the integrators' `evaluations` steps.
Cost analogODECost(uint64_t state, uint64_t evaluations, uint64_t vectors,
                   const CellFigures &figures);

/// Charges per layer (the ONNX node a piece of work came from) and per
/// array: a layer's arrays fire in parallel, blocks packed into one array
/// take turns, and layers run in sequence, so a layer's latency is its
/// digital latency plus its busiest array's time.
class CostLedger {
public:
  /// An array: a cell technology and an index (negative: a tile alone).
  using ArrayId = std::pair<int, int64_t>;

  void charge(const std::string &layer, const Cost &cost);
  void charge(const std::string &layer, ArrayId array, const Cost &cost);

  /// The layers in the order they were first charged.
  const std::vector<std::string> &layers() const { return order_; }
  /// A layer's cost, its latency including its busiest array.
  Cost layer(const std::string &name) const;
  /// Every layer's cost summed.
  Cost total() const;

private:
  struct Layer {
    Cost cost;
    std::map<ArrayId, double> arrayNs;
  };
  Layer &layerFor(const std::string &name);
  std::map<std::string, Layer> layers_;
  std::vector<std::string> order_;
};

} // namespace cim::macro

#endif // CIM_MACRO_COST_H
