//===- CostModel.h - Energy, latency and area of a tiled model --*- C++ -*-===//
//
// An analysis of a tiled module (cim.program_tile + cim.mvm): arrays and
// cells used, MVMs, converter activity, and energy, latency and area from
// the target's cost figures, per layer (ONNX node) and in total, for one
// inference of one input vector.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TARGET_COSTMODEL_H
#define CIM_TARGET_COSTMODEL_H

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Macro/Cost.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <string>
#include <vector>

namespace cim {

struct LayerCost {
  std::string name;
  uint64_t arrays = 0;          // arrays programmed
  uint64_t arraysLowerBound = 0; // ceil(weight cells / cells per array)
  uint64_t weightCells = 0;     // cells holding weights (both of a pair)
  uint64_t arrayCells = 0;      // cells of the arrays used
  uint64_t mvms = 0, macs = 0, dacConversions = 0, adcConversions = 0;
  uint64_t comparisons = 0, chargeShares = 0; // binary neurons
  uint64_t neuronUpdates = 0;   // LIF neurons: neurons x steps
  uint64_t digitalOps = 0;      // partial-sum additions
  double cellWrites = 0;        // reloaded cells written, per vector
  std::map<std::string, double> energyPj; // by component
  double latencyNs = 0;
  double energy() const;
};

/// An ODE solve under both schedules, per input vector (conversions and
/// energy of the solve itself; steps 0: a runtime step count, counted as
/// one step).
struct ODECost {
  std::string name, solver, schedule;
  uint64_t steps = 0, state = 0;
  unsigned evaluationsPerStep = 1, layers = 0; // layers: MVMs in f
  uint64_t conversionsDigital = 0, conversionsAnalog = 0;
  double energyDigitalPj = 0, energyAnalogPj = 0;
  double conversionRatio() const {
    return conversionsAnalog ? double(conversionsDigital) / conversionsAnalog
                             : 0;
  }
  double energyRatio() const {
    return energyAnalogPj > 0 ? energyDigitalPj / energyAnalogPj : 0;
  }
};

struct CostReport {
  std::string target;
  /// Reprogramming of time-shared arrays, per input vector: the cells
  /// written, the time the busiest array spends writing, and how many
  /// inferences a cell endures (endurance_cycles over its writes per
  /// inference; 0 without reloads).
  double reloadCellWrites = 0, reloadNs = 0, reloadLifetime = 0;
  std::vector<LayerCost> layers;
  std::vector<ODECost> odes;
  LayerCost total;
  double areaMm2 = 0;
  double topsPerWatt() const;
  double topsPerMm2() const;
  llvm::json::Value toJson() const;
  void printTable(llvm::raw_ostream &os) const;
};

/// Analyzes a tiled module. Counts are for one input vector through every
/// MVM once: an MVM inside a loop or scan body counts once (per iteration).
/// Tiles marked `reload` are written from off-chip memory once per `reuse`
/// input vectors; that energy is charged per vector.
CostReport analyzeCost(mlir::ModuleOp module, unsigned reuse = 1);

/// The cost figures of the model with their defaults (key, value); a
/// target's `costs` override them, per cell technology as `key.cell`.
const std::vector<std::pair<const char *, double>> &defaultCosts();

/// The target's cost figures for the macro model's cost functions.
macro::CostFigures costFigures(TargetAttr target);
macro::Cell macroCell(CellTech cell);
/// The layer a piece of work is charged to: its ONNX node's name.
std::string layerName(mlir::Location loc);

/// True for an addition of array results (a partial sum, charged to the
/// digital unit); the emitter marks such instructions for the runtime.
bool isPartialSum(mlir::Operation *op);
/// True for an activation of array results in the digital unit.
bool isDigitalActivation(mlir::Operation *op);
/// The layer a cim.lif is charged to: on the columns' neurons, its first
/// step's product's (the neurons sit at its columns); else its own.
std::string lifLayerName(mlir::Operation *lif);

} // namespace cim

#endif // CIM_TARGET_COSTMODEL_H
