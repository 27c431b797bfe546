//===- Stats.h - The device's counters, printed and as JSON -----*- C++ -*-===//
//
// cim-run's --stats lines (the device's activity, energy, latency, and per
// tile what programming did to its cells) and --stats-json (the session's
// cost per inference, keyed like the totals of cim-compile's --report).
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

/// The inferences one run on `input` makes: the size of the first dynamic
/// dimension of the model's first input as `declared` (the batch), or 1
/// when every dimension is fixed.
uint64_t inferencesOf(const std::vector<int64_t> &declared,
                      const rt::HostTensor &input);

/// Writes the session's cost divided by `inferences` to `path` as JSON:
/// energy_pj (by component and "total"), latency_ns, mvms,
/// dac_conversions, adc_conversions, macs, digital_ops; plus "inferences"
/// and what programming wrote on `device` (not per inference).
void writeStatsJson(const std::string &path, const cimrt_session_t *session,
                    const cimrt_device_t *device, uint64_t inferences);

} // namespace cim::tooling

#endif // CIMRT_SRC_TOOLING_STATS_H
