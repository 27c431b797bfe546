//===- Hal.h - The hardware abstraction layer -------------------*- C++ -*-===//
//
// What the interpreter needs from a CIM accelerator, and nothing more: a
// Device accepts weight tiles once (programTile) and then computes
// matrix-vector products against them (mvm); for an analog ODE it also
// models the boundary of the analog domain (openAnalogState). A Driver
// creates devices for one URI scheme ("sim" for the simulator), and the
// DriverRegistry maps URIs like "sim://quantized" to the driver that owns
// the scheme. Tiles and the target reach a device as plain structs
// (TileImage, MacroConfig), which the artifact layer fills once at load:
// no driver sees the artifact's schema. Adding hardware means implementing
// Driver and Device and registering the driver; the interpreter, the C API
// and the tools stay unchanged.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_HAL_HAL_H
#define CIMRT_SRC_HAL_HAL_H

#include "base/Status.h"
#include "cim/Macro/Readout.h"
#include "cim/Macro/Slicing.h"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cim::rt {
namespace hal {

enum class CellTech { Unspecified, Rram, Rom, Sram };
enum class WeightEncoding { Unspecified, Differential, Offset };
enum class AdcKind { Unspecified, Uniform, Ramp, Sign };

/// One kind of array of the target.
struct ArrayKind {
  std::string name;
  CellTech cellTech = CellTech::Unspecified;
  uint32_t rows = 0, cols = 0, bitsPerCell = 0, count = 0;
  WeightEncoding encoding = WeightEncoding::Unspecified;
  uint32_t weightBits = 0;
  double gMinUs = 0, gMaxUs = 0; // both 0: not given
  /// Lines of every array that hold no weights, onto which a device may
  /// remap a tile's faulty rows and columns.
  uint32_t spareRows = 0, spareCols = 0;
};

/// The analog integrators of an ODE target.
struct Integrator {
  double gainMax = 0, leak = 0, vSat = 0, noise = 0;
};

enum class LifReset { Unspecified, Zero, Subtract };

/// The LIF neurons at the columns of a spiking target.
struct LifNeurons {
  double threshold = 0, leak = 0;
  LifReset reset = LifReset::Unspecified;
};

/// The hardware a model was compiled for: converters, arrays, integrators
/// and the cost figures of the device's counters.
struct MacroConfig {
  std::string name;
  uint32_t arrayRows = 0, arrayCols = 0;
  CellTech cellTech = CellTech::Unspecified;
  uint32_t bitsPerCell = 0, dacBits = 0, adcBits = 0;
  uint32_t inputBits = 0; // 0: one pass at dacBits
  AdcKind adcKind = AdcKind::Unspecified;
  uint32_t macros = 0, digitalLanes = 0;
  std::vector<ArrayKind> arrays;
  bool hasIntegrator = false;
  Integrator integrator;
  std::optional<LifNeurons> lif; // absent: no LIF neurons
  bool bridgeNeurons = false; // capacitive sign neurons reading bridges
  /// Energy (pJ), latency (ns), area (mm2) per key, and per "key.rram",
  /// "key.rom", "key.sram" where the target gives one per cell technology.
  std::map<std::string, double> costs;
};

/// A ramp ADC computing an activation of a column's pre-activation.
struct RampImage {
  std::vector<macro::RampStep> steps; // the function, applied in order
  uint32_t bits = 0;
  double lo = 0, hi = 0;
  std::vector<double> thresholds, levels;
  /// The ramp column's cells, one per step between thresholds (uS, or
  /// normalised to [0, 1] when the target gives no conductance range).
  std::vector<double> conductancesUs;
};

/// One weight tile as the compiler mapped it: weight[r][c] = scales[c] *
/// (gPos - gNeg), rows x cols row-major, conductances normalised to
/// [0, 1].
struct TileImage {
  uint32_t id = 0;
  uint32_t rows = 0, cols = 0;
  CellTech cellTech = CellTech::Unspecified;
  WeightEncoding encoding = WeightEncoding::Unspecified;
  std::vector<float> scales; // one per column
  std::vector<float> gPos, gNeg;
  /// The compiler's integer code of each weight (macro/Rounding.h), which
  /// a quantising device programs instead of the nearest; empty: nearest.
  std::vector<int32_t> codes;
  /// The ADC window of each column of each slice, slice-major (normalised
  /// units; macro::CellPlanes says what a column sums).
  std::vector<macro::AdcWindow> adcWindows;
  std::string source;                    // the weight it came from
  uint32_t arrayRows = 0, arrayCols = 0; // 0: the target's default array
  uint32_t bitsPerCell = 0;              // 0: the target's
  uint32_t weightBits = 0;               // 0: no slicing
  /// The spare rows and columns of its array the tile may remap faulty
  /// lines onto (its share when blocks of one array share them).
  uint32_t spareRows = 0, spareCols = 0;
  bool analog = false;                   // no converters (analog ODE)
  std::optional<RampImage> ramp;         // absent: the target's ADC
  /// RRAM bridges read by charge sharing (no ADC): the MVM's result is
  /// the columns' charge (in model units), passed on as the next group's
  /// carry, or decided by `neurons`.
  bool bridge = false;
  /// The binary neurons of a bridge tile's columns (one per column), and
  /// their fan-in over all groups; empty: the charge goes on.
  std::vector<macro::BinaryNeuron> neurons;
  uint32_t fanIn = 0;
  /// A bridge tile's mean input per row (from calibration data; empty:
  /// unknown), for compensating bridges found broken.
  std::vector<float> inputMeans;
  /// Columns that feed LIF neurons (no ADC): the MVM's result is the
  /// columns' charge (slices merged, model units), joined with the carry
  /// of the previous row block when there is one.
  bool lifColumns = false;
  /// How the rows are driven (cim/Macro/Slicing.h): DAC levels or pulses.
  macro::InputCoding inputCoding = macro::InputCoding::Dac;
};

/// The analog domain of an ODE solve, per state vector: what happens to
/// the state when it enters (a DAC), at every integration step
/// (integrators) and when it leaves (an ADC). The default does nothing,
/// which is right for an ideal device. `v` holds `rows` vectors of `width`
/// elements, the same buffer size on every call. A device that cannot
/// complete a step (a board that stops answering) returns an error, and
/// the solve fails with it.
class AnalogState {
public:
  virtual ~AnalogState() = default;
  virtual Status enter(float *v, int64_t rows, int64_t width) {
    (void)v, (void)rows, (void)width;
    return Status::ok();
  }
  virtual Status integrate(float *v, int64_t step) {
    (void)v, (void)step;
    return Status::ok();
  }
  virtual Status leave(float *v) {
    (void)v;
    return Status::ok();
  }
};

} // namespace hal

