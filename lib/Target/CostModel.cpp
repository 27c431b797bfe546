//===- CostModel.cpp - Energy, latency and area of a tiled model -*- C++ -*-===//
//
// Walks the cim.mvm ops of a tiled module and charges each one to its layer
// (the ONNX node it came from): the MACs of its array, one DAC conversion
// per driven row, one ADC conversion per weight column read, and the
// digital additions of partial sums. Energy, latency and area come from the
// target's `costs` (a key may be specialised per cell technology as
// `key.rram`); docs/CostModel.md gives the formulas and the defaults.
//
//===----------------------------------------------------------------------===//

#include "cim/Target/CostModel.h"

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Macro/Slicing.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"

#include <set>
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/Format.h"

#include <cmath>

using namespace mlir;
using namespace cim;

const std::vector<std::pair<const char *, double>> &cim::defaultCosts() {
  return macro::defaultCostFigures();
}

macro::CostFigures cim::costFigures(TargetAttr target) {
  std::map<std::string, double, std::less<>> values;
  if (DictionaryAttr costs = target.getCosts())
    for (NamedAttribute cost : costs)
      values[cost.getName().str()] =
          target.getCost(cost.getName(), 0.0);
  return macro::CostFigures(std::move(values));
}

std::string cim::layerName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  return "(unnamed)";
}

macro::Cell cim::macroCell(CellTech cell) {
  switch (cell) {
  case CellTech::rom:
    return macro::Cell::ROM;
  case CellTech::sram:
    return macro::Cell::SRAM;
  default:
    return macro::Cell::RRAM;
  }
}

namespace {
/// Evaluations of f per solve: steps x (1 for Euler, 4 for RK4); a
/// runtime step count counts as one step.
uint64_t evaluations(ODEOp ode) {
  uint64_t steps = ode.getNumSteps() ? *ode.getNumSteps() : 1;
  return steps * ode.getEvaluationsPerStep();
}

/// How often `op` runs per input vector: the evaluations of every ODE
/// around it, times the trip count of every loop around it whose trip
/// count is a constant (a runtime trip count counts once).
uint64_t timesRun(Operation *op) {
  uint64_t times = 1;
  for (Operation *parent = op->getParentOp(); parent;
       parent = parent->getParentOp()) {
    if (auto ode = dyn_cast<ODEOp>(parent))
      times *= evaluations(ode);
    if (auto loop = dyn_cast<LoopOp>(parent)) {
      DenseIntElementsAttr trips;
      if (loop.getMaxTripCount() &&
          matchPattern(loop.getMaxTripCount(), m_Constant(&trips)))
        times *= uint64_t(std::max<int64_t>(
            0, trips.getSplatValue<APInt>().getSExtValue()));
    }
  }
  return times;
}


/// Elements of a value's last dimension (1 if dynamic or rank 0).
uint64_t lastDim(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || type.getRank() == 0 || type.isDynamicDim(type.getRank() - 1))
    return 1;
  return type.getShape().back();
}

/// Vectors of `v`'s last dimension per inference: the product of its other
/// dimensions, a dynamic one (the batch) counting once. A sequence model's
/// head reads every position's vector; a batch of one inference is 1.
uint64_t vectorsPerInference(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || type.getRank() == 0)
    return 1;
  uint64_t n = 1;
  for (int64_t d : type.getShape().drop_back())
    if (!ShapedType::isDynamic(d))
      n *= uint64_t(std::max<int64_t>(d, 0));
  return n;
}

void accumulate(LayerCost &into, const LayerCost &from) {
  into.arrays += from.arrays;
  into.arraysLowerBound += from.arraysLowerBound;
  into.weightCells += from.weightCells;
  into.arrayCells += from.arrayCells;
  into.mvms += from.mvms;
  into.macs += from.macs;
  into.dacConversions += from.dacConversions;
  into.adcConversions += from.adcConversions;
  into.comparisons += from.comparisons;
  into.chargeShares += from.chargeShares;
  into.neuronUpdates += from.neuronUpdates;
  into.digitalOps += from.digitalOps;
  into.cellWrites += from.cellWrites;
  for (const auto &[k, v] : from.energyPj)
    into.energyPj[k] += v;
  into.latencyNs += from.latencyNs;
}
} // namespace

