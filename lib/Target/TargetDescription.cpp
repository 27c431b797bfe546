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
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir;
using namespace cim;

/// RRAM conductance range of the presets, in microsiemens (docs/Targets.md).
static constexpr std::pair<double, double> kRramConductanceUs = {1.0, 40.0};

TargetAttr TargetDesc::toAttr(MLIRContext &context) const {
  context.getOrLoadDialect<CIMDialect>();
  Builder b(&context);
  SmallVector<Attribute> kinds;
  for (const ArrayDesc &a : arrays)
    kinds.push_back(ArrayKindAttr::get(&context, a.name, a.cell, a.rows, a.cols,
                                       a.bitsPerCell, a.count, a.encoding,
                                       a.weightBits, APFloat(a.gMinUs), APFloat(a.gMaxUs),
                                       a.spareRows, a.spareCols));
  SmallVector<NamedAttribute> costAttrs;
  for (const auto &[key, value] : costs)
    costAttrs.push_back(b.getNamedAttr(key, b.getF64FloatAttr(value)));
  return TargetAttr::get(&context, name, b.getArrayAttr(kinds), dacBits,
                         adcBits,
                         costAttrs.empty() ? DictionaryAttr()
                                           : b.getDictionaryAttr(costAttrs),
                         inputBits, adcKind, macros, digitalLanes,
                         lif ? LIFAttr::get(&context, APFloat(lif->threshold),
                                            APFloat(lif->leak), lif->reset)
                             : LIFAttr(),
                         integrator
                             ? IntegratorAttr::get(
                                   &context, APFloat(integrator->gainMax),
                                   APFloat(integrator->leak),
                                   APFloat(integrator->vSat),
                                   APFloat(integrator->noise))
                             : IntegratorAttr(),
                         bridgeNeurons);
}

