//===- CostCounter.cpp - The macro's cost of what a session ran -*- C++ -*-===//

#include "interp/CostCounter.h"

#include "artifact/HalImage.h"

#include "cim/Macro/Slicing.h"

#include <algorithm>

namespace cim::rt {

static macro::Cell cellOf(artifact::CellTech tech) {
  switch (tech) {
  case artifact::ROM:
    return macro::Cell::ROM;
  case artifact::SRAM:
    return macro::Cell::SRAM;
  default:
    return macro::Cell::RRAM;
  }
}

CostCounter::CostCounter(const artifact::Artifact &artifact) {
  const artifact::Target &target = artifact.target();
  std::map<std::string, double, std::less<>> values(target.costs().begin(),
                                                    target.costs().end());
  figures_ = macro::CostFigures(std::move(values));
  lanes_ = std::max(1u, target.digital_lanes());
  if (target.arrays_size() > 0)
    defaultCell_ = cellOf(target.arrays(0).cell_tech());
  unsigned passes = macro::inputPasses(target.input_bits(), target.dac_bits());
  for (const artifact::Tile &tile : artifact.tiles()) {
    const artifact::ArrayKind &kind = arrayKindOf(tile, target);
    TileInfo info;
    info.read.rows = tile.rows();
    info.read.cols = tile.cols();
    info.read.slices =
        macro::weightSlices(kind.weight_bits(), kind.bits_per_cell());
    info.read.passes = passes;
    info.read.analog = tile.analog();
    info.read.rampBits = tile.has_ramp() ? tile.ramp().bits() : 0;
    info.read.cell = cellOf(kind.cell_tech());
    // A placed tile shares its array with the other blocks placed there;
    // an unplaced one is an array of its own.
    info.array = {int(tile.array_kind()), tile.placed()
                                             ? int64_t(tile.array())
                                             : -int64_t(tile.id()) - 1};
    if (tiles_.size() <= tile.id())
      tiles_.resize(size_t(tile.id()) + 1);
    tiles_[tile.id()] = info;
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