double LayerCost::energy() const {
  double total = 0;
  for (const auto &[k, v] : energyPj)
    total += v;
  return total;
}

// Ops per pJ is TOPS/W; a MAC is two ops.
double CostReport::topsPerWatt() const {
  double e = total.energy();
  return e > 0 ? 2.0 * double(total.macs) / e : 0;
}

double CostReport::topsPerMm2() const {
  if (total.latencyNs <= 0 || areaMm2 <= 0)
    return 0;
  double tops = 2.0 * double(total.macs) / total.latencyNs / 1000.0;
  return tops / areaMm2;
}

/// What a cim.mvm reads: its tile's shape, slices, passes and readout.
static macro::TileRead tileRead(MVMOp op, TargetAttr target) {
  TileType tile = op.getTile().getType();
  ArrayKindAttr array = target.lookupArray(tile.getCell());
  auto tileOp = op.getTile().getDefiningOp<ProgramTileOp>();
  macro::TileRead read;
  read.rows = tile.getRows();
  read.cols = tile.getCols();
  read.slices = array && tileOp ? tileOp.getSlices(array)
                : array         ? array.getSlices()
                                : 1;
  read.passes = target.getInputPasses();
  read.analog = tileOp && tileOp.getAnalog();
  if (auto ramp = dyn_cast<RampReadoutAttr>(op.getReadout()))
    read.rampBits = ramp.getBits();
  read.bridge = op.readsBridges();
  read.neurons = isa<SignReadoutAttr>(op.getReadout());
  read.lif = op.readsLIFColumns();
  if (std::optional<InputCoding> coding =
          tileOp ? tileOp.getInputCoding() : std::nullopt)
    read.coding = *coding == InputCoding::spikes ? macro::InputCoding::Spikes
                  : *coding == InputCoding::rate ? macro::InputCoding::Rate
                                                 : macro::InputCoding::Latency;
  read.dacLevels = macro::signedLevels(target.getDacBits());
  read.shared = bool(op.getCarry());
  read.cell = macroCell(tile.getCell());
  return read;
}

/// Both schedules of every ODE, per input vector: the conversions of f's
/// layers at every evaluation (digital) against a DAC and an ADC per state
/// element (analog); the state update in the digital unit (two operations
/// per element and evaluation) against the integrators. The schedule the
/// module uses is already in the layers; the analog extras (boundary
/// conversions, integrators) are charged to the ODE's layer.
template <typename LayerFor>
static void analyzeODEs(ModuleOp module, TargetAttr target,
                        const macro::CostFigures &figures,
                        macro::CostLedger &ledger, LayerFor &layerFor,
                        CostReport &report) {
  module.walk([&](ODEOp ode) {
    macro::CellFigures cell(figures,
                            macroCell(target.getDefaultArray().getCell()));
    ODECost c;
    c.name = layerName(ode.getLoc());
    c.solver = stringifyODESolver(ode.getSolver()).str();
    bool analog = ode.getSchedule() &&
                  *ode.getSchedule() == ODESchedule::analog;
    c.schedule = analog ? "analog" : "digital";
    c.steps = ode.getNumSteps() ? *ode.getNumSteps() : 0;
    c.evaluationsPerStep = ode.getEvaluationsPerStep();
    c.state = lastDim(ode.getInit());
    uint64_t evals = evaluations(ode);
    // f's MVMs with converters at every evaluation (the digital schedule).
    macro::Cost digitalReads;
    ode.getBody().walk([&](MVMOp mvm) {
      ++c.layers;
      macro::TileRead read = tileRead(mvm, target);
      read.analog = false;
      digitalReads += macro::tileReadCost(
          read, evals, macro::CellFigures(figures, read.cell),
          target.getDigitalLanes());
    });
    // f's activations: digital at every evaluation, or analog periphery.
    uint64_t activations = 0;
    ode.getBody().walk([&](Operation *op) {
      if (isa<tosa::TanhOp, tosa::SigmoidOp, tosa::ClampOp>(op))
        activations += lastDim(op->getResult(0));
    });
    uint64_t update = c.state * evals;
    c.conversionsDigital =
        digitalReads.dacConversions + digitalReads.adcConversions;
    c.conversionsAnalog = 2 * c.state;
    double macEnergy = digitalReads.energyPj["mac"];
    c.energyDigitalPj =
        macEnergy + digitalReads.energyPj["dac"] + digitalReads.energyPj["adc"] +
        macro::digitalOpCost(2 * update, 1, cell, 1).energy() +
        macro::activationCost(activations * evals, 1, cell, 1).energy();
    c.energyAnalogPj =
        macEnergy + macro::analogODECost(c.state, evals, 1, cell).energy();
    // The schedule in use charges its extras for every state vector of an
    // inference.
    if (analog)
      ledger.charge(layerFor(ode.getLoc()).name,
                    macro::analogODECost(c.state, evals,
                                         vectorsPerInference(ode.getInit()),
                                         cell));
    report.odes.push_back(c);
  });
}

