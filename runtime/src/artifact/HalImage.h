//===- HalImage.h - Artifact tiles and target for the HAL -------*- C++ -*-===//
//
// The one place where the artifact's schema meets the HAL: converts a
// `artifact::Tile` and `artifact::Target` into the plain structs devices
// program (hal::TileImage, hal::MacroConfig). A Model converts once at
// load; tools and tests that build artifacts in memory convert with these
// functions. A field added to the schema that devices need is read here and
// nowhere else.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_ARTIFACT_HALIMAGE_H
#define CIMRT_SRC_ARTIFACT_HALIMAGE_H

#include "hal/Hal.h"

#include "cimx.pb.h"

namespace cim::rt {

/// The kind of array `tile` is programmed into (an empty kind if its index
/// is out of range, which the Verifier refuses).
const artifact::ArrayKind &arrayKindOf(const artifact::Tile &tile,
                                       const artifact::Target &target);

hal::TileImage toTileImage(const artifact::Tile &tile,
                           const artifact::Target &target);
hal::MacroConfig toMacroConfig(const artifact::Target &target);

/// The inverses, for a link that carries tiles as the artifact holds them
/// (the board protocol): toTileImage(toArtifactTile(t, m),
/// toArtifactTarget(m)) == t and toMacroConfig(toArtifactTarget(m)) == m
/// for every image and config the functions above produce. A tile's array
/// kind is the first of the target's kinds with the tile's geometry,
/// cells and encoding (the fields a TileImage copies from its kind).
artifact::Target toArtifactTarget(const hal::MacroConfig &target);
artifact::Tile toArtifactTile(const hal::TileImage &tile,
                              const hal::MacroConfig &target);

/// Converts `tile` and `target` and programs the tile into `device`.
StatusOr<TileHandle> programTile(Device &device, const artifact::Tile &tile,
                                 const artifact::Target &target);

} // namespace cim::rt

#endif // CIMRT_SRC_ARTIFACT_HALIMAGE_H
