//===- Placement.h - Checking where the compiler put each block -*- C++ -*-===//
//
// The compiler packs weight blocks into arrays (cim-pack-tiles) and the
// artifact says where: array index, row and column. The runtime programs
// blocks there, so it checks the placement first: each block fits its
// array, and no two blocks of one array overlap (blocks that are reloaded
// at every inference take turns and may share cells).
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_ARTIFACT_PLACEMENT_H
#define CIMRT_SRC_ARTIFACT_PLACEMENT_H

#include "base/Status.h"
#include "cimx.pb.h"

namespace cim::rt {

/// OK, or DATA_LOSS naming the tiles and cells at fault.
Status verifyPlacement(const artifact::Artifact &artifact);

} // namespace cim::rt

#endif // CIMRT_SRC_ARTIFACT_PLACEMENT_H