/// The layer cost of a ledger's layer.
static void fill(LayerCost &layer, const macro::Cost &c) {
  layer.mvms = c.mvms;
  layer.macs = c.macs;
  layer.dacConversions = c.dacConversions;
  layer.adcConversions = c.adcConversions;
  layer.comparisons = c.comparisons;
  layer.chargeShares = c.chargeShares;
  layer.neuronUpdates = c.neuronUpdates;
  layer.digitalOps = c.digitalOps;
  layer.cellWrites = c.cellWrites;
  layer.energyPj = c.energyPj;
  layer.latencyNs = c.latencyNs;
}

CostReport cim::analyzeCost(ModuleOp module, unsigned reuse) {
  CostReport report;
  TargetAttr target = lookupTarget(module);
  if (!target)
    return report;
  report.target = target.getName().str();
  macro::CostFigures figures = costFigures(target);
  unsigned lanes = target.getDigitalLanes();
  macro::CostLedger ledger;
  // In program order; std::map indexes the names.
  llvm::MapVector<std::string, LayerCost, std::map<std::string, unsigned>> layers;
  auto layerNamed = [&](const std::string &name) -> LayerCost & {
    LayerCost &layer = layers[name];
    layer.name = name;
    return layer;
  };
  auto layerFor = [&](Location loc) -> LayerCost & {
    return layerNamed(layerName(loc));
  };

  // Tiles: the physical array of each, arrays and cells per layer and per
  // kind. After cim-pack-tiles a tile's array is (cell, index); an unpacked
  // tile is an array of its own.
  using ArrayId = macro::CostLedger::ArrayId;
  DenseMap<Operation *, ArrayId> arrayOf;
  int64_t unpacked = -1;
  std::map<std::string, uint64_t> cellsPerArray;
  std::map<std::string, std::set<ArrayId>> arraysOfLayer;
  std::set<ArrayId> allArrays;
  std::map<int, uint64_t> cellsOfKind;
  module.walk([&](ProgramTileOp op) {
    TileType tile = op.getTile().getType();
    ArrayKindAttr array = target.lookupArray(tile.getCell());
    if (!array)
      return;
    ArrayId id = {int(tile.getCell()),
                  op.getArray() ? int64_t(*op.getArray()) : unpacked--};
    arrayOf[op] = id;
    LayerCost &layer = layerFor(op.getLoc());
    uint64_t arrayCells = array.cellsPerArray();
    if (arraysOfLayer[layer.name].insert(id).second) {
      layer.arrays += 1;
      layer.arrayCells += arrayCells;
    }
    allArrays.insert(id);
    uint64_t cells = uint64_t(tile.getRows()) *
                     array.physicalCols(tile.getCols(), op.getSlices(array));
    layer.weightCells += cells;
    cellsOfKind[int(tile.getCell())] += cells;
    if (op.getReload()) {
      // Written at every load: every cell is written, and the weights' bits
      // come from off-chip memory.
      uint64_t bits = uint64_t(tile.getRows()) * tile.getCols() *
                      std::max(unsigned(op.getWeightBits().value_or(
                                   array.getWeightBits())),
                               array.getBitsPerCell());
      ledger.charge(layer.name, id,
                    macro::reloadCost(cells, tile.getRows(), bits,
                                      macro::CellFigures(
                                          figures, macroCell(tile.getCell())),
                                      reuse));
    }
    cellsPerArray[layer.name] = arrayCells;
  });
  for (auto &[name, layer] : layers)
    if (uint64_t per = cellsPerArray[layer.name])
      layer.arraysLowerBound = (layer.weightCells + per - 1) / per;

  // MVMs: MACs, conversions and the arrays' time (macro::tileReadCost). An
  // MVM inside an ODE's f or a loop runs once per evaluation or trip.
  module.walk([&](MVMOp op) {
    std::string layer = layerFor(op.getLoc()).name;
    ArrayId id = {0, unpacked--};
    if (Operation *def = op.getTile().getDefiningOp())
      if (auto it = arrayOf.find(def); it != arrayOf.end())
        id = it->second;
    macro::TileRead read = tileRead(op, target);
    ledger.charge(layer, id,
                  macro::tileReadCost(
                      read, timesRun(op) * vectorsPerInference(op.getInput()),
                      macro::CellFigures(figures, read.cell), lanes));
  });
  analyzeODEs(module, target, figures, ledger, layerFor, report);

  // Partial sums: additions of MVM results, in the digital unit (charged
  // at the default array's figures).
  macro::CellFigures digitalUnit(
      figures, macroCell(target.getDefaultArray().getCell()));
  module.walk([&](tosa::AddOp op) {
    if (!isPartialSum(op.getOperation()))
      return;
    LayerCost &layer = layerFor(op.getLoc());
    ledger.charge(layer.name,
                  macro::digitalOpCost(
                      lastDim(op.getResult()),
                      timesRun(op) * vectorsPerInference(op.getResult()),
                      digitalUnit, lanes));
  });

  // LIF layers: a neuron update per neuron and step on the columns'
  // neurons, else four operations (leak, integrate, compare, reset) in the
  // digital unit.
  module.walk([&](LIFOp op) {
    Value current = op.getCurrents().front();
    uint64_t neurons = lastDim(current), steps = op.getNumSteps();
    uint64_t vectors = timesRun(op) * vectorsPerInference(current);
    LayerCost &layer = layerNamed(lifLayerName(op));
    ledger.charge(layer.name,
                  op.getNeurons()
                      ? macro::lifNeuronCost(neurons, steps, vectors,
                                             digitalUnit)
                      : macro::digitalOpCost(4 * neurons * steps, vectors,
                                             digitalUnit, lanes));
  });

  // Activations of array results in the digital unit (a fused activation
  // is a ramp conversion instead, counted with the MVM).
  module.walk([&](Operation *op) {
    if (!isDigitalActivation(op))
      return;
    LayerCost &layer = layerFor(op->getLoc());
    ledger.charge(layer.name,
                  macro::activationCost(
                      lastDim(op->getResult(0)),
                      timesRun(op) * vectorsPerInference(op->getResult(0)),
                      digitalUnit, lanes));
  });

  // Reprogramming: cells written per vector, the busiest array's writing
  // time, and the inferences a cell endures.
  std::map<ArrayId, double> writeNs;
  double maxWritesPerCell = 0;
  module.walk([&](ProgramTileOp op) {
    if (!op.getReload())
      return;
    auto it = arrayOf.find(op);
    macro::CellFigures cell(figures, macroCell(op.getTile().getType().getCell()));
    double share = 1.0 / double(std::max(1u, reuse));
    if (it != arrayOf.end())
      writeNs[it->second] +=
          double(op.getTile().getType().getRows()) * cell.writeNs * share;
    maxWritesPerCell = std::max(maxWritesPerCell, share);
  });
  for (const auto &[id, ns] : writeNs)
    report.reloadNs = std::max(report.reloadNs, ns);
  if (maxWritesPerCell > 0)
    report.reloadLifetime =
        figures.get("endurance_cycles",
                    macroCell(target.getDefaultArray().getCell())) /
        maxWritesPerCell;

  report.total.name = "total";
  for (auto &[name, layer] : layers) {
    fill(layer, ledger.layer(name));
    report.layers.push_back(layer);
    accumulate(report.total, layer);
  }
  report.reloadCellWrites = report.total.cellWrites;
  report.total.arrays = allArrays.size();
  report.total.arrayCells = 0;
  for (const ArrayId &id : allArrays) {
    CellTech cell = CellTech(id.first);
    ArrayKindAttr array = target.lookupArray(cell);
    report.areaMm2 += figures.get("array_area_mm2", macroCell(cell));
    report.total.arrayCells += array.cellsPerArray();
  }
  // The lower bound of the whole model: its cells per kind of array.
  report.total.arraysLowerBound = 0;
  for (auto &[cell, cells] : cellsOfKind) {
    ArrayKindAttr array = target.lookupArray(CellTech(cell));
    uint64_t per = array.cellsPerArray();
    report.total.arraysLowerBound += (cells + per - 1) / per;
  }
  return report;
}

