//===- Stats.h - The device's counters, printed and as JSON -----*- C++ -*-===//
//
// cim-run's --stats lines (activity, energy, latency, and per tile what
// programming did to its cells) and --stats-json (the counters per
// inference, keyed like the totals of cim-compile's --report).
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_TOOLING_STATS_H
#define CIMRT_SRC_TOOLING_STATS_H

#include "cimrt/cimrt.h"
#include "tooling/TensorIO.h"

#include <cstdint>
#include <string>

namespace cim::tooling {

/// Prints the "stats: ..." lines of `device`.
void printDeviceStats(const cimrt_device_t *device);

/// The input vectors one run on `input` (the model's first input) feeds:
/// every element of its dims but the last (1 for a vector or a scalar).
uint64_t inputVectors(const rt::HostTensor &input);

/// Writes `device`'s counters divided by `inferences` to `path` as JSON:
/// energy_pj (by component and "total"), latency_ns, mvms,
/// dac_conversions, adc_conversions, macs, digital_ops; plus "inferences"
/// and what programming wrote (not per inference).
void writeStatsJson(const std::string &path, const cimrt_device_t *device,
                    uint64_t inferences);

} // namespace cim::tooling

#endif // CIMRT_SRC_TOOLING_STATS_H
