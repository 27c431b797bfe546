//===- SimCounters.cpp - Simulator activity, energy, latency ----*- C++ -*-===//
//
// What the simulator counts and what it costs: every MVM call adds its MACs,
// DAC and ADC conversions and shift-add operations, and their energy and
// latency from the target's cost figures (per cell technology where the
// target gives one); programming adds its cell writes. The formulas live in
// this file only.
//
//===----------------------------------------------------------------------===//

#include "drivers/sim/SimDevice.h"

#include <algorithm>

namespace cim::rt::sim {

TileCosts tileCosts(const hal::TileImage &tile,
                    const hal::MacroConfig &target) {
  std::string cell = tile.cellTech == hal::CellTech::Rom    ? "rom"
                     : tile.cellTech == hal::CellTech::Sram ? "sram"
                                                            : "rram";
  auto get = [&](const std::string &key) {
    auto it = target.costs.find(key + "." + cell);
    if (it != target.costs.end())
      return it->second;
    it = target.costs.find(key);
    return it == target.costs.end() ? 0.0 : it->second;
  };
  TileCosts c;
  c.mac = get("mac_pj");
  c.dac = get("dac_pj");
  c.adc = get("adc_pj");
  c.digital = get("digital_op_pj");
  c.write = get("write_pj");
  c.mvmNs = get("mvm_ns");
  c.digitalNs = get("digital_op_ns");
  c.lanes = std::max(1u, target.digitalLanes);
  return c;
}

void countProgramming(DeviceStats &counters, const SimTile &t) {
  uint64_t writes = t.report.writes;
  counters.programWrites += writes;
  counters.energyPj["write"] += double(writes) * t.costs.write;
}

void countMvm(DeviceStats &counters, const SimTile &t, int64_t batch) {
  uint64_t b = uint64_t(batch), planes = t.planes.size(),
           passes = uint64_t(t.inputPasses);
  uint64_t macs = b * uint64_t(t.rows * t.cols) * planes * passes;
  uint64_t dac = t.analog ? 0 : b * uint64_t(t.rows) * passes;
  uint64_t adc = t.analog ? 0 : b * uint64_t(t.cols) * planes * passes;
  uint64_t digital = b * uint64_t(t.cols) * (planes * passes - 1);
  counters.mvmCount += b;
  ++counters.mvmCalls;
  counters.macs += macs;
  counters.dacConversions += dac;
  counters.adcConversions += adc;
  counters.digitalOps += digital;
  counters.energyPj["mac"] += double(macs) * t.costs.mac;
  counters.energyPj["dac"] += double(dac) * t.costs.dac;
  counters.energyPj["adc"] += double(adc) * t.costs.adc;
  counters.energyPj["digital"] += double(digital) * t.costs.digital;
  counters.latencyNs +=
      double(b * passes) * t.costs.mvmNs +
      double((digital + t.costs.lanes - 1) / t.costs.lanes) * t.costs.digitalNs;
}

} // namespace cim::rt::sim
