//===- Verifier.h - Artifact validation -------------------------*- C++ -*-===//
//
// Checks a parsed artifact against everything the interpreter and the
// devices assume, and compiles it into the Model's run-time form on the way.
// Errors name the offending field as a path into the artifact
// ("program.instructions[3].attrs.tile: ...") without the file name, which
// the caller prefixes.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_ARTIFACT_VERIFIER_H
#define CIMRT_SRC_ARTIFACT_VERIFIER_H

#include "artifact/Artifact.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace cim::rt {

class Verifier {
public:
  explicit Verifier(Model &model) : m_(model) {}

  /// Validates the artifact held by the model and fills in its run-time
  /// form. Call once.
  Status run();

private:
  using Instructions = google::protobuf::RepeatedPtrField<artifact::Instruction>;

  Status verifyTarget();
  Status verifyTiles();
  Status verifyValues();
  Status verifyInputs();
  Status verifyConstants();
  Status verifyOutputs();
  /// Verifies `insts` in order, appending their compiled form to `out` and
  /// the slots they define to `locals`. `prefix` is the field path of the
  /// list ("program.instructions").
  Status verifyBlock(const Instructions &insts, const std::string &prefix,
                     std::vector<CompiledInstruction> &out,
                     std::vector<int> &locals);
  Status verifyInstruction(const artifact::Instruction &inst,
                           const std::string &path, CompiledInstruction &ci,
                           std::vector<int> &locals);
  Status verifyRegion(const artifact::Region &region, const std::string &path,
                      CompiledRegion &out);
  /// Fills releaseAfter for one block: each slot in `locals` (except those
  /// in `keep`) is freed after the last instruction of the block that reads
  /// it, directly or from inside one of its regions.
  void computeLiveness(std::vector<CompiledInstruction> &block,
                       const std::vector<int> &locals,
                       const std::vector<int> &keep);

  /// The slot of a declared value id.
  Status lookup(uint32_t id, const std::string &path, int &slot);
  /// Like lookup, and the value must be defined already and visible.
  Status use(uint32_t id, const std::string &path, int &slot);
  /// Like lookup, and the value must not be defined yet; marks it defined.
  Status define(uint32_t id, const std::string &path, const std::string &by,
                int &slot);

  Model &m_;
  std::unordered_map<uint32_t, int> slotById_;
  std::vector<std::string> definedBy_; // per slot; empty = not defined
  /// Per slot: the region a value was defined in once that region is
  /// closed (its values are not visible after it); empty = visible.
  std::vector<std::string> hiddenBy_;
  std::unordered_map<uint32_t, int> tileIndexById_;
};

} // namespace cim::rt

#endif // CIMRT_SRC_ARTIFACT_VERIFIER_H