bool cim::isPartialSum(Operation *op) {
  auto add = dyn_cast<tosa::AddOp>(op);
  if (!add)
    return false;
  // An MVM result, or an add or concatenation of MVM results.
  std::function<bool(Value)> fromArrays = [&](Value v) {
    Operation *def = v.getDefiningOp();
    if (def && isa<MVMOp>(def))
      return true;
    return def && isa<tosa::AddOp, tosa::ConcatOp>(def) &&
           llvm::all_of(def->getOperands(), fromArrays);
  };
  return fromArrays(add.getInput1()) && fromArrays(add.getInput2());
}

std::string cim::lifLayerName(Operation *op) {
  auto lif = cast<LIFOp>(op);
  if (lif.getNeurons())
    if (Operation *def = lif.getCurrents().front().getDefiningOp())
      return layerName(def->getLoc());
  return layerName(lif.getLoc());
}

bool cim::isDigitalActivation(Operation *op) {
  if (!isa<tosa::TanhOp, tosa::SigmoidOp, tosa::ClampOp>(op))
    return false;
  Value in = op->getOperand(0);
  Operation *def = in.getDefiningOp();
  if (auto add = dyn_cast_or_null<tosa::AddOp>(def)) // a bias
    def = add.getInput1().getDefiningOp();
  while (def && isa<tosa::AddOp, tosa::ConcatOp>(def))
    def = def->getOperand(0).getDefiningOp();
  if (!def || !isa<MVMOp>(def))
    return false;
  // Between analog tiles (an analog ODE schedule) the activation acts in
  // the periphery, not in the digital unit.
  auto tile = cast<MVMOp>(def).getTile().getDefiningOp<ProgramTileOp>();
  return !(tile && tile.getAnalog());
}

