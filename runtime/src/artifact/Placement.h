//===- Placement.h - Checking where the compiler put each block -*- C++ -*-===//
//
// The compiler packs weight blocks into arrays (cim-pack-tiles) and the
// artifact says where: array index, row and column. The runtime programs
// blocks there, so it checks the placement first: each block fits its
// array, and no two blocks of one array overlap (blocks that are reloaded
// at every inference take turns and may share cells). It also divides an
// array's spare rows and columns among the blocks placed in it.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_ARTIFACT_PLACEMENT_H
#define CIMRT_SRC_ARTIFACT_PLACEMENT_H

#include "base/Status.h"
#include "cimx.pb.h"
#include "hal/Hal.h"

#include <vector>

namespace cim::rt {

/// OK, or DATA_LOSS naming the tiles and cells at fault.
Status verifyPlacement(const artifact::Artifact &artifact);

/// Each placed block's share of its array's spares (`images`, one per
/// tile of `artifact`, start with all of them): a spare row serves every
/// block under it, each with its own remap, so a block shares the spare
/// rows with the blocks whose columns overlap its own, and the spare
/// columns with those whose rows overlap its own; a block that overlaps
/// n others and itself gets 1/n of them (rounded down), which never gives
/// overlapping blocks more than the array has. Reloaded blocks take turns
/// and keep them all.
void shareSpares(const artifact::Artifact &artifact,
                 std::vector<hal::TileImage> &images);

} // namespace cim::rt

#endif // CIMRT_SRC_ARTIFACT_PLACEMENT_H
