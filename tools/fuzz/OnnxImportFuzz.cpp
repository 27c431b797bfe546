//===- OnnxImportFuzz.cpp - Fuzzing the ONNX importer ---------------------===//
//
// An input is the bytes of a .onnx file. The importer parses them as a
// ModelProto, runs ONNX's checker and shape inference, imports the graph
// into MLIR (func, tosa, arith and cim ops) and verifies the module; on
// any bytes it must return a module or an error, never crash, hang or
// read out of bounds. External data is looked for in a directory that
// does not exist, so a model naming some reads no file.
//
// Seeds: the example models and the test models (up to 160 KiB each).
// Built as cim-onnx-fuzz with libFuzzer and as cim-onnx-fuzz-replay
// without (runtime/fuzz/FuzzReplay.h).
//
//===----------------------------------------------------------------------===//

#include "FuzzReplay.h"

#include "cim/Frontend/ONNX/Importer.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <google/protobuf/stubs/logging.h>

#include <memory>

namespace {

/// A context with the importer's dialects, made again every 1000 inputs so
/// that what it keeps (uniqued types and attributes) stays bounded.
mlir::MLIRContext &context() {
  static std::unique_ptr<mlir::MLIRContext> context;
  static unsigned uses = 0;
  if (!context || ++uses % 1000 == 0) {
    context.reset();
    mlir::DialectRegistry registry;
    cim::registerImporterDialects(registry);
    context = std::make_unique<mlir::MLIRContext>(
        registry, mlir::MLIRContext::Threading::DISABLED);
    context->loadAllAvailableDialects();
    // Verifier messages go to the error string's "see diagnostics"; the
    // fuzzer has no use for them.
    context->getDiagEngine().registerHandler(
        [](mlir::Diagnostic &) { return mlir::success(); });
  }
  return *context;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static bool quiet = (google::protobuf::SetLogHandler(nullptr), true);
  (void)quiet;
  std::string error;
  mlir::OwningOpRef<mlir::ModuleOp> module = cim::importOnnxModelBytes(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.onnx",
      "/nonexistent/cim-onnx-fuzz", context(), error);
  return 0;
}

#ifdef CIM_FUZZ_REPLAY_MAIN
int main(int argc, char **argv) {
  cim::fuzz::ReplayTarget target;
  target.name = "cim-onnx-fuzz-replay";
  target.extensions = {".onnx"};
  target.maxSeedBytes = 160 << 10;
  return cim::fuzz::replayMain(argc, argv, target);
}
#endif
