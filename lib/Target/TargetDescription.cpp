//===- TargetDescription.cpp - Target presets and files ---------*- C++ -*-===//
//
// The built-in target presets (one per source design, plus a generic RRAM
// target; docs/Targets.md gives the origin of every figure), and the reader
// of JSON target files, which reports the path of a bad field.
//
//===----------------------------------------------------------------------===//

#include "cim/Target/TargetDescription.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir;
using namespace cim;

TargetAttr TargetDesc::toAttr(MLIRContext &context) const {
  context.getOrLoadDialect<CIMDialect>();
  Builder b(&context);
  SmallVector<Attribute> kinds;
  for (const ArrayDesc &a : arrays)
    kinds.push_back(ArrayKindAttr::get(&context, a.name, a.cell, a.rows, a.cols,
                                       a.bitsPerCell, a.count, a.encoding,
                                       a.weightBits));
  SmallVector<NamedAttribute> costAttrs;
  for (const auto &[key, value] : costs)
    costAttrs.push_back(b.getNamedAttr(key, b.getF64FloatAttr(value)));
  return TargetAttr::get(&context, name, b.getArrayAttr(kinds), dacBits,
                         adcBits,
                         costAttrs.empty() ? DictionaryAttr()
                                           : b.getDictionaryAttr(costAttrs),
                         inputBits);
}

const std::vector<TargetDesc> &cim::targetPresets() {
  using E = WeightEncoding;
  static const std::vector<TargetDesc> presets = {
      {"generic-rram",
       "128x128 RRAM arrays, 4-bit cells, 8-bit DAC and ADC",
       {{"rram", CellTech::rram, 128, 128, 4, 1024, E::differential}},
       8,
       8,
       {}},
      {"rram-ode-40nm",
       "seed 000: 40 nm analog RRAM crossbars, differential pairs, "
       "analog integrator for ODE state",
       {{"rram", CellTech::rram, 256, 256, 4, 64, E::differential}},
       8,
       8,
       {}},
      {"rram-bridge-bnn",
       "seed 001: RRAM bridges (2 cells per +-1 weight), capacitive sign "
       "neurons, fan-in 32",
       {{"rram", CellTech::rram, 32, 64, 1, 256, E::differential}},
       1,
       1,
       {}},
      {"tempo-cim-40nm",
       "seed 002: 40 nm RRAM SNN macro, 4-bit inputs, 8-bit weights, "
       "LIF neurons (68.51 TOPS/W, 0.1956 TOPS/mm2)",
       {{"rram", CellTech::rram, 256, 256, 2, 4, E::differential, 8}},
       4,
       8,
       // One array is one 0.084 mm2 macro. mvm_ns and mac_pj are fitted so
       // that a full-array MVM (256 x 32 8-bit weights, 4 slices) gives the
       // published 68.51 TOPS/W and 0.1956 TOPS/mm2; the other figures are
       // assumptions (docs/CostModel.md).
       {{"adc_pj", 0.5},
        {"array_area_mm2", 0.084},
        {"dac_pj", 0.05},
        {"digital_op_ns", 0.1},
        {"digital_op_pj", 0.05},
        {"mac_pj", 0.0048},
        {"mvm_ns", 988.0}}},
      {"rom-sram-hybrid",
       "seed 003: dense ROM arrays for frozen weights, writable SRAM arrays "
       "for residual branches and dynamic operands",
       {{"rom", CellTech::rom, 512, 512, 1, 256, E::offset, 8},
        {"sram", CellTech::sram, 256, 256, 1, 16, E::differential, 8}},
       8,
       8,
       {}},
      {"rram-ramp-adc",
       "seed 004: RRAM crossbars with ramp ADCs (activation fused into the "
       "readout)",
       {{"rram", CellTech::rram, 128, 128, 4, 256, E::differential}},
       8,
       5,
       {}},
  };
  return presets;
}

namespace {
/// Reads a JSON target description, remembering the path for errors.
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
    if (!i || *i <= 0 || *i > (1 << 24))
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

  template <typename EnumT>
  bool readEnum(const llvm::json::Object &obj, StringRef key,
                const std::string &field, EnumT &out,
                std::optional<EnumT> (*symbolize)(StringRef),
                const char *choices) {
    const llvm::json::Value *v = obj.get(key);
    if (!v)
      return true;
    std::optional<EnumT> parsed;
    if (auto s = v->getAsString())
      parsed = symbolize(*s);
    if (!parsed)
      return fail(field, std::string("expected one of ") + choices);
    out = *parsed;
    return true;
  }

