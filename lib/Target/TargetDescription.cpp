//===- TargetDescription.cpp - Target presets and files ---------*- C++ -*-===//
//
// The built-in target presets, and the reader of JSON target files, which
// reports the path of a bad field (e.g. `array.rows`).
//
//===----------------------------------------------------------------------===//

#include "cim/Target/TargetDescription.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir;
using namespace cim;

ArrayRef<TargetPreset> cim::targetPresets() {
  // Array sizes and converter resolutions in the ranges of published RRAM
  // macros (128-1024 square arrays, 5-9 bit ADCs, 7-8 bit DACs).
  static const TargetPreset presets[] = {
      {"generic-rram", "128x128 RRAM arrays, 4-bit cells, 8-bit DAC and ADC",
       128, 128, CellTech::rram, 4, 8, 8},
      {"generic-rram-256", "256x256 RRAM arrays, 4-bit cells, 8-bit DAC and ADC",
       256, 256, CellTech::rram, 4, 8, 8},
      {"generic-sram", "256x256 SRAM arrays, 1-bit cells, 8-bit DAC and ADC",
       256, 256, CellTech::sram, 1, 8, 8},
  };
  return presets;
}

namespace {
/// Reads one JSON object field by field, remembering the path for errors.
class TargetFileReader {
public:
  TargetFileReader(StringRef path, std::string &error)
      : path(path.str()), error(error) {}

  bool fail(const std::string &field, const std::string &what) {
    error = path + ": " + field + ": " + what;
    return false;
  }

  bool readUnsigned(const llvm::json::Object &obj, StringRef key,
                    const std::string &field, unsigned &out, bool required) {
    const llvm::json::Value *v = obj.get(key);
    if (!v)
      return required ? fail(field, "missing required field") : true;
    std::optional<int64_t> i = v->getAsInteger();
    if (!i || *i <= 0 || *i > (1 << 20))
      return fail(field, "expected a positive integer");
    out = static_cast<unsigned>(*i);
    return true;
  }

  const llvm::json::Object *object(const llvm::json::Object &obj, StringRef key,
                                   const std::string &field) {
    const llvm::json::Value *v = obj.get(key);
    if (!v) {
      fail(field, "missing required object");
      return nullptr;
    }
    if (!v->getAsObject()) {
      fail(field, "expected an object");
      return nullptr;
    }
    return v->getAsObject();
  }

  bool checkKeys(const llvm::json::Object &obj, const std::string &prefix,
                 std::initializer_list<StringRef> known) {
    for (const auto &kv : obj)
      if (llvm::find(known, StringRef(kv.first)) == known.end())
        return fail(prefix + kv.first.str(), "unknown field");
    return true;
  }

  TargetAttr read(MLIRContext &context) {
    auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
    if (!buffer) {
      error = path + ": not a target preset (" + presetNames() +
              ") and cannot read it as a file: " + buffer.getError().message();
      return {};
    }
    llvm::Expected<llvm::json::Value> json =
        llvm::json::parse((*buffer)->getBuffer());
    if (!json) {
      error = path + ": invalid JSON: " + llvm::toString(json.takeError());
      return {};
    }
    const llvm::json::Object *root = json->getAsObject();
    if (!root) {
      fail("(root)", "expected an object");
      return {};
    }
    if (!checkKeys(*root, "", {"name", "array", "dac", "adc"}))
      return {};
    std::string name = path;
    if (const llvm::json::Value *n = root->get("name")) {
      if (!n->getAsString()) {
        fail("name", "expected a string");
        return {};
      }
      name = n->getAsString()->str();
    }
    const llvm::json::Object *array = object(*root, "array", "array");
    const llvm::json::Object *dac = array ? object(*root, "dac", "dac") : nullptr;
    const llvm::json::Object *adc = dac ? object(*root, "adc", "adc") : nullptr;
    if (!adc)
      return {};
    unsigned rows = 0, cols = 0, bitsPerCell = 1, dacBits = 0, adcBits = 0;
    CellTech cell = CellTech::rram;
    if (!checkKeys(*array, "array.", {"rows", "cols", "cell", "bits_per_cell"}) ||
        !checkKeys(*dac, "dac.", {"bits"}) || !checkKeys(*adc, "adc.", {"bits"}) ||
        !readUnsigned(*array, "rows", "array.rows", rows, true) ||
        !readUnsigned(*array, "cols", "array.cols", cols, true) ||
        !readUnsigned(*array, "bits_per_cell", "array.bits_per_cell",
                      bitsPerCell, false) ||
        !readUnsigned(*dac, "bits", "dac.bits", dacBits, true) ||
        !readUnsigned(*adc, "bits", "adc.bits", adcBits, true))
      return {};
    if (const llvm::json::Value *c = array->get("cell")) {
      std::optional<CellTech> tech;
      if (auto s = c->getAsString())
        tech = symbolizeCellTech(*s);
      if (!tech) {
        fail("array.cell", "expected one of \"rram\", \"rom\", \"sram\"");
        return {};
      }
      cell = *tech;
    }
    std::string verifyError;
    auto emitError = [&]() {
      return mlir::emitError(UnknownLoc::get(&context));
    };
    // Run the attribute verifier ourselves to keep its message in `error`.
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      verifyError = diag.str();
      return success();
    });
    if (failed(TargetAttr::verify(emitError, name, rows, cols, cell,
                                  bitsPerCell, dacBits, adcBits))) {
      error = path + ": " + verifyError;
      return {};
    }
    return TargetAttr::get(&context, name, rows, cols, cell, bitsPerCell,
                           dacBits, adcBits);
  }

  static std::string presetNames() {
    std::string names;
    for (const TargetPreset &p : targetPresets())
      names += (names.empty() ? "" : ", ") + std::string(p.name);
    return names;
  }

private:
  std::string path;
  std::string &error;
};
} // namespace

TargetAttr cim::resolveTarget(StringRef nameOrPath, MLIRContext &context,
                              std::string &error) {
  context.getOrLoadDialect<CIMDialect>();
  for (const TargetPreset &p : targetPresets())
    if (nameOrPath == p.name)
      return TargetAttr::get(&context, p.name, p.rows, p.cols, p.cell,
                             p.bitsPerCell, p.dacBits, p.adcBits);
  return TargetFileReader(nameOrPath, error).read(context);
}
