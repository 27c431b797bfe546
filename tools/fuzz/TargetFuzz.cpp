//===- TargetFuzz.cpp - Fuzzing the target description reader -------------===//
//
// An input is the text of a target file (cim-compile --target FILE,
// docs/Targets.md). The reader parses the JSON, checks every field and
// runs the attribute verifiers; on any text it must return a #cim.target
// or an error, never crash. A target that reads is printed and parsed back
// as MLIR attribute syntax, which must give the same attribute.
//
// Seeds: every preset written as JSON (made here), the example's target
// file and the compiler tests' target files. Built as cim-target-fuzz with
// libFuzzer and as cim-target-fuzz-replay without
// (runtime/fuzz/FuzzReplay.h).
//
//===----------------------------------------------------------------------===//

#include "FuzzReplay.h"

#include "cim/Target/TargetDescription.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

using namespace cim;

namespace {

/// A context with the CIM dialect, made again every 1000 inputs so that
/// the attributes it keeps stay bounded.
mlir::MLIRContext &context() {
  static std::unique_ptr<mlir::MLIRContext> context;
  static unsigned uses = 0;
  if (!context || ++uses % 1000 == 0) {
    context.reset();
    context = std::make_unique<mlir::MLIRContext>(
        mlir::MLIRContext::Threading::DISABLED);
    context->getOrLoadDialect<CIMDialect>();
    context->getDiagEngine().registerHandler(
        [](mlir::Diagnostic &) { return mlir::success(); });
  }
  return *context;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext &ctx = context();
  std::string error;
  TargetAttr target = parseTargetJson(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.json",
      ctx, error);
  if (!target)
    return 0;
  std::string printed;
  llvm::raw_string_ostream os(printed);
  os << mlir::Attribute(target);
  os.flush();
  mlir::Attribute again = mlir::parseAttribute(printed, &ctx);
  if (again != target) {
    std::fprintf(stderr,
                 "cim-target-fuzz: a target does not print and parse back "
                 "the same: %s\n",
                 printed.c_str());
    std::abort();
  }
  return 0;
}

#ifdef CIM_FUZZ_REPLAY_MAIN
namespace {

/// A preset as the JSON a target file would hold.
std::string presetJson(const TargetDesc &p) {
  llvm::json::Array arrays;
  for (const ArrayDesc &a : p.arrays) {
    llvm::json::Object o{{"name", a.name},
                         {"cell", stringifyCellTech(a.cell)},
                         {"rows", a.rows},
                         {"cols", a.cols},
                         {"bits_per_cell", a.bitsPerCell},
                         {"count", a.count},
                         {"encoding", stringifyWeightEncoding(a.encoding)}};
    if (a.weightBits)
      o["weight_bits"] = a.weightBits;
    if (a.gMaxUs > 0)
      o["conductance_us"] = llvm::json::Array{a.gMinUs, a.gMaxUs};
    arrays.push_back(std::move(o));
  }
  llvm::json::Object dac{{"bits", p.dacBits}};
  if (p.inputBits)
    dac["input_bits"] = p.inputBits;
  llvm::json::Object root{
      {"name", p.name},
      {"arrays", std::move(arrays)},
      {"dac", std::move(dac)},
      {"adc", llvm::json::Object{{"bits", p.adcBits},
                                 {"kind", stringifyADCKind(p.adcKind)}}},
      {"macros", p.macros},
      {"digital", llvm::json::Object{{"lanes", p.digitalLanes}}},
      {"bridge_neurons", p.bridgeNeurons}};
  if (!p.costs.empty()) {
    llvm::json::Object costs;
    for (const auto &[key, value] : p.costs)
      costs[key] = value;
    root["costs"] = std::move(costs);
  }
  if (p.lif)
    root["lif"] = llvm::json::Object{{"threshold", p.lif->threshold},
                                     {"leak", p.lif->leak},
                                     {"reset", stringifyResetMode(p.lif->reset)}};
  if (p.integrator)
    root["integrator"] = llvm::json::Object{{"gain_max", p.integrator->gainMax},
                                            {"leak", p.integrator->leak},
                                            {"v_sat", p.integrator->vSat},
                                            {"noise", p.integrator->noise}};
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root)));
  return os.str();
}

} // namespace

int main(int argc, char **argv) {
  cim::fuzz::ReplayTarget target;
  target.name = "cim-target-fuzz-replay";
  target.extensions = {".json"};
  target.seeds = [](const std::vector<std::string> &) {
    std::vector<std::string> seeds;
    for (const TargetDesc &p : targetPresets())
      seeds.push_back(presetJson(p));
    return seeds;
  };
  return cim::fuzz::replayMain(argc, argv, target);
}
#endif