  bool readArray(const llvm::json::Object &obj, const std::string &field,
                 ArrayDesc &out) {
    // Defaults: 1-bit cells, differential pairs, 1024 arrays.
    out = {"", CellTech::rram, 0, 0, 1, 1024, WeightEncoding::differential, 0};
    arrayFields.push_back(field);
    if (!checkKeys(obj, field + ".", {"name", "rows", "cols", "cell",
                                      "bits_per_cell", "count", "encoding",
                                      "weight_bits"}) ||
        !readUnsigned(obj, "weight_bits", field + ".weight_bits", out.weightBits,
                      false) ||
        !readUnsigned(obj, "rows", field + ".rows", out.rows, true) ||
        !readUnsigned(obj, "cols", field + ".cols", out.cols, true) ||
        !readUnsigned(obj, "bits_per_cell", field + ".bits_per_cell",
                      out.bitsPerCell, false) ||
        !readUnsigned(obj, "count", field + ".count", out.count, false) ||
        !readEnum<CellTech>(obj, "cell", field + ".cell", out.cell,
                            symbolizeCellTech, "\"rram\", \"rom\", \"sram\"") ||
        !readEnum<WeightEncoding>(obj, "encoding", field + ".encoding",
                                  out.encoding, symbolizeWeightEncoding,
                                  "\"differential\", \"offset\""))
      return false;
    out.name = stringifyCellTech(out.cell).str();
    if (const llvm::json::Value *n = obj.get("name")) {
      if (!n->getAsString())
        return fail(field + ".name", "expected a string");
      out.name = n->getAsString()->str();
    }
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
    if (!checkKeys(*root, "", {"name", "array", "arrays", "dac", "adc", "costs"}))
      return {};
    TargetDesc desc;
    desc.name = path;
    if (const llvm::json::Value *n = root->get("name")) {
      if (!n->getAsString()) {
        fail("name", "expected a string");
        return {};
      }
      desc.name = n->getAsString()->str();
    }
    // One kind of array as "array", or several as "arrays".
    if (root->get("array") && root->get("arrays")) {
      fail("arrays", "give either 'array' or 'arrays', not both");
      return {};
    }
    if (const llvm::json::Object *array = root->getObject("array")) {
      desc.arrays.emplace_back();
      if (!readArray(*array, "array", desc.arrays.back()))
        return {};
    } else if (const llvm::json::Array *arrays = root->getArray("arrays")) {
      for (auto [i, v] : llvm::enumerate(*arrays)) {
        std::string field = "arrays[" + std::to_string(i) + "]";
        if (!v.getAsObject()) {
          fail(field, "expected an object");
          return {};
        }
        desc.arrays.emplace_back();
        if (!readArray(*v.getAsObject(), field, desc.arrays.back()))
          return {};
      }
    } else {
      fail(root->get("array") ? "array" : "arrays",
           root->get("array") || root->get("arrays")
               ? "expected an object (array) or a list (arrays)"
               : "missing required field 'array' or 'arrays'");
      return {};
    }
    const llvm::json::Object *dac = object(*root, "dac", "dac");
    const llvm::json::Object *adc = dac ? object(*root, "adc", "adc") : nullptr;
    if (!adc || !checkKeys(*dac, "dac.", {"bits", "input_bits"}) ||
        !checkKeys(*adc, "adc.", {"bits"}) ||
        !readUnsigned(*dac, "bits", "dac.bits", desc.dacBits, true) ||
        !readUnsigned(*dac, "input_bits", "dac.input_bits", desc.inputBits,
                      false) ||
        !readUnsigned(*adc, "bits", "adc.bits", desc.adcBits, true))
      return {};
    if (const llvm::json::Value *c = root->get("costs")) {
      const llvm::json::Object *costs = c->getAsObject();
      if (!costs) {
        fail("costs", "expected an object of numbers");
        return {};
      }
      for (const auto &kv : *costs) {
        std::optional<double> v = kv.second.getAsNumber();
        if (!v || *v < 0) {
          fail("costs." + kv.first.str(), "expected a non-negative number");
          return {};
        }
        desc.costs.emplace_back(kv.first.str(), *v);
      }
      llvm::sort(desc.costs);
    }
    return verified(desc, context);
  }

  /// Runs the attribute verifiers, keeping their message in `error`.
  TargetAttr verified(const TargetDesc &desc, MLIRContext &context) {
    context.getOrLoadDialect<CIMDialect>();
    std::string message;
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      message = diag.str();
      return success();
    });
    auto emitError = [&]() { return mlir::emitError(UnknownLoc::get(&context)); };
    for (auto [i, a] : llvm::enumerate(desc.arrays))
      if (failed(ArrayKindAttr::verify(emitError, a.name, a.cell, a.rows, a.cols,
                                       a.bitsPerCell, a.count, a.encoding,
                                       a.weightBits))) {
        error = path + ": " + arrayFields[i] + ": " + message;
        return {};
      }
    TargetAttr attr = desc.toAttr(context);
    if (failed(TargetAttr::verify(emitError, attr.getName(), attr.getArrays(),
                                  attr.getDacBits(), attr.getAdcBits(),
                                  attr.getCosts(), attr.getInputBits()))) {
      error = path + ": " + message;
      return {};
    }
    return attr;
  }

  static std::string presetNames() {
    std::string names;
    for (const TargetDesc &p : targetPresets())
      names += (names.empty() ? "" : ", ") + p.name;
    return names;
  }

private:
  std::string path;
  std::string &error;
  std::vector<std::string> arrayFields; // JSON path of each array kind
};
} // namespace

TargetAttr cim::resolveTarget(StringRef nameOrPath, MLIRContext &context,
                              std::string &error) {
  for (const TargetDesc &p : targetPresets())
    if (nameOrPath == p.name)
      return p.toAttr(context);
  return TargetFileReader(nameOrPath, error).read(context);
}
