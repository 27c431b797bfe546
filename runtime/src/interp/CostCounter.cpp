//===- CostCounter.cpp - The macro's cost of what a session ran -*- C++ -*-===//

#include "interp/CostCounter.h"

#include "hal/TileCost.h"

#include <algorithm>

namespace cim::rt {

CostCounter::CostCounter(const Model &model) {
  const hal::MacroConfig &target = model.macroConfig();
  macro::CostFigures figures = hal::costFigures(target);
  lanes_ = std::max(1u, target.digitalLanes);
  digitalUnit_ = macro::CellFigures(
      figures, target.arrays.empty()
                   ? macro::Cell::RRAM
                   : hal::macroCell(target.arrays.front().cellTech));
  for (size_t i = 0; i < model.tileImages().size(); ++i) {
    const hal::TileImage &tile = model.tileImages()[i];
    const artifact::Tile &placed = model.tiles()[int(i)];
    TileInfo info;
    info.read = hal::tileRead(tile, target);
    info.figures = macro::CellFigures(figures, info.read.cell);
    // A placed tile shares its array with the other blocks placed there;
    // an unplaced one is an array of its own.
    info.array = {int(placed.array_kind()),
                  placed.placed() ? int64_t(placed.array())
                                  : -int64_t(tile.id) - 1};
    tiles_.push_back(info);
  }
}

/// The layer an instruction is charged to, as the compiler names it.
static const std::string &layerOf(const artifact::Instruction &inst) {
  static const std::string kUnnamed = "(unnamed)";
  return inst.layer().empty() ? kUnnamed : inst.layer();
}

void CostCounter::chargeMvm(const artifact::Instruction &inst, int tileIndex,
                            uint64_t vectors, const float *x, int64_t rows) {
  const TileInfo &tile = tiles_[size_t(tileIndex)];
  macro::TileRead read = tile.read;
  read.shared = inst.inputs_size() > 1; // joins a carried charge
  uint64_t active = macro::countDrive(read, x, vectors, rows);
  macro::Cost cost = macro::tileReadCost(read, vectors, tile.figures, lanes_);
  cost.synapticOps = active * read.cols;
  std::lock_guard<std::mutex> lock(mutex_);
  ledger_.charge(layerOf(inst), tile.array, cost);
}

void CostCounter::chargeLIF(const artifact::Instruction &inst, bool onNeurons,
                            uint64_t neurons, uint64_t steps, uint64_t vectors,
                            uint64_t spikes) {
  macro::Cost cost =
      onNeurons
          ? macro::lifNeuronCost(neurons, steps, vectors, digitalUnit_)
          : macro::digitalOpCost(4 * neurons * steps, vectors, digitalUnit_,
                                 lanes_);
  cost.spikes = spikes;
  std::lock_guard<std::mutex> lock(mutex_);
  ledger_.charge(layerOf(inst), cost);
}

void CostCounter::chargeAnalogODE(const artifact::Instruction &inst,
                                  uint64_t state, uint64_t evaluations,
                                  uint64_t vectors) {
  macro::Cost cost =
      macro::analogODECost(state, evaluations, vectors, digitalUnit_);
  std::lock_guard<std::mutex> lock(mutex_);
  ledger_.charge(layerOf(inst), cost);
}

void CostCounter::chargeMarked(const artifact::Instruction &inst,
                               const Tensor &output) {
  // Elements of the last dimension per vector (1 for a scalar).
  const Shape &dims = output.dims();
  uint64_t perVector =
      dims.empty() ? 1 : uint64_t(std::max<int64_t>(0, dims.back()));
  uint64_t vectors =
      perVector ? uint64_t(std::max<int64_t>(0, output.numElements())) /
                      perVector
                : 0;
  macro::Cost cost;
  if (inst.charge() == artifact::CHARGE_DIGITAL_OP)
    cost = macro::digitalOpCost(perVector, vectors, digitalUnit_, lanes_);
  else if (inst.charge() == artifact::CHARGE_ACTIVATION)
    cost = macro::activationCost(perVector, vectors, digitalUnit_, lanes_);
  else
    return;
  std::lock_guard<std::mutex> lock(mutex_);
  ledger_.charge(layerOf(inst), cost);
}

macro::Cost CostCounter::total() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return ledger_.total();
}

} // namespace cim::rt