/// Opaque per-device name of a programmed tile.
using TileHandle = uint64_t;

/// A tile's cells as programmed, read back: for each slice (bit slice of
/// the weights; one without slicing), the conductance of every weight's
/// cells, rows x cols row-major, normalised to the cell's range [0, 1]
/// (G = gMinUs + g (gMaxUs - gMinUs) where the target gives a range, both
/// 0 if not). gNeg is empty for offset cells.
struct TileConductances {
  uint32_t rows = 0, cols = 0;
  std::vector<std::vector<float>> gPos, gNeg; // one per slice
  double gMinUs = 0, gMaxUs = 0;
};

/// What programming one tile did to its cells.
struct TileReport {
  uint32_t tileId = 0;
  uint64_t cells = 0;          // physical cells programmed
  uint64_t writes = 0;         // write pulses (program-and-verify iterations)
  uint64_t verifyFailures = 0; // cells outside tolerance after the last write
  uint64_t stuckOn = 0, stuckOff = 0;
  // Faulty rows and columns moved onto the array's spare ones.
  uint64_t rowRemaps = 0, colRemaps = 0;
};

/// The link of a remote device (board://): frames and bytes each way,
/// and what it took to get every request answered.
struct LinkStats {
  uint64_t requests = 0;       // requests answered
  uint64_t framesSent = 0, framesReceived = 0;
  uint64_t bytesSent = 0, bytesReceived = 0;
  uint64_t framesRejected = 0; // received frames dropped (CRC, version, ...)
  uint64_t retries = 0;        // requests sent again (same sequence number)
  uint64_t timeouts = 0;       // waits for a reply that ran out
  uint64_t reconnects = 0;     // links re-opened after a disconnect
  uint64_t staleReplies = 0;   // late replies to an earlier sending
  // The board's side: frames it dropped, re-sent requests it answered
  // from its record instead of running them again.
  uint64_t boardFramesRejected = 0, boardDuplicatesAnswered = 0;
};

