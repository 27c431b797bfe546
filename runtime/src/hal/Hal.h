//===- Hal.h - The hardware abstraction layer -------------------*- C++ -*-===//
//
// What the interpreter needs from a CIM accelerator, and nothing more: a
// Device accepts weight tiles once (programTile) and then computes
// matrix-vector products against them (mvm). A Driver creates devices for one
// URI scheme ("sim" for the simulator), and the DriverRegistry maps URIs like
// "sim://quantized" to the driver that owns the scheme. Adding hardware means
// implementing these two interfaces and registering the driver; the
// interpreter, the C API and the tools stay unchanged.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_HAL_H
#define CIMRT_SRC_HAL_H

#include "Status.h"
#include "cimx.pb.h"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace cim::rt {

/// Opaque per-device name of a programmed tile.
using TileHandle = uint64_t;

/// What programming one tile did to its cells.
struct TileReport {
  uint32_t tileId = 0;
  uint64_t cells = 0;          // physical cells programmed
  uint64_t writes = 0;         // write pulses (program-and-verify iterations)
  uint64_t verifyFailures = 0; // cells outside tolerance after the last write
  uint64_t stuckOn = 0, stuckOff = 0;
};

struct DeviceStats {
  uint64_t tilesProgrammed = 0; // currently programmed
  uint64_t mvmCount = 0;        // matrix-vector products (batch rows)
  uint64_t mvmCalls = 0;        // mvm() invocations
  // Signal-chain activity, and its energy (pJ, by component: mac, dac,
  // adc, digital, write) and latency (ns) from the target's cost figures.
  uint64_t macs = 0, dacConversions = 0, adcConversions = 0, digitalOps = 0;
  uint64_t programWrites = 0;
  std::map<std::string, double> energyPj;
  double latencyNs = 0;
  std::vector<TileReport> tiles; // every tile programmed, in order
};

class Device {
public:
  virtual ~Device() = default;

  /// The canonical URI, e.g. "sim://ideal".
  virtual const std::string &uri() const = 0;

  /// Writes `tile` into the device. `target` is the hardware description the
  /// tile was compiled for (bit widths, array size). The tile has been
  /// validated against it already.
  virtual StatusOr<TileHandle> programTile(const artifact::Tile &tile,
                                           const artifact::Target &target) = 0;

  /// Frees a tile; unknown handles are ignored.
  virtual void releaseTile(TileHandle tile) = 0;

  /// y[b][0..cols) = x[b][0..rows) * W for b in [0, batch), where rows/cols
  /// are those of the tile. x and y are dense row-major.
  virtual Status mvm(TileHandle tile, const float *x, int64_t batch,
                     float *y) = 0;

  virtual DeviceStats stats() const = 0;

  /// True if the device has real converters and analog state (so kernels
  /// that schedule analog work, like an analog ODE, model them); false for
  /// an ideal device.
  virtual bool modelsConverters() const { return true; }

  /// A fresh key for random draws made outside the arrays (an analog ODE's
  /// integrator noise): derived from the device's seed and a counter, so
  /// one seed gives the same sequence of keys; 0 where the device draws
  /// nothing.
  virtual uint64_t nextNoiseKey() { return 0; }
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

} // namespace cim::rt

#endif // CIMRT_SRC_HAL_H
