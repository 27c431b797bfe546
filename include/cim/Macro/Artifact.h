//===- Artifact.h - Constants of the .cimx artifact format ------*- C++ -*-===//
//
// The numbers both the emitter and the loader of a .cimx artifact must
// agree on, beside the schema (runtime/proto/cimx.proto). Bump kVersion
// together with the schema's comment when the meaning of a field changes;
// readers refuse artifacts newer than they understand.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_MACRO_ARTIFACT_H
#define CIM_MACRO_ARTIFACT_H

#include <cstdint>

namespace cim::macro {

/// "CIMX" read as a little-endian uint32.
inline constexpr uint32_t kArtifactMagic = 0x584D4943;
/// The newest artifact version. 2: ramp readouts hold typed steps and
/// their column's conductances; tiles their placement and their kind of
/// array by index.
inline constexpr uint32_t kArtifactVersion = 3;
/// The oldest version a reader accepts: version 1 said a tile's cells and
/// geometry on the tile and named ramp functions as text.
inline constexpr uint32_t kOldestArtifactVersion = 3;
/// The id of an optional instruction input that is not given.
inline constexpr uint32_t kAbsentValue = 0xFFFFFFFF;

} // namespace cim::macro

#endif // CIM_MACRO_ARTIFACT_H
