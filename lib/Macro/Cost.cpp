//===- Cost.cpp - Energy, latency and activity of a CIM macro ---*- C++ -*-===//
//
// The formulas of docs/CostModel.md, used by both the compiler's report and
// the runtime's counters.
//
//===----------------------------------------------------------------------===//

#include "cim/Macro/Cost.h"

#include <algorithm>
#include <cmath>

namespace cim::macro {

const char *cellName(Cell cell) {
  switch (cell) {
  case Cell::RRAM:
    return "rram";
  case Cell::ROM:
    return "rom";
  case Cell::SRAM:
    return "sram";
  }
  return "rram";
}

const std::vector<std::pair<const char *, double>> &defaultCostFigures() {
  static const std::vector<std::pair<const char *, double>> figures = {
      {"mac_pj", 0.002},        {"dac_pj", 0.05},
      {"adc_pj", 1.0},          {"digital_op_pj", 0.05},
      {"mvm_ns", 20.0},         {"digital_op_ns", 0.5},
      {"array_area_mm2", 0.01}, {"write_pj", 0.1},
      {"offchip_pj_per_bit", 20.0}, {"integrator_pj", 0.05},
      {"digital_act_pj", 1.0},  {"digital_act_ns", 1.0},
      {"ramp_step_ns", 0.5},    {"bridge_pj", 0.0005},
      {"comparator_pj", 0.01},  {"charge_share_pj", 0.002},
      {"neuron_pj", 0.05},      {"write_ns", 100.0},
      {"pulse_pj", 0.002},
      {"endurance_cycles", 1e6},
  };
  return figures;
}

double CostFigures::get(std::string_view key, Cell cell) const {
  std::string specific = std::string(key) + "." + cellName(cell);
  if (auto it = values_.find(specific); it != values_.end())
    return it->second;
  if (auto it = values_.find(key); it != values_.end())
    return it->second;
  for (const auto &[name, value] : defaultCostFigures())
    if (key == name)
      return value;
  return 0;
}

CellFigures::CellFigures(const CostFigures &f, Cell cell)
    : macPj(f.get("mac_pj", cell)), dacPj(f.get("dac_pj", cell)),
      adcPj(f.get("adc_pj", cell)), mvmNs(f.get("mvm_ns", cell)),
      rampStepNs(f.get("ramp_step_ns", cell)),
      digitalOpPj(f.get("digital_op_pj", cell)),
      digitalOpNs(f.get("digital_op_ns", cell)),
      digitalActPj(f.get("digital_act_pj", cell)),
      digitalActNs(f.get("digital_act_ns", cell)),
      integratorPj(f.get("integrator_pj", cell)),
      writePj(f.get("write_pj", cell)), writeNs(f.get("write_ns", cell)),
      offchipPjPerBit(f.get("offchip_pj_per_bit", cell)),
      bridgePj(f.get("bridge_pj", cell)),
      comparatorPj(f.get("comparator_pj", cell)),
      chargeSharePj(f.get("charge_share_pj", cell)),
      neuronPj(f.get("neuron_pj", cell)), pulsePj(f.get("pulse_pj", cell)) {}

Cost &Cost::operator+=(const Cost &other) {
  mvms += other.mvms;
  macs += other.macs;
  dacConversions += other.dacConversions;
  adcConversions += other.adcConversions;
  digitalOps += other.digitalOps;
  comparisons += other.comparisons;
  chargeShares += other.chargeShares;
  neuronUpdates += other.neuronUpdates;
  cellWrites += other.cellWrites;
  spikes += other.spikes;
  inputPulses += other.inputPulses;
  synapticOps += other.synapticOps;
  for (const auto &[k, v] : other.energyPj)
    energyPj[k] += v;
  latencyNs += other.latencyNs;
  arrayNs += other.arrayNs;
  return *this;
}

double Cost::energy() const {
  double total = 0;
  for (const auto &[k, v] : energyPj)
    total += v;
  return total;
}

/// ceil(perVector / lanes) steps of `ns` per vector.
static double laneNs(uint64_t perVector, uint64_t vectors, unsigned lanes,
                     double ns) {
  uint64_t l = std::max(1u, lanes);
  return double((perVector + l - 1) / l) * double(vectors) * ns;
}

Cost tileReadCost(const TileRead &read, uint64_t vectors,
                  const CellFigures &figures, unsigned lanes) {
  Cost c;
  const bool pulsed = read.pulsed();
  uint64_t passes = read.analog || pulsed ? 1 : read.passes,
           slices = read.slices;
  uint64_t dac = read.analog || pulsed ? 0 : read.rows * passes * vectors;
  if (pulsed) {
    c.inputPulses =
        read.pulses >= 0
            ? uint64_t(read.pulses)
            : read.rows * vectors *
                  (read.coding == InputCoding::Rate
                       ? uint64_t(std::max(1.0, read.dacLevels))
                       : 1);
    c.energyPj["pulse"] = double(c.inputPulses) * figures.pulsePj;
  }
  uint64_t adc = read.analog || read.bridge || read.lif
                     ? 0
                     : read.cols * slices * passes * vectors;
  c.mvms = passes * vectors;
  c.macs = read.rows * read.cols * vectors;
  c.dacConversions = dac;
  c.adcConversions = adc;
  double cellReads = double(read.rows * read.cols * slices * passes * vectors);
  if (pulsed && read.activeRows >= 0)
    cellReads = double(uint64_t(read.activeRows) * read.cols * slices);
  if (read.bridge) {
    c.energyPj["bridge"] = cellReads * figures.bridgePj;
    if (read.neurons) {
      c.comparisons = read.cols * vectors;
      c.energyPj["comparator"] = double(c.comparisons) * figures.comparatorPj;
    }
    if (read.shared) {
      c.chargeShares = read.cols * vectors;
      c.energyPj["charge_share"] =
          double(c.chargeShares) * figures.chargeSharePj;
    }
  } else {
    c.energyPj["mac"] = cellReads * figures.macPj;
    if (read.lif && read.shared) {
      c.chargeShares = read.cols * vectors;
      c.energyPj["charge_share"] =
          double(c.chargeShares) * figures.chargeSharePj;
    }
  }
  c.energyPj["dac"] = double(dac) * figures.dacPj;
  c.energyPj["adc"] = double(adc) * figures.adcPj;
  // Shifted and added in the digital unit (LIF columns merge their slices
  // as charge; their passes are the neuron's to integrate).
  if (!read.lif && slices * passes > 1)
    c += digitalOpCost(read.cols * (slices * passes - 1), vectors, figures,
                       lanes);
  double ns = figures.mvmNs;
  if (read.rampBits)
    ns += std::ldexp(1.0, int(read.rampBits)) * figures.rampStepNs;
  c.arrayNs = double(passes * vectors) * ns;
  return c;
}

uint64_t countDrive(TileRead &read, const float *x, uint64_t vectors,
                    int64_t rows) {
  uint64_t pulses = 0, active = 0;
  for (uint64_t b = 0; b < vectors; ++b) {
    const float *xb = x + b * uint64_t(rows);
    active += inputPulses(InputCoding::Spikes, xb, rows, 0); // nonzero
    if (read.pulsed())
      pulses += inputPulses(read.coding, xb, rows, read.dacLevels);
  }
  if (read.pulsed()) {
    read.pulses = int64_t(pulses);
    read.activeRows = int64_t(active);
  }
  return active;
}

/// `vectors` x `perVector` element operations on the digital lanes, charged
/// to `component` at `pj` each and `ns` per lane step.
static Cost laneCost(const char *component, double pj, double ns,
                     uint64_t perVector, uint64_t vectors, unsigned lanes) {
  Cost c;
  c.digitalOps = perVector * vectors;
  c.energyPj[component] = double(c.digitalOps) * pj;
  c.latencyNs = laneNs(perVector, vectors, lanes, ns);
  return c;
}

Cost digitalOpCost(uint64_t perVector, uint64_t vectors,
                   const CellFigures &figures, unsigned lanes) {
  return laneCost("digital", figures.digitalOpPj, figures.digitalOpNs,
                  perVector, vectors, lanes);
}

Cost activationCost(uint64_t perVector, uint64_t vectors,
                    const CellFigures &figures, unsigned lanes) {
  return laneCost("activation", figures.digitalActPj, figures.digitalActNs,
                  perVector, vectors, lanes);
}

Cost reloadCost(uint64_t cells, uint64_t rows, uint64_t weightBits,
                const CellFigures &figures, unsigned reuse) {
  Cost c;
  double share = 1.0 / double(std::max(1u, reuse));
  double energy = double(cells) * figures.writePj +
                  double(weightBits) * figures.offchipPjPerBit;
  c.energyPj["reload"] = energy * share;
  c.cellWrites = double(cells) * share;
  c.arrayNs = double(rows) * figures.writeNs * share;
  return c;
}

Cost lifNeuronCost(uint64_t neurons, uint64_t steps, uint64_t vectors,
                   const CellFigures &figures) {
  Cost c;
  c.neuronUpdates = neurons * steps * vectors;
  c.energyPj["neuron"] = double(c.neuronUpdates) * figures.neuronPj;
  return c;
}

Cost analogODECost(uint64_t state, uint64_t evaluations, uint64_t vectors,
                   const CellFigures &figures) {
  Cost c;
  c.dacConversions = state * vectors;
  c.adcConversions = state * vectors;
  c.energyPj["dac"] = double(c.dacConversions) * figures.dacPj;
  c.energyPj["adc"] = double(c.adcConversions) * figures.adcPj;
  c.energyPj["integrator"] =
      double(state * evaluations * vectors) * figures.integratorPj;
  return c;
}

CostLedger::Layer &CostLedger::layerFor(const std::string &name) {
  auto [it, inserted] = layers_.try_emplace(name);
  if (inserted)
    order_.push_back(name);
  return it->second;
}

void CostLedger::charge(const std::string &layer, const Cost &cost) {
  layerFor(layer).cost += cost;
}

void CostLedger::charge(const std::string &layer, ArrayId array,
                        const Cost &cost) {
  Layer &l = layerFor(layer);
  l.cost += cost;
  l.arrayNs[array] += cost.arrayNs;
}

Cost CostLedger::layer(const std::string &name) const {
  auto it = layers_.find(name);
  if (it == layers_.end())
    return {};
  Cost c = it->second.cost;
  double busiest = 0;
  for (const auto &[array, ns] : it->second.arrayNs)
    busiest = std::max(busiest, ns);
  c.latencyNs += busiest;
  return c;
}

Cost CostLedger::total() const {
  Cost total;
  for (const std::string &name : order_)
    total += layer(name);
  return total;
}

} // namespace cim::macro
