//===- SimCounters.cpp - Simulator activity, energy, latency ----*- C++ -*-===//
//
// What the simulator counts and what it costs: every MVM call adds the
// activity of its simulated cells (MACs, DAC and ADC conversions and
// shift-adds of every plane and pass), and its energy and latency from the
// macro model's cost functions (cim/Macro/Cost.h), which the compiler's
// report also uses; programming adds its cell writes.
//
//===----------------------------------------------------------------------===//

#include "drivers/sim/SimDevice.h"
#include "hal/TileCost.h"

#include <algorithm>

namespace cim::rt::sim {

TileCosts tileCosts(const hal::TileImage &tile,
                    const hal::MacroConfig &target) {
  TileCosts c;
  c.read = hal::tileRead(tile, target);
  c.figures = macro::CellFigures(hal::costFigures(target), c.read.cell);
  c.lanes = std::max(1u, target.digitalLanes);
  return c;
}

void countProgramming(DeviceStats &counters, const SimTile &t) {
  uint64_t writes = t.report.writes;
  counters.programWrites += writes;
  counters.energyPj["write"] += double(writes) * t.costs.figures.writePj;
}

void countMvm(DeviceStats &counters, const SimTile &t, int64_t batch,
              const macro::TileRead &read) {
  // Activity of the simulated cells: every plane (slice) and input pass.
  uint64_t b = uint64_t(batch), planes = t.planes.size(),
           passes = uint64_t(t.inputPasses);
  counters.mvmCount += b;
  ++counters.mvmCalls;
  counters.macs += b * uint64_t(t.rows * t.cols) * planes * passes;
  // Conversions, energy and time: the macro model's, the same as the
  // compiler's report (the array's time and the digital unit's in
  // sequence: a device does not know which reads of a layer overlap).
  macro::Cost cost =
      macro::tileReadCost(read, b, t.costs.figures, t.costs.lanes);
  counters.dacConversions += cost.dacConversions;
  counters.adcConversions += cost.adcConversions;
  counters.digitalOps += cost.digitalOps;
  counters.comparisons += cost.comparisons;
  counters.chargeShares += cost.chargeShares;
  for (const auto &[component, pj] : cost.energyPj)
    counters.energyPj[component] += pj;
  counters.latencyNs += cost.arrayNs + cost.latencyNs;
}

} // namespace cim::rt::sim

namespace cim::rt::sim {

void countCalibration(DeviceStats &counters, const SimTile &t) {
  macro::Cost cost = macro::tileReadCost(
      t.costs.read, uint64_t(kCalibrationVectors), t.costs.figures,
      t.costs.lanes);
  counters.calibrationMvms += uint64_t(kCalibrationVectors);
  for (const auto &[component, pj] : cost.energyPj)
    counters.energyPj["calibrate"] += pj;
  counters.calibrationNs += cost.arrayNs + cost.latencyNs;
}

void countComparatorTrim(DeviceStats &counters, const SimTile &t,
                         uint64_t decisions) {
  counters.energyPj["calibrate"] +=
      double(decisions) * t.costs.figures.comparatorPj;
  counters.calibrationNs += double(decisions) * t.costs.figures.mvmNs;
}

} // namespace cim::rt::sim