static std::vector<TargetDesc> buildPresets() {
  using E = WeightEncoding;
  std::vector<TargetDesc> presets = {
      {"generic-rram",
       "128x128 RRAM arrays (8 spare rows and columns each), 4-bit cells, "
       "8-bit DAC and ADC",
       {{"rram", CellTech::rram, 128, 128, 4, 1024, E::differential}},
       8,
       8,
       {}},
      {"rram-ode-40nm",
       "fully-analog RRAM for Neural ODEs (Sun et al., ICES 2025): 40 nm "
       "crossbars, differential pairs, analog integrators hold the ODE state",
       {{"rram", CellTech::rram, 256, 256, 4, 64, E::differential}},
       8,
       8,
       {}},
      {"rram-bridge-bnn",
       "BNN on RRAM bridges (Ezzadeen et al., Commun. Eng. 2024): 2 cells "
       "per +-1 weight read by capacitive sign neurons, fan-in 32 per "
       "array; 8-bit ADCs for other products",
       {{"rram", CellTech::rram, 32, 64, 1, 256, E::differential}},
       1,
       8,
       // A 1-bit input is a row driver swinging a ~50 fF line pair by
       // 0.2 V (C V^2 = 0.002 pJ); the other figures are the defaults
       // (docs/CostModel.md).
       {{"dac_pj", 0.002}}},
      {"tempo-cim-40nm",
       "Tempo-CIM SNN macro (Jiang et al., JETCAS 2023): 40 nm RRAM, 4-bit "
       "inputs, 8-bit weights, LIF neurons (68.51 TOPS/W, 0.1956 TOPS/mm2)",
       {{"rram", CellTech::rram, 256, 256, 2, 1, E::differential, 8}},
       4,
       8,
       // One array is one 0.084 mm2 macro (the seed's area). At the seed's
       // operating point, a step of a LIF layer filling the array (256
       // latency-coded 4-bit inputs, 32 neurons of 8-bit weights in 4
       // slices), mvm_ns and mac_pj are fitted to the published 0.1956
       // TOPS/mm2 and 68.51 TOPS/W; pulse_pj and neuron_pj (the defaults)
       // and the other figures are assumptions (docs/CostModel.md).
       {{"adc_pj", 0.5},
        {"array_area_mm2", 0.084},
        {"dac_pj", 0.05},
        {"digital_op_ns", 0.1},
        {"digital_op_pj", 0.05},
        {"mac_pj", 0.007234},
        {"mvm_ns", 997.2}}},
      {"rom-sram-hybrid",
       "ROM-SRAM hybrid CIM (Du et al., ICES 2025): dense ROM arrays for "
       "frozen weights, writable SRAM arrays for residual branches and "
       "dynamic operands",
       {{"rom", CellTech::rom, 512, 512, 1, 256, E::offset, 8},
        {"sram", CellTech::sram, 256, 256, 1, 16, E::differential, 8}},
       8,
       8,
       {}},
      {"rram-ramp-adc",
       "RRAM crossbars with ramp ADCs computing the activation in the readout "
       "(Yang et al., Nat. Commun. 2025)",
       {{"rram", CellTech::rram, 128, 128, 4, 256, E::differential}},
       8,
       5,
       {}},
  };
  // Conductance range of the analog cells (docs/Targets.md).
  for (TargetDesc &p : presets)
    for (ArrayDesc &a : p.arrays)
      if (a.cell == CellTech::rram)
        std::tie(a.gMinUs, a.gMaxUs) = kRramConductanceUs;
  auto preset = [&](StringRef name) -> TargetDesc & {
    return *llvm::find_if(presets,
                          [&](const TargetDesc &p) { return p.name == name; });
  };
  // The generic target keeps 8 rows and 8 columns of every array for
  // faulty lines (tiles of at most 120 x 120 cells), as RRAM macros keep
  // redundant lines; the source designs give no spares.
  for (ArrayDesc &a : preset("generic-rram").arrays)
    a.spareRows = a.spareCols = 8;
  // Seed 000: the ODE state lives in an analog integrator (assumed swing of
  // 4 normalised units, gain up to 1 per step, no leak or noise nominally).
  preset("rram-ode-40nm").integrator = IntegratorDesc{1.0, 0.0, 4.0, 0.0};
  // Seed 001: capacitive neurons compare the two bridge sides of binary
  // products; other products (a network's real-valued output layer, or
  // current summing when asked for) go through an 8-bit ADC.
  preset("rram-bridge-bnn").bridgeNeurons = true;
  // Seed 002: four 0.084 mm2 macros of one array each, LIF neurons.
  TargetDesc &tempo = preset("tempo-cim-40nm");
  tempo.macros = 4;
  tempo.lif = LIFDesc{1.0, 0.0, ResetMode::zero};
  // Seed 004: ramp ADCs.
  preset("rram-ramp-adc").adcKind = ADCKind::ramp;
  return presets;
}

