//===- Stats.cpp - The device's counters, printed, as JSON ------*- C++ -*-===//
//
// Reads the counters through the C API, as a host app would. The JSON is
// written by hand: a handful of numbers does not need a library.
//
//===----------------------------------------------------------------------===//

#include "tooling/Stats.h"
#include "tooling/Exit.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace cim::tooling {

void printDeviceStats(const cimrt_device_t *device) {
  cimrt_device_stats_t s;
  check(cimrt_device_stats(device, &s));
  std::printf("stats: %llu MVMs in %llu calls, %llu MACs, %llu DAC and %llu "
              "ADC conversions, %llu digital ops, %llu cell writes\n",
              (unsigned long long)s.mvm_count, (unsigned long long)s.mvm_calls,
              (unsigned long long)s.macs, (unsigned long long)s.dac_conversions,
              (unsigned long long)s.adc_conversions,
              (unsigned long long)s.digital_ops,
              (unsigned long long)s.program_writes);
  std::printf("stats: energy %.6g pJ (mac %.6g, dac %.6g, adc %.6g, digital "
              "%.6g, write %.6g), latency %.6g ns\n",
              s.energy_pj, s.energy_mac_pj, s.energy_dac_pj, s.energy_adc_pj,
              s.energy_digital_pj, s.energy_write_pj, s.latency_ns);
  if (s.comparisons || s.charge_shares)
    std::printf("stats: binary neurons: %llu comparisons, %llu charge-sharing "
                "steps; energy bridge %.6g, comparator %.6g, charge sharing "
                "%.6g pJ\n",
                (unsigned long long)s.comparisons,
                (unsigned long long)s.charge_shares, s.energy_bridge_pj,
                s.energy_comparator_pj, s.energy_charge_share_pj);
  for (size_t i = 0; i < s.tiles_reported; ++i) {
    cimrt_tile_report_t t;
    check(cimrt_device_tile_report(device, i, &t));
    if (t.cells == 0)
      continue; // not an analog tile, or no noise model
    std::printf(
        "stats: tile %u: %llu cells, %llu writes, %llu outside the "
        "verify window, stuck on %llu, stuck off %llu",
        t.tile_id, (unsigned long long)t.cells, (unsigned long long)t.writes,
        (unsigned long long)t.verify_failures, (unsigned long long)t.stuck_on,
        (unsigned long long)t.stuck_off);
    if (t.row_remaps || t.col_remaps)
      std::printf(", remapped onto spares: %llu rows, %llu columns",
                  (unsigned long long)t.row_remaps,
                  (unsigned long long)t.col_remaps);
    std::printf("\n");
  }
  cimrt_link_stats_t l;
  check(cimrt_device_link_stats(device, &l));
  if (l.remote)
    std::printf(
        "stats: link: %llu requests, %llu frames (%llu bytes) sent, %llu "
        "(%llu bytes) received; %llu retries after %llu timeouts, %llu "
        "reconnects, %llu stale replies; frames rejected: %llu here, %llu "
        "by the board; %llu re-sent requests answered from the board's "
        "record\n",
        (unsigned long long)l.requests, (unsigned long long)l.frames_sent,
        (unsigned long long)l.bytes_sent, (unsigned long long)l.frames_received,
        (unsigned long long)l.bytes_received, (unsigned long long)l.retries,
        (unsigned long long)l.timeouts, (unsigned long long)l.reconnects,
        (unsigned long long)l.stale_replies,
        (unsigned long long)l.frames_rejected,
        (unsigned long long)l.board_frames_rejected,
        (unsigned long long)l.board_duplicates_answered);
}

uint64_t inferencesOf(const std::vector<int64_t> &declared,
                      const rt::HostTensor &input) {
  for (size_t d = 0; d < declared.size() && d < input.dims.size(); ++d)
    if (declared[d] < 0)
      return uint64_t(input.dims[d] > 0 ? input.dims[d] : 0);
  return 1;
}

void writeStatsJson(const std::string &path, const cimrt_session_t *session,
                    const cimrt_device_t *device, uint64_t inferences) {
  cimrt_session_cost_t c;
  check(cimrt_session_cost(session, &c));
  cimrt_device_stats_t s;
  check(cimrt_device_stats(device, &s));
  // Programming happens once, not per inference: its writes stay out of
  // the per-inference energy.
  double n = inferences ? double(inferences) : 1.0;
  FILE *f = std::fopen(path.c_str(), "w");
  if (!f)
    fail(path + ": cannot write: " + std::strerror(errno));
  std::fprintf(
      f,
      "{\n"
      "  \"inferences\": %llu,\n"
      "  \"energy_pj\": {\"mac\": %.17g, \"dac\": %.17g, \"adc\": %.17g, "
      "\"digital\": %.17g, \"activation\": %.17g, \"integrator\": %.17g, "
      "\"bridge\": %.17g, \"comparator\": %.17g, \"charge_share\": %.17g, "
      "\"neuron\": %.17g, \"pulse\": %.17g, \"total\": %.17g},\n"
      "  \"latency_ns\": %.17g,\n"
      "  \"tops_per_w\": %.17g,\n"
      "  \"mvms\": %.17g,\n"
      "  \"dac_conversions\": %.17g,\n"
      "  \"adc_conversions\": %.17g,\n"
      "  \"macs\": %.17g,\n"
      "  \"digital_ops\": %.17g,\n"
      "  \"comparisons\": %.17g,\n"
      "  \"charge_shares\": %.17g,\n"
      "  \"neuron_updates\": %.17g,\n"
      "  \"spikes\": %.17g,\n"
      "  \"synaptic_ops\": %.17g,\n"
      "  \"input_pulses\": %.17g,\n"
      "  \"programming\": {\"cell_writes\": %llu, \"energy_pj\": %.17g}\n"
      "}\n",
      (unsigned long long)inferences, c.energy_mac_pj / n, c.energy_dac_pj / n,
      c.energy_adc_pj / n, c.energy_digital_pj / n, c.energy_activation_pj / n,
      c.energy_integrator_pj / n, c.energy_bridge_pj / n,
      c.energy_comparator_pj / n, c.energy_charge_share_pj / n,
      c.energy_neuron_pj / n, c.energy_pulse_pj / n, c.energy_pj / n,
      c.latency_ns / n,
      // Dense-equivalent: two operations per MAC of the products, over the
      // energy the run took (rows at rest cost nothing).
      c.energy_pj > 0 ? 2.0 * double(c.macs) / c.energy_pj : 0.0,
      double(c.mvms) / n,
      double(c.dac_conversions) / n, double(c.adc_conversions) / n,
      double(c.macs) / n, double(c.digital_ops) / n,
      double(c.comparisons) / n, double(c.charge_shares) / n,
      double(c.neuron_updates) / n, double(c.spikes) / n,
      double(c.synaptic_ops) / n, double(c.input_pulses) / n,
      (unsigned long long)s.program_writes,
      s.energy_write_pj);
  if (std::fclose(f) != 0)
    fail(path + ": cannot write: " + std::strerror(errno));
}

} // namespace cim::tooling