struct DeviceStats {
  uint64_t tilesProgrammed = 0; // currently programmed
  uint64_t mvmCount = 0;        // matrix-vector products (batch rows)
  uint64_t mvmCalls = 0;        // mvm() invocations
  // Signal-chain activity, and its energy (pJ, by component: mac, dac,
  // adc, digital, write) and latency (ns) from the target's cost figures.
  uint64_t macs = 0, dacConversions = 0, adcConversions = 0, digitalOps = 0;
  // Binary neurons: comparator decisions and charge-sharing steps.
  uint64_t comparisons = 0, chargeShares = 0;
  uint64_t programWrites = 0;
  // Post-programming calibration: MVMs driven and their time (not part of
  // inference; their energy is energyPj["calibrate"]).
  uint64_t calibrationMvms = 0;
  double calibrationNs = 0;
  std::map<std::string, double> energyPj;
  double latencyNs = 0;
  std::vector<TileReport> tiles; // every tile programmed, in order
  std::optional<LinkStats> link;  // a remote device's link; absent: local
};

class Device {
public:
  virtual ~Device() = default;

  /// The canonical URI, e.g. "sim://ideal".
  virtual const std::string &uri() const = 0;

  /// Writes `tile` into the device. `target` is the hardware description the
  /// tile was compiled for (bit widths, array size). The tile has been
  /// validated against it already.
  virtual StatusOr<TileHandle> programTile(const hal::TileImage &tile,
                                           const hal::MacroConfig &target) = 0;

  /// Frees a tile; unknown handles are ignored.
  virtual void releaseTile(TileHandle tile) = 0;

  /// y[b][0..cols) = x[b][0..rows) * W for b in [0, batch), where rows/cols
  /// are those of the tile. x and y are dense row-major.
  virtual Status mvm(TileHandle tile, const float *x, int64_t batch,
                     float *y) = 0;

  /// The same on a bridge tile (or a tile of LIF columns) whose columns
  /// share their charge with `carry` (batch x cols, the previous groups'
  /// charge) before its neurons decide or its charge goes on. Devices
  /// without charge sharing refuse it.
  virtual Status mvmShared(TileHandle tile, const float *x,
                           const float *carry, int64_t batch, float *y) {
    (void)tile, (void)x, (void)carry, (void)batch, (void)y;
    return makeError(Code::Unimplemented, uri(),
                     ": this device has no bridge neurons (charge sharing)");
  }

  virtual DeviceStats stats() const = 0;

  /// Reads a programmed tile's conductances back (what program-and-verify
  /// left in the cells). Devices that cannot read cells refuse it.
  virtual StatusOr<TileConductances> readConductances(TileHandle tile) {
    (void)tile;
    return makeError(Code::Unimplemented, uri(),
                     ": this device cannot read conductances back");
  }

  /// The analog domain of one ODE solve on `target` (an analog schedule).
  /// Called once per solve, in program order, so a device that draws
  /// random numbers there gives the same draws for one seed.
  virtual StatusOr<std::unique_ptr<hal::AnalogState>>
  openAnalogState(const hal::MacroConfig &target) {
    (void)target;
    return std::make_unique<hal::AnalogState>();
  }
};

class Driver {
public:
  virtual ~Driver() = default;

  /// The URI scheme this driver serves, e.g. "sim".
  virtual std::string_view scheme() const = 0;

  /// Opens a device. `path` is the part of `uri` after "scheme://" (may be
  /// empty).
  virtual StatusOr<std::shared_ptr<Device>> open(const std::string &uri,
                                                 std::string_view path) = 0;
};

/// The options of a URI's query ("a=1&b=2"), as (key, value) pairs in
/// order; an item without '=' has an empty value.
std::vector<std::pair<std::string, std::string>>
uriOptions(std::string_view query);

class DriverRegistry {
public:
  /// The process-wide registry with the built-in drivers registered.
  static DriverRegistry &global();

  /// Adds a driver; FAILED_PRECONDITION if its scheme is taken.
  Status registerDriver(std::unique_ptr<Driver> driver);

  /// Opens `uri` ("scheme://path") with the driver for its scheme.
  StatusOr<std::shared_ptr<Device>> open(const std::string &uri);

  /// Registered schemes, sorted.
  std::vector<std::string> schemes() const;

private:
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Driver>> drivers_;
};

/// The simulator driver ("sim://", "sim://ideal", "sim://quantized").
std::unique_ptr<Driver> createSimDriver();

/// The board drivers: "board://HOST:PORT" (TCP) and
/// "board+serial:///dev/ttyX" (a serial line), docs/Board.md.
std::unique_ptr<Driver> createBoardDriver(bool serial);

} // namespace cim::rt

#endif // CIMRT_SRC_HAL_HAL_H
