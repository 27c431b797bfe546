//===- SimDevice.cpp - The simulator device, tile table ---------*- C++ -*-===//
//
// The "sim" device: keeps programmed tiles in host memory, keyed by handle,
// and computes matrix-vector products on the CPU. Two modes:
//
//  - sim://ideal (also sim://): y = x * W with W = scale * (g_pos - g_neg);
//    equals float math up to rounding.
//  - sim://quantized: the analog signal chain of the target, with device
//    and circuit non-idealities from a noise model (`?noise=PRESET|FILE`).
//
// This file is the table and the locking; SimDevice.h lists the files that
// program tiles, run the signal chain and count.
//
//===----------------------------------------------------------------------===//

#include "drivers/sim/SimDevice.h"

namespace cim::rt::sim {

SimDevice::SimDevice(std::string uri, SimMode mode, SimOptions options)
    : uri_(std::move(uri)), mode_(mode), options_(std::move(options)),
      pool_(options_.threads) {}

StatusOr<TileHandle> SimDevice::programTile(const hal::TileImage &tile,
                                            const hal::MacroConfig &target) {
  CIM_ASSIGN_OR_RETURN(std::shared_ptr<SimTile> t,
                       programSimTile(tile, target, mode_, options_));
  bool calibrated = mode_ == SimMode::Quantized && options_.calibrate &&
                    !t->ramp && !t->analog && !t->bridge && !t->lifColumns;
  uint64_t trimDecisions = 0;
  if (mode_ == SimMode::Quantized && options_.calibrate && !t->neurons.empty())
    trimDecisions = trimComparators(*t, options_.seed);
  if (calibrated) {
    SimOptions designed = options_;
    designed.noise = artifact::NoiseModel();
    designed.noise.set_name("ideal");
    CIM_ASSIGN_OR_RETURN(std::shared_ptr<SimTile> reference,
                         programSimTile(tile, target, mode_, designed));
    calibrateTile(*t, *reference, pool_, options_.seed);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  TileHandle handle = nextHandle_++;
  countProgramming(counters_, *t);
  if (calibrated)
    countCalibration(counters_, *t);
  if (trimDecisions)
    countComparatorTrim(counters_, *t, trimDecisions);
  reports_.push_back(t->report);
  tiles_.emplace(handle, std::move(t));
  sources_.emplace(handle, std::make_shared<const Source>(Source{tile, target}));
  return handle;
}

void SimDevice::releaseTile(TileHandle handle) {
  std::lock_guard<std::mutex> lock(mutex_);
  tiles_.erase(handle);
  sources_.erase(handle);
}

StatusOr<TileConductances>
SimDevice::readConductances(TileHandle handle) {
  std::shared_ptr<const Source> source;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = sources_.find(handle);
    if (it == sources_.end())
      return makeError(Code::FailedPrecondition, uri_, ": tile handle ",
                       handle, " is not programmed");
    source = it->second;
  }
  // Programming again draws the same cells (the draws are keyed by tile
  // and cell); only the conductances are kept.
  TileConductances read;
  CIM_TRY(programSimTile(source->image, source->target, mode_, options_, &read)
              .status());
  return read;
}

StatusOr<std::shared_ptr<const SimTile>> SimDevice::find(TileHandle handle) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = tiles_.find(handle);
  if (it == tiles_.end())
    return makeError(Code::FailedPrecondition, uri_, ": tile handle ", handle,
                     " is not programmed");
  return std::shared_ptr<const SimTile>(it->second);
}

Status SimDevice::mvm(TileHandle handle, const float *x, int64_t batch,
                      float *y) {
  return mvmShared(handle, x, nullptr, batch, y);
}

Status SimDevice::mvmShared(TileHandle handle, const float *x,
                            const float *carry, int64_t batch, float *y) {
  CIM_ASSIGN_OR_RETURN(std::shared_ptr<const SimTile> tile, find(handle));
  if (batch < 0)
    return makeError(Code::InvalidArgument, uri_, ": negative batch ", batch);
  if (carry && !tile->bridge && !tile->lifColumns)
    return makeError(Code::InvalidArgument, uri_, ": tile ", tile->id,
                     " is neither a bridge tile nor LIF columns and cannot "
                     "share charge");
  uint64_t sequence = tile->sequence++;
  if (batch > 0) {
    bool ideal = mode_ == SimMode::Ideal;
    if (ideal)
      mvmIdeal(*tile, pool_, x, batch, y);
    else
      mvmQuantized(*tile, pool_, options_.seed, x, batch, y, sequence);
    if (tile->bridge)
      decideNeurons(*tile, ideal, options_.seed, carry, batch, y, sequence);
    else if (carry) // LIF columns: the previous row block's charge joins
      for (int64_t i = 0, n = batch * tile->cols; i < n; ++i)
        y[i] += carry[i];
  }
  macro::TileRead read = tile->costs.read;
  read.shared = carry != nullptr;
  if (read.pulsed())
    macro::countDrive(read, x, uint64_t(batch), tile->rows);
  std::lock_guard<std::mutex> lock(mutex_);
  countMvm(counters_, *tile, batch, read);
  return Status::ok();
}

DeviceStats SimDevice::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  DeviceStats s = counters_;
  s.tilesProgrammed = tiles_.size();
  s.tiles = reports_;
  return s;
}

} // namespace cim::rt::sim
