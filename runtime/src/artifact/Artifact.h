//===- Artifact.h - Loading and validating .cimx artifacts ------*- C++ -*-===//
//
// A Model is an artifact that has passed validation, compiled into the form
// the interpreter runs: value ids are mapped to dense slots, kernels are
// looked up once, constants are decoded into tensors, and the point after
// which each intermediate value is dead is known. Loading checks everything
// the interpreter relies on, so a corrupt or hostile file is reported with
// the path of the offending field and never reaches a kernel.
//
// The format's constants live in the macro model (cim/Macro/Artifact.h).
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_ARTIFACT_ARTIFACT_H
#define CIMRT_SRC_ARTIFACT_ARTIFACT_H

#include "base/Status.h"
#include "base/Tensor.h"
#include "cim/Macro/Artifact.h"
#include "hal/Hal.h"
#include "cimx.pb.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cim::rt {

/// "CIMX" read as a little-endian uint32.
inline constexpr uint32_t kMagic = macro::kArtifactMagic;
/// The newest artifact version this runtime understands.
inline constexpr uint32_t kVersion = macro::kArtifactVersion;

struct KernelDef;

/// A value of the program as declared in the artifact.
struct ValueInfo {
  uint32_t id = 0;
  std::string name;
  DType dtype = DType::F32;
  Shape dims; // -1 marks a dynamic dim
};

/// The id of an optional instruction input that is not given.
inline constexpr uint32_t kAbsentValue = macro::kAbsentValue;

struct CompiledInstruction;

/// A region (body of cim.loop / cim.scan), resolved against the model.
struct CompiledRegion {
  std::vector<int> arguments; // value slots bound by the owner
  std::vector<CompiledInstruction> instructions;
  std::vector<int> results; // value slots yielded to the owner
  /// Slots defined in this region (arguments and instruction outputs, not
  /// those of nested regions); cleared after every execution.
  std::vector<int> locals;
  /// "program.instructions[3].regions[0]", for run-time errors.
  std::string path;
};

/// One instruction, resolved against the model.
struct CompiledInstruction {
  const KernelDef *kernel = nullptr;
  const artifact::Instruction *proto = nullptr;
  std::vector<int> inputs;  // value slots; -1 for an absent optional input
  std::vector<int> outputs; // value slots
  std::vector<CompiledRegion> regions;
  int tileIndex = -1; // cim.mvm: index into Model::tiles()
  /// "program.instructions[3] (tosa.add from 'Add_0')", for run-time errors.
  std::string where;
  /// Slots whose last use (in this block) is this instruction, freed right
  /// after it.
  std::vector<int> releaseAfter;
};

class Model {
public:
  /// Reads, parses and validates `path`; errors start with "<path>: ".
  static StatusOr<std::shared_ptr<const Model>>
  loadFile(const std::string &path);
  /// Parses and validates bytes; errors start with "<label>: ".
  static StatusOr<std::shared_ptr<const Model>>
  loadMemory(const void *data, size_t size,
             const std::string &label = "<memory>");
  /// Validates an artifact that is already parsed (used by tests and tools
  /// that build artifacts in memory).
  static StatusOr<std::shared_ptr<const Model>>
  fromArtifact(artifact::Artifact artifact, const std::string &label);

  const std::string &label() const { return label_; }
  const artifact::Artifact &artifact() const { return artifact_; }
  const artifact::Target &target() const { return artifact_.target(); }
  const google::protobuf::RepeatedPtrField<artifact::Tile> &tiles() const {
    return artifact_.tiles();
  }

  /// The target and the tiles as the HAL takes them (converted at load;
  /// tileImages()[i] is tiles()[i]).
  const hal::MacroConfig &macroConfig() const { return macroConfig_; }
  const std::vector<hal::TileImage> &tileImages() const { return tileImages_; }

  /// Every declared value, indexed by slot.
  const std::vector<ValueInfo> &values() const { return values_; }
  /// Slots of the program inputs / outputs in declared order.
  const std::vector<int> &inputs() const { return inputs_; }
  const std::vector<int> &outputs() const { return outputs_; }
  /// Decoded constants and the slot each defines.
  const std::vector<std::pair<int, Tensor>> &constants() const {
    return constants_;
  }
  const std::vector<CompiledInstruction> &instructions() const {
    return instructions_;
  }

private:
  friend class Verifier;
  Model() = default;

  std::string label_;
  artifact::Artifact artifact_;
  std::vector<ValueInfo> values_;
  std::vector<int> inputs_;
  std::vector<int> outputs_;
  std::vector<std::pair<int, Tensor>> constants_;
  std::vector<CompiledInstruction> instructions_;
  hal::MacroConfig macroConfig_;
  std::vector<hal::TileImage> tileImages_;
};

/// Maps the artifact's dtype enum; false for DTYPE_UNSPECIFIED or unknown.
bool dtypeFromProto(artifact::DataType proto, DType &out);

} // namespace cim::rt

#endif // CIMRT_SRC_ARTIFACT_ARTIFACT_H
