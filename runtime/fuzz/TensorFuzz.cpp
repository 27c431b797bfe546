//===- TensorFuzz.cpp - Fuzzing the tensor file readers -------------------===//
//
// An input is the bytes of a tensor file: a .npy file if it starts with
// NumPy's magic string, else a serialized TensorProto (.pb), as
// readAnyTensorFile decides. The reader must return a tensor or an error,
// never crash. A tensor that reads must then hold as many elements as its
// dims say, and go through the runtime's tensor and both writers unchanged:
// what serializeTensorProto and serializeNpy write reads back bit for bit.
//
// Seeds: the test data of the examples and test models (.pb), and each of
// them written as .npy (made here). Built as cim-tensor-fuzz with libFuzzer
// and as cim-tensor-fuzz-replay without (FuzzReplay.h).
//
//===----------------------------------------------------------------------===//

#include "FuzzReplay.h"

#include "tooling/TensorIO.h"

#include <google/protobuf/stubs/logging.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace cim::rt;

namespace {

[[noreturn]] void fail(const char *what, const std::string &detail = "") {
  std::fprintf(stderr, "cim-tensor-fuzz: %s%s%s\n", what,
               detail.empty() ? "" : ": ", detail.c_str());
  std::abort();
}

bool sameBits(const HostTensor &a, const HostTensor &b) {
  return a.dtype == b.dtype && a.dims == b.dims &&
         a.data.size() == b.data.size() && a.ints == b.ints &&
         (a.data.empty() || std::memcmp(a.data.data(), b.data.data(),
                                        a.data.size() * sizeof(float)) == 0);
}

StatusOr<HostTensor> parse(std::string_view bytes) {
  if (bytes.substr(0, 6) == std::string_view("\x93NUMPY", 6))
    return parseNpyBytes(bytes, "fuzz.npy");
  return parseTensorProto(std::string(bytes), "fuzz.pb");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static bool quiet = (google::protobuf::SetLogHandler(nullptr), true);
  (void)quiet;
  StatusOr<HostTensor> read =
      parse(std::string_view(reinterpret_cast<const char *>(data), size));
  if (!read.isOk())
    return 0;
  const HostTensor &t = *read;
  int64_t count = 1;
  for (int64_t d : t.dims)
    count *= d;
  size_t held = t.dtype == DType::F32 ? t.data.size() : t.ints.size();
  if (held != size_t(count))
    fail("a tensor that reads holds a different number of elements than its "
         "dims say");
  HostTensor canonical = fromTensor(toTensor(t), t.name);
  for (const std::string &bytes :
       {serializeTensorProto(canonical), serializeNpy(canonical)}) {
    StatusOr<HostTensor> again = parse(bytes);
    if (!again.isOk())
      fail("a written tensor does not read back", again.status().message());
    if (!sameBits(*again, canonical))
      fail("a written tensor reads back different");
  }
  return 0;
}

#ifdef CIM_FUZZ_REPLAY_MAIN
int main(int argc, char **argv) {
  cim::fuzz::ReplayTarget target;
  target.name = "cim-tensor-fuzz-replay";
  target.extensions = {".pb", ".npy"};
  target.maxSeedBytes = 128 << 10;
  target.seeds = [](const std::vector<std::string> &files) {
    std::vector<std::string> seeds;
    for (const std::string &bytes : files)
      if (StatusOr<HostTensor> t = parse(bytes); t.isOk())
        seeds.push_back(serializeNpy(*t));
    return seeds;
  };
  return cim::fuzz::replayMain(argc, argv, target);
}
#endif
