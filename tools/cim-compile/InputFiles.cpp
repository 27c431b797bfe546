//===- InputFiles.cpp - Files cim-compile reads for the passes --*- C++ -*-===//
//
// Reads the placement file and the calibrated ramp ranges (JSON) into the
// module attributes the passes read. Errors name the file and the field, as
// one line for the driver to print.
//
//===----------------------------------------------------------------------===//

#include "InputFiles.h"

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Target/TargetDescription.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Regex.h"

using namespace mlir;

namespace {
/// Checks a rule as cim-place-weights will, so that a bad rule is reported
/// with the file's name and field (`where`).
bool checkRule(const std::string &where, StringRef pattern,
               std::optional<StringRef> cell, std::string &error) {
  std::string regexError;
  if (!llvm::Regex("^(" + pattern.str() + ")$").isValid(regexError)) {
    error = where + ": invalid regex '" + pattern.str() + "': " + regexError;
    return false;
  }
  if (cell && !cim::symbolizeCellTech(*cell)) {
    error = where + ": unknown cell technology '" + cell->str() +
            "' (expected rram, rom or sram)";
    return false;
  }
  return true;
}
} // namespace

DictionaryAttr cim::readPlacementFile(StringRef path, MLIRContext &context,
                                      std::string &error) {
  std::optional<llvm::json::Value> json =
      readJsonFile(path, "placement file", error);
  if (!json)
    return nullptr;
  std::string where = path.str();
  const llvm::json::Object *root = json->getAsObject();
  if (!root) {
    error = where + ": expected an object";
    return nullptr;
  }
  for (const auto &kv : *root)
    if (kv.first != "place" && kv.first != "tunable") {
      error = where + ": " + kv.first.str() + ": unknown field";
      return nullptr;
    }
  Builder b(&context);
  SmallVector<NamedAttribute> fields;
  if (const llvm::json::Value *place = root->get("place")) {
    const llvm::json::Object *map = place->getAsObject();
    if (!map) {
      error = where + ": place: expected an object";
      return nullptr;
    }
    // The dictionary sorts the rules by regex: the order they apply in.
    SmallVector<NamedAttribute> rules;
    for (const auto &kv : *map) {
      std::string key = kv.first.str();
      std::optional<StringRef> cell = kv.second.getAsString();
      if (!cell) {
        error = where + ": place." + key + ": expected a cell technology string";
        return nullptr;
      }
      if (!checkRule(where + ": place." + key, key, *cell, error))
        return nullptr;
      rules.push_back(b.getNamedAttr(key, b.getStringAttr(*cell)));
    }
    fields.push_back(b.getNamedAttr("place", b.getDictionaryAttr(rules)));
  }
  if (const llvm::json::Value *t = root->get("tunable")) {
    const llvm::json::Array *list = t->getAsArray();
    if (!list) {
      error = where + ": tunable: expected a list";
      return nullptr;
    }
    SmallVector<Attribute> patterns;
    for (auto [i, v] : llvm::enumerate(*list)) {
      std::optional<StringRef> pattern = v.getAsString();
      std::string field = where + ": tunable[" + std::to_string(i) + "]";
      if (!pattern) {
        error = field + ": expected a regex string";
        return nullptr;
      }
      if (!checkRule(field, *pattern, std::nullopt, error))
        return nullptr;
      patterns.push_back(b.getStringAttr(*pattern));
    }
    fields.push_back(b.getNamedAttr("tunable", b.getArrayAttr(patterns)));
  }
  return b.getDictionaryAttr(fields);
}

DictionaryAttr cim::readRampRangesFile(StringRef path, MLIRContext &context,
                                       std::string &error) {
  std::optional<llvm::json::Value> json = readJsonFile(path, "ranges", error);
  if (!json)
    return nullptr;
  const llvm::json::Object *root = json->getAsObject();
  if (!root) {
    error = path.str() + ": expected an object of name: [lo, hi]";
    return nullptr;
  }
  Builder b(&context);
  SmallVector<NamedAttribute> ranges;
  for (const auto &[name, value] : *root) {
    const llvm::json::Array *pair = value.getAsArray();
    std::optional<double> lo, hi;
    if (pair && pair->size() == 2) {
      lo = (*pair)[0].getAsNumber();
      hi = (*pair)[1].getAsNumber();
    }
    if (!lo || !hi || !(*lo < *hi)) {
      error = path.str() + ": " + name.str() +
              ": expected [lo, hi] with lo < hi";
      return nullptr;
    }
    ranges.push_back(b.getNamedAttr(
        name.str(), b.getArrayAttr({b.getF64FloatAttr(*lo),
                                    b.getF64FloatAttr(*hi)})));
  }
  return b.getDictionaryAttr(ranges);
}