/// Report figures to a millionth: summation noise stays out of the file.
static double rounded(double v) { return std::round(v * 1e6) / 1e6; }

static llvm::json::Object layerJson(const LayerCost &l) {
  llvm::json::Object energy;
  for (const auto &[k, v] : l.energyPj)
    energy[k] = rounded(v);
  energy["total"] = rounded(l.energy());
  return llvm::json::Object{
      {"name", l.name},
      {"arrays", int64_t(l.arrays)},
      {"arrays_lower_bound", int64_t(l.arraysLowerBound)},
      {"weight_cells", int64_t(l.weightCells)},
      {"utilisation",
       rounded(l.arrayCells ? double(l.weightCells) / l.arrayCells : 0.0)},
      {"mvms", int64_t(l.mvms)},
      {"macs", int64_t(l.macs)},
      {"dac_conversions", int64_t(l.dacConversions)},
      {"adc_conversions", int64_t(l.adcConversions)},
      {"comparisons", int64_t(l.comparisons)},
      {"charge_shares", int64_t(l.chargeShares)},
      {"neuron_updates", int64_t(l.neuronUpdates)},
      {"digital_ops", int64_t(l.digitalOps)},
      {"energy_pj", std::move(energy)},
      {"latency_ns", rounded(l.latencyNs)}};
}

