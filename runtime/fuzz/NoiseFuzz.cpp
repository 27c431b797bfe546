//===- NoiseFuzz.cpp - Fuzzing the noise-model JSON reader ----------------===//
//
// An input is the text of a noise file (--noise FILE; noise.proto's
// NoiseModel as JSON). parseNoiseModel must return a checked model or an
// error, never crash, whatever the text.
//
// Seeds: the presets written as JSON (made here) and the noise files the
// examples ship. Built as cim-noise-fuzz with libFuzzer and as
// cim-noise-fuzz-replay without (FuzzReplay.h).
//
//===----------------------------------------------------------------------===//

#include "FuzzReplay.h"

#include "drivers/sim/Noise.h"

#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/json_util.h>

using namespace cim::rt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static bool quiet = (google::protobuf::SetLogHandler(nullptr), true);
  (void)quiet;
  std::string json(reinterpret_cast<const char *>(data), size);
  StatusOr<cim::artifact::NoiseModel> model = parseNoiseModel(json, "fuzz.json");
  if (!model.isOk())
    return 0;
  [[maybe_unused]] static volatile bool ideal;
  ideal = isIdeal(*model);
  return 0;
}

#ifdef CIM_FUZZ_REPLAY_MAIN
int main(int argc, char **argv) {
  cim::fuzz::ReplayTarget target;
  target.name = "cim-noise-fuzz-replay";
  target.extensions = {".json"};
  target.seeds = [](const std::vector<std::string> &) {
    std::vector<std::string> seeds;
    google::protobuf::util::JsonPrintOptions options;
    options.always_print_primitive_fields = true;
    for (const std::string &name : noisePresetNames()) {
      StatusOr<cim::artifact::NoiseModel> m = resolveNoiseModel(name);
      std::string json;
      if (m.isOk() &&
          google::protobuf::util::MessageToJsonString(*m, &json, options).ok())
        seeds.push_back(json);
    }
    return seeds;
  };
  return cim::fuzz::replayMain(argc, argv, target);
}
#endif