const std::vector<TargetDesc> &cim::targetPresets() {
  static const std::vector<TargetDesc> presets = buildPresets();
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

  /// An optional count that may be 0.
  bool readCount(const llvm::json::Object &obj, StringRef key,
                 const std::string &field, unsigned &out) {
    const llvm::json::Value *v = obj.get(key);
    if (!v)
      return true;
    std::optional<int64_t> i = v->getAsInteger();
    if (!i || *i < 0 || *i > (1 << 24))
      return fail(field, "expected a non-negative integer");
    out = static_cast<unsigned>(*i);
    return true;
  }

  bool readNumber(const llvm::json::Object &obj, StringRef key,
                  const std::string &field, double &out, bool required) {
    const llvm::json::Value *v = obj.get(key);
    if (!v)
      return required ? fail(field, "missing required field") : true;
    std::optional<double> d = v->getAsNumber();
    if (!d)
      return fail(field, "expected a number");
    out = *d;
    return true;
  }

  /// An optional sub-object, or null; `ok` turns false if it is not an
  /// object.
  const llvm::json::Object *optionalObject(const llvm::json::Object &obj,
                                           StringRef key, bool &ok) {
    const llvm::json::Value *v = obj.get(key);
    ok = true;
    if (!v)
      return nullptr;
    if (!v->getAsObject())
      ok = fail(key.str(), "expected an object");
    return v->getAsObject();
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
                                      "weight_bits", "conductance_us",
                                      "spare_rows", "spare_cols"}) ||
        !readCount(obj, "spare_rows", field + ".spare_rows", out.spareRows) ||
        !readCount(obj, "spare_cols", field + ".spare_cols", out.spareCols) ||
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
    if (const llvm::json::Value *g = obj.get("conductance_us")) {
      const llvm::json::Array *range = g->getAsArray();
      std::optional<double> lo, hi;
      if (range && range->size() == 2) {
        lo = (*range)[0].getAsNumber();
        hi = (*range)[1].getAsNumber();
      }
      if (!lo || !hi)
        return fail(field + ".conductance_us",
                    "expected [g_min, g_max] in microsiemens");
      out.gMinUs = *lo;
      out.gMaxUs = *hi;
    }
    return true;
  }

  /// The optional units beside the arrays: macros, digital unit, LIF
  /// neurons and analog integrators.
  bool readUnits(const llvm::json::Object &root, TargetDesc &desc) {
    bool ok;
    if (!readUnsigned(root, "macros", "macros", desc.macros, false))
      return false;
    if (const llvm::json::Object *d = optionalObject(root, "digital", ok)) {
      if (!checkKeys(*d, "digital.", {"lanes"}) ||
          !readUnsigned(*d, "lanes", "digital.lanes", desc.digitalLanes, true))
        return false;
    }
    if (!ok)
      return false;
    if (const llvm::json::Object *l = optionalObject(root, "lif", ok)) {
      LIFDesc lif{0, 0.0, ResetMode::zero};
      if (!checkKeys(*l, "lif.", {"threshold", "leak", "reset"}) ||
          !readNumber(*l, "threshold", "lif.threshold", lif.threshold, true) ||
          !readNumber(*l, "leak", "lif.leak", lif.leak, false) ||
          !readEnum<ResetMode>(*l, "reset", "lif.reset", lif.reset,
                               symbolizeResetMode, "\"zero\", \"subtract\""))
        return false;
      desc.lif = lif;
    }
    if (!ok)
      return false;
    if (const llvm::json::Value *v = root.get("bridge_neurons")) {
      std::optional<bool> b = v->getAsBoolean();
      if (!b)
        return fail("bridge_neurons", "expected true or false");
      desc.bridgeNeurons = *b;
    }
    if (const llvm::json::Object *i = optionalObject(root, "integrator", ok)) {
      IntegratorDesc in{1.0, 0.0, 0.0, 0.0};
      if (!checkKeys(*i, "integrator.", {"gain_max", "leak", "v_sat", "noise"}) ||
          !readNumber(*i, "gain_max", "integrator.gain_max", in.gainMax,
                      false) ||
          !readNumber(*i, "leak", "integrator.leak", in.leak, false) ||
          !readNumber(*i, "v_sat", "integrator.v_sat", in.vSat, true) ||
          !readNumber(*i, "noise", "integrator.noise", in.noise, false))
        return false;
      desc.integrator = in;
    }
    return ok;
  }

  TargetAttr read(MLIRContext &context) {
    if (!llvm::sys::fs::exists(path)) {
      error = path + ": not a target preset (" + presetNames() +
              ") and cannot read it as a file: " +
              std::make_error_code(std::errc::no_such_file_or_directory).message();
      return {};
    }
    std::optional<llvm::json::Value> json =
        readJsonFile(path, "the target file", error);
    if (!json)
      return {};
    return build(*json, context);
  }

  TargetAttr parse(StringRef text, MLIRContext &context) {
    std::optional<llvm::json::Value> json = parseJsonText(text, path, error);
    if (!json)
      return {};
    return build(*json, context);
  }

  TargetAttr build(const llvm::json::Value &json, MLIRContext &context) {
    const llvm::json::Object *root = json.getAsObject();
    if (!root) {
      fail("(root)", "expected an object");
      return {};
    }
    if (!checkKeys(*root, "", {"name", "array", "arrays", "dac", "adc", "costs",
                               "macros", "digital", "lif", "integrator",
                               "bridge_neurons"}))
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
        !checkKeys(*adc, "adc.", {"bits", "kind"}) ||
        !readUnsigned(*dac, "bits", "dac.bits", desc.dacBits, true) ||
        !readUnsigned(*dac, "input_bits", "dac.input_bits", desc.inputBits,
                      false) ||
        !readUnsigned(*adc, "bits", "adc.bits", desc.adcBits, true))
      return {};
    // A 1-bit converter is a sign comparator unless the file says otherwise.
    desc.adcKind = desc.adcBits == 1 ? ADCKind::sign : ADCKind::uniform;
    if (!readEnum<ADCKind>(*adc, "kind", "adc.kind", desc.adcKind,
                           symbolizeADCKind,
                           "\"uniform\", \"ramp\", \"sign\"") ||
        !readUnits(*root, desc))
      return {};
    if (const llvm::json::Value *c = root->get("costs")) {
      const llvm::json::Object *costs = c->getAsObject();
      if (!costs) {
        fail("costs", "expected an object of numbers");
        return {};
      }
      for (const auto &kv : *costs) {
        // An empty key would make a #cim.target that MLIR cannot read back.
        if (StringRef(kv.first).empty()) {
          fail("costs", "a cost needs a non-empty name");
          return {};
        }
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
                                       a.weightBits, APFloat(a.gMinUs), APFloat(a.gMaxUs),
                                       a.spareRows, a.spareCols))) {
        error = path + ": " + arrayFields[i] + ": " + message;
        return {};
      }
    if (desc.lif &&
        failed(LIFAttr::verify(emitError, APFloat(desc.lif->threshold),
                               APFloat(desc.lif->leak), desc.lif->reset))) {
      error = path + ": lif: " + message;
      return {};
    }
    if (desc.integrator &&
        failed(IntegratorAttr::verify(emitError,
                                      APFloat(desc.integrator->gainMax),
                                      APFloat(desc.integrator->leak),
                                      APFloat(desc.integrator->vSat),
                                      APFloat(desc.integrator->noise)))) {
      error = path + ": integrator: " + message;
      return {};
    }
    TargetAttr attr = desc.toAttr(context);
    if (failed(TargetAttr::verify(
            emitError, attr.getName(), attr.getArrays(), attr.getDacBits(),
            attr.getAdcBits(), attr.getCosts(), attr.getInputBits(),
            attr.getAdcKind(), attr.getMacros(), attr.getDigitalLanes(),
            attr.getLif(), attr.getIntegrator(), attr.getBridgeNeurons()))) {
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

std::optional<llvm::json::Value> cim::readJsonFile(StringRef path, StringRef what,
                                                   std::string &error) {
  constexpr uint64_t kMaxBytes = uint64_t(16) << 20;
  llvm::sys::fs::file_status status;
  if (!llvm::sys::fs::status(path, status) &&
      llvm::sys::fs::is_regular_file(status) && status.getSize() > kMaxBytes) {
    error = path.str() + ": cannot read " + what.str() + ": larger than 16 MiB";
    return std::nullopt;
  }
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) {
    error = path.str() + ": cannot read " + what.str() + ": " +
            buffer.getError().message();
    return std::nullopt;
  }
  return parseJsonText((*buffer)->getBuffer(), path, error);
}

std::optional<llvm::json::Value>
cim::parseJsonText(StringRef text, StringRef path, std::string &error) {
  constexpr int kMaxDepth = 64;
  // The nesting of arrays and objects outside strings.
  int depth = 0;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) {
        error = path.str() + ": invalid JSON: nested more than " +
                std::to_string(kMaxDepth) + " levels deep";
        return std::nullopt;
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  llvm::Expected<llvm::json::Value> json = llvm::json::parse(text);
  if (!json) {
    error = path.str() + ": invalid JSON: " + llvm::toString(json.takeError());
    return std::nullopt;
  }
  return std::move(*json);
}

TargetAttr cim::parseTargetJson(StringRef json, StringRef path,
                                MLIRContext &context, std::string &error) {
  return TargetFileReader(path, error).parse(json, context);
}
