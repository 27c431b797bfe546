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
/// The newest artifact version. 3: one weight scale and one ADC window per
/// column, weight bits per tile; 4: tiles may carry the compiler's integer
/// code of every weight (data-aware rounding); 5: bridge tiles with binary
/// neurons, and MVMs that take a carried charge; 6: tiles of LIF columns
/// (no ADC) and LIF layers (cim.lif).
inline constexpr uint32_t kArtifactVersion = 6;
/// The oldest version a reader accepts: version 2 had one weight scale and
/// one ADC full scale per tile (a version 3 artifact reads as a version 4
/// one without codes).
inline constexpr uint32_t kOldestArtifactVersion = 3;
/// The id of an optional instruction input that is not given.
inline constexpr uint32_t kAbsentValue = 0xFFFFFFFF;

} // namespace cim::macro

#endif // CIM_MACRO_ARTIFACT_H
