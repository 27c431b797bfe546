//===- PlaceWeights.cpp - Choose a memory technology per weight -*- C++ -*-===//
//
// Implements `cim-place-weights`: explicit rules first, then fine-tunable
// weights to SRAM, frozen weights to ROM, the rest to RRAM, each only where
// the target has such arrays. (Capacity is checked after tiling, by
// cim-pack-tiles.)
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/Passes.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Regex.h"

namespace cim {
#define GEN_PASS_DEF_PLACEWEIGHTS
#include "cim/Dialect/CIM/CIMPasses.h.inc"
} // namespace cim

using namespace mlir;
using namespace cim;

namespace {

struct Rule {
  std::string pattern;
  std::shared_ptr<llvm::Regex> regex; // anchored: matches the whole name
  std::optional<CellTech> cell;       // none: a fine-tunable rule
};

struct PlaceWeightsPass
    : public cim::impl::PlaceWeightsBase<PlaceWeightsPass> {
  using PlaceWeightsBase::PlaceWeightsBase;

  /// Adds a rule; on a bad regex or cell reports `where` and fails.
  LogicalResult addRule(ModuleOp module, const std::string &where,
                        const std::string &pattern,
                        std::optional<StringRef> cellName) {
    Rule rule;
    rule.pattern = pattern;
    rule.regex = std::make_shared<llvm::Regex>("^(" + pattern + ")$");
    std::string regexError;
    if (!rule.regex->isValid(regexError))
      return module.emitError(where) << ": invalid regex '" << pattern
                                     << "': " << regexError;
    if (cellName) {
      rule.cell = symbolizeCellTech(*cellName);
      if (!rule.cell)
        return module.emitError(where)
               << ": unknown cell technology '" << *cellName
               << "' (expected rram, rom or sram)";
    }
    rules.push_back(std::move(rule));
    return success();
  }

  LogicalResult readRules(ModuleOp module) {
    for (const std::string &o : overrides) {
      size_t eq = o.rfind('=');
      if (eq == std::string::npos)
        return module.emitError("placement override '")
               << o << "' is not REGEX=CELL";
      if (failed(addRule(module, "placement override '" + o + "'",
                         o.substr(0, eq), StringRef(o).substr(eq + 1))))
        return failure();
    }
    if (!placementFile.empty() && failed(readFile(module)))
      return failure();
    for (const std::string &t : tunable)
      if (failed(addRule(module, "tunable '" + t + "'", t, std::nullopt)))
        return failure();
    return success();
  }

  LogicalResult readFile(ModuleOp module) {
    std::string where = placementFile.getValue();
    auto buffer = llvm::MemoryBuffer::getFile(where, /*IsText=*/true);
    if (!buffer)
      return module.emitError(where) << ": cannot read placement file: "
                                     << buffer.getError().message();
    llvm::Expected<llvm::json::Value> json =
        llvm::json::parse((*buffer)->getBuffer());
    if (!json)
      return module.emitError(where)
             << ": invalid JSON: " << llvm::toString(json.takeError());
    const llvm::json::Object *root = json->getAsObject();
    if (!root)
      return module.emitError(where) << ": expected an object";
    for (const auto &kv : *root)
      if (kv.first != "place" && kv.first != "tunable")
        return module.emitError(where) << ": " << kv.first.str()
                                       << ": unknown field";
    if (const llvm::json::Value *place = root->get("place")) {
      const llvm::json::Object *map = place->getAsObject();
      if (!map)
        return module.emitError(where) << ": place: expected an object";
      // JSON objects are unordered; rules apply in the order of their keys.
      std::vector<std::string> keys;
      for (const auto &kv : *map)
        keys.push_back(kv.first.str());
      llvm::sort(keys);
      for (const std::string &key : keys) {
        std::optional<StringRef> cell = map->getString(key);
        if (!cell)
          return module.emitError(where)
                 << ": place." << key << ": expected a cell technology string";
        if (failed(addRule(module, where + ": place." + key, key, *cell)))
          return failure();
      }
    }
    if (const llvm::json::Value *t = root->get("tunable")) {
      const llvm::json::Array *list = t->getAsArray();
      if (!list)
        return module.emitError(where) << ": tunable: expected a list";
      for (auto [i, v] : llvm::enumerate(*list)) {
        std::optional<StringRef> pattern = v.getAsString();
        std::string field = where + ": tunable[" + std::to_string(i) + "]";
        if (!pattern)
          return module.emitError(field) << ": expected a regex string";
        if (failed(addRule(module, field, pattern->str(), std::nullopt)))
          return failure();
      }
    }
    return success();
  }

  /// The cell technology for a weight named `name`, or failure (reported).
  FailureOr<CellTech> choose(LinearOp op, StringRef name, TargetAttr target) {
    bool isTunable = false;
    for (const Rule &rule : rules) {
      if (!rule.regex->match(name))
        continue;
      if (!rule.cell) { // fine-tunable
        if (target.lookupArray(CellTech::sram))
          return CellTech::sram;
        isTunable = true;
        break;
      }
      if (!target.lookupArray(*rule.cell))
        return op.emitOpError("weight '")
               << name << "' is placed on " << stringifyCellTech(*rule.cell)
               << " by rule '" << rule.pattern << "', but target '"
               << target.getName() << "' has no "
               << stringifyCellTech(*rule.cell) << " arrays";
      return *rule.cell;
    }
    if (!isTunable && target.lookupArray(CellTech::rom))
      return CellTech::rom;
    if (target.lookupArray(CellTech::rram))
      return CellTech::rram;
    return target.getDefaultArray().getCell();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    rules.clear();
    FailureOr<TargetAttr> target = requireTarget(module);
    if (failed(target) || failed(readRules(module)))
      return signalPassFailure();
    WalkResult result = module.walk([&](LinearOp op) {
      StringRef name = op.getWeightName().value_or("");
      FailureOr<CellTech> cell = choose(op, name, *target);
      if (failed(cell))
        return WalkResult::interrupt();
      op.setPlacementAttr(CellTechAttr::get(&getContext(), *cell));
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
  }

  std::vector<Rule> rules;
};
} // namespace
