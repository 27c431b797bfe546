//===- TileCost.h - A tile image in the macro model's cost terms -*- C++ -*-===//
//
// What the macro model's cost functions (cim/Macro/Cost.h) need to know of
// a tile and a target, read off the HAL's tile image and macro config: one
// place for the simulator's counters and the session's cost counter.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_HAL_TILECOST_H
#define CIMRT_SRC_HAL_TILECOST_H

#include "cim/Macro/Cost.h"
#include "cim/Macro/Slicing.h"
#include "hal/Hal.h"

namespace cim::rt::hal {

inline macro::Cell macroCell(CellTech cell) {
  return cell == CellTech::Rom    ? macro::Cell::ROM
         : cell == CellTech::Sram ? macro::Cell::SRAM
                                  : macro::Cell::RRAM;
}

/// One read of `tile` on `target`.
inline macro::TileRead tileRead(const TileImage &tile,
                                const MacroConfig &target) {
  macro::TileRead read;
  read.rows = tile.rows;
  read.cols = tile.cols;
  read.slices = macro::weightSlices(
      tile.weightBits, tile.bitsPerCell ? tile.bitsPerCell : target.bitsPerCell);
  read.passes = macro::inputPasses(target.inputBits, target.dacBits);
  read.analog = tile.analog;
  read.rampBits = tile.ramp ? tile.ramp->bits : 0;
  read.bridge = tile.bridge;
  read.neurons = !tile.neurons.empty();
  read.lif = tile.lifColumns;
  read.coding = tile.inputCoding;
  read.dacLevels = macro::signedLevels(target.dacBits);
  read.cell = macroCell(tile.cellTech);
  return read;
}

/// The target's cost figures.
inline macro::CostFigures costFigures(const MacroConfig &target) {
  return macro::CostFigures(std::map<std::string, double, std::less<>>(
      target.costs.begin(), target.costs.end()));
}

} // namespace cim::rt::hal

#endif // CIMRT_SRC_HAL_TILECOST_H