llvm::json::Value CostReport::toJson() const {
  llvm::json::Array layerArray;
  for (const LayerCost &l : layers)
    layerArray.push_back(layerJson(l));
  llvm::json::Array odeArray;
  for (const ODECost &o : odes)
    odeArray.push_back(llvm::json::Object{
        {"name", o.name},
        {"solver", o.solver},
        {"schedule", o.schedule},
        {"steps", int64_t(o.steps)},
        {"evaluations_per_step", int64_t(o.evaluationsPerStep)},
        {"mvms_per_evaluation", int64_t(o.layers)},
        {"state", int64_t(o.state)},
        {"conversions", llvm::json::Object{
             {"digital", int64_t(o.conversionsDigital)},
             {"analog", int64_t(o.conversionsAnalog)},
             {"ratio", rounded(o.conversionRatio())}}},
        {"energy_pj", llvm::json::Object{
             {"digital", rounded(o.energyDigitalPj)},
             {"analog", rounded(o.energyAnalogPj)},
             {"ratio", rounded(o.energyRatio())}}}});
  llvm::json::Object out{{"target", target},
                         {"layers", std::move(layerArray)},
                         {"odes", std::move(odeArray)},
                         {"total", layerJson(total)},
                         {"area_mm2", rounded(areaMm2)},
                         {"tops_per_w", rounded(topsPerWatt())},
                         {"tops_per_mm2", rounded(topsPerMm2())}};
  if (reloadCellWrites > 0) {
    auto energy = total.energyPj.find("reload");
    out["reprogramming"] = llvm::json::Object{
        {"cell_writes", rounded(reloadCellWrites)},
        {"energy_pj",
         rounded(energy == total.energyPj.end() ? 0.0 : energy->second)},
        {"time_ns", rounded(reloadNs)},
        {"lifetime_inferences", rounded(reloadLifetime)}};
  }
  return out;
}

void CostReport::printTable(llvm::raw_ostream &os) const {
  os << "layer                arrays  bound  util%     MVMs       MACs      DAC"
        "      ADC   energy(pJ)    lat(ns)\n";
  auto row = [&](const LayerCost &l) {
    os << llvm::format("%-20s %6llu %6llu %6.1f %8llu %10llu %8llu %8llu %12.2f "
                       "%10.1f\n",
                       l.name.substr(0, 20).c_str(), (unsigned long long)l.arrays,
                       (unsigned long long)l.arraysLowerBound,
                       l.arrayCells ? 100.0 * l.weightCells / l.arrayCells : 0.0,
                       (unsigned long long)l.mvms, (unsigned long long)l.macs,
                       (unsigned long long)l.dacConversions,
                       (unsigned long long)l.adcConversions, l.energy(),
                       l.latencyNs);
  };
  for (const LayerCost &l : layers)
    row(l);
  row(total);
  os << llvm::format("target %s: %.3f mm2 of arrays, %.2f TOPS/W, %.4f TOPS/mm2\n",
                     target.c_str(), areaMm2, topsPerWatt(), topsPerMm2());
  if (reloadCellWrites > 0) {
    auto energy = total.energyPj.find("reload");
    os << llvm::format(
        "reprogramming per inference: %.0f cell writes, %.2f pJ, %.1f ns of "
        "the busiest array; a cell endures %.3g inferences\n",
        reloadCellWrites,
        energy == total.energyPj.end() ? 0.0 : energy->second, reloadNs,
        reloadLifetime);
  }
  for (const ODECost &o : odes)
    os << llvm::format(
        "ode %s: %s schedule, %s, %llu steps x %u evaluations x %u MVMs, "
        "state %llu: conversions digital %llu / analog %llu (%.1fx fewer), "
        "energy digital %.2f / analog %.2f pJ (%.2fx)\n",
        o.name.c_str(), o.schedule.c_str(), o.solver.c_str(),
        (unsigned long long)o.steps, o.evaluationsPerStep, o.layers,
        (unsigned long long)o.state, (unsigned long long)o.conversionsDigital,
        (unsigned long long)o.conversionsAnalog, o.conversionRatio(),
        o.energyDigitalPj, o.energyAnalogPj, o.energyRatio());
}
