//===- CostCounter.cpp - The macro's cost of what a session ran -*- C++ -*-===//

#include "interp/CostCounter.h"

#include "hal/TileCost.h"


#include <algorithm>

namespace cim::rt {

CostCounter::CostCounter(const Model &model) {
  const hal::MacroConfig &target = model.macroConfig();
  figures_ = hal::costFigures(target);
  lanes_ = std::max(1u, target.digitalLanes);
  if (!target.arrays.empty())
    defaultCell_ = hal::macroCell(target.arrays.front().cellTech);
  for (size_t i = 0; i < model.tileImages().size(); ++i) {
    const hal::TileImage &tile = model.tileImages()[i];
    const artifact::Tile &placed = model.tiles()[int(i)];
    TileInfo info;
    info.read = hal::tileRead(tile, target);
    // A placed tile shares its array with the other blocks placed there;
    // an unplaced one is an array of its own.
    info.array = {int(placed.array_kind()),
                  placed.placed() ? int64_t(placed.array())
                                  : -int64_t(tile.id) - 1};
    if (tiles_.size() <= tile.id)
      tiles_.resize(size_t(tile.id) + 1);
    tiles_[tile.id] = info;
  }
}

/// Elements of the last dimension (1 for a scalar) and the number of
/// vectors of that length in `t`.
static std::pair<uint64_t, uint64_t> vectorsOf(const Tensor &t) {
  const Shape &dims = t.dims();
  uint64_t last = dims.empty() ? 1 : uint64_t(std::max<int64_t>(0, dims.back()));
  uint64_t n = uint64_t(std::max<int64_t>(0, t.numElements()));
  return {last, last ? n / last : 0};
}

static int64_t intAttr(const artifact::Instruction &inst, const char *name,
                       int64_t fallback) {
  auto it = inst.attrs().find(name);
  return it == inst.attrs().end() ? fallback : it->second.i();
}

void CostCounter::charge(const artifact::Instruction &inst,
                         const std::vector<const Tensor *> &inputs,
                         const std::vector<Tensor> &outputs) {
  const std::string &layer = inst.layer().empty() ? "(unnamed)" : inst.layer();
  std::lock_guard<std::mutex> lock(mutex_);
  if (inst.kernel() == "cim.mvm") {
    int64_t tile = intAttr(inst, "tile", -1);
    if (tile < 0 || size_t(tile) >= tiles_.size() || inputs.empty() ||
        !inputs[0])
      return;
    const TileInfo &info = tiles_[size_t(tile)];
    uint64_t vectors = vectorsOf(*inputs[0]).second;
    ledger_.charge(layer, info.array,
                   macro::tileReadCost(info.read, vectors, figures_, lanes_));
    return;
  }
  if (inst.kernel() == "cim.ode") {
    auto schedule = inst.attrs().find("schedule");
    if (schedule == inst.attrs().end() || schedule->second.s() != "analog" ||
        outputs.empty())
      return;
    int64_t steps = intAttr(inst, "num_steps", -1);
    if (inputs.size() > 1 && inputs[1] && inputs[1]->numElements() == 1)
      steps = inputs[1]->data<int64_t>()[0];
    auto solver = inst.attrs().find("solver");
    uint64_t perStep =
        solver != inst.attrs().end() && solver->second.s() == "rk4" ? 4 : 1;
    auto [state, vectors] = vectorsOf(outputs[0]);
    ledger_.charge(layer, macro::analogODECost(
                              state, uint64_t(std::max<int64_t>(0, steps)) *
                                         perStep,
                              vectors, defaultCell_, figures_));
    return;
  }
  if (inst.charge() == artifact::CHARGE_NONE || outputs.empty())
    return;
  auto [perVector, vectors] = vectorsOf(outputs[0]);
  if (inst.charge() == artifact::CHARGE_DIGITAL_OP)
    ledger_.charge(layer, macro::digitalOpCost(perVector, vectors,
                                               defaultCell_, figures_, lanes_));
  else if (inst.charge() == artifact::CHARGE_ACTIVATION)
    ledger_.charge(layer, macro::activationCost(perVector, vectors,
                                                defaultCell_, figures_, lanes_));
}

macro::Cost CostCounter::total() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return ledger_.total();
}

void CostCounter::reset() {
  std::lock_guard<std::mutex> lock(mutex_);
  ledger_ = macro::CostLedger();
}

} // namespace cim::rt
