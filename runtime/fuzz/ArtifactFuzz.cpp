//===- ArtifactFuzz.cpp - Fuzzing the artifact loader and verifier --------===//
//
// An input is the bytes of a .cimx file. Model::loadMemory parses them as
// an Artifact and verifies the result (values, constants, instructions,
// regions, tiles, the target) before anything runs it; whatever the bytes,
// it must return a model or an error, never crash, hang or read out of
// bounds. A model that loads is walked once (every instruction and value
// the interpreter would touch).
//
// Seeds: artifacts that cim-compile makes of the example models
// (scripts/fuzz.sh, test/CMakeLists.txt) and cim-make-test-artifact's
// (runtime/test). Built as cim-artifact-fuzz with libFuzzer and as
// cim-artifact-fuzz-replay without (FuzzReplay.h).
//
//===----------------------------------------------------------------------===//

#include "FuzzReplay.h"

#include "artifact/Artifact.h"

#include <google/protobuf/stubs/logging.h>

using namespace cim::rt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // Invalid UTF-8 in a string field fails the parse (an error says so);
  // protobuf's own log line about it is noise here.
  static bool quiet = (google::protobuf::SetLogHandler(nullptr), true);
  (void)quiet;
  StatusOr<std::shared_ptr<const Model>> model =
      Model::loadMemory(data, size, "fuzz.cimx");
  if (!model.isOk())
    return 0;
  const Model &m = **model;
  size_t touched = m.tileImages().size() + m.constants().size();
  for (const CompiledInstruction &i : m.instructions())
    for (int slot : i.inputs)
      touched += slot >= 0 ? m.values().at(size_t(slot)).name.size() : 0;
  for (int slot : m.outputs())
    touched += m.values().at(size_t(slot)).name.size();
  [[maybe_unused]] static volatile size_t sink;
  sink = touched;
  return 0;
}

#ifdef CIM_FUZZ_REPLAY_MAIN
int main(int argc, char **argv) {
  cim::fuzz::ReplayTarget target;
  target.name = "cim-artifact-fuzz-replay";
  target.extensions = {".cimx"};
  target.maxSeedBytes = 320 << 10;
  return cim::fuzz::replayMain(argc, argv, target);
}
#endif
