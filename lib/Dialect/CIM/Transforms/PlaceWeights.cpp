//===- PlaceWeights.cpp - Choose a memory technology per weight -*- C++ -*-===//
//
// Implements `cim-place-weights`: explicit rules first, then fine-tunable
// weights to SRAM, frozen weights to ROM, the rest to RRAM, each only where
// the target has such arrays. (Capacity is checked after tiling, by
// cim-pack-tiles.) Rules come from the options and the module's
// `cim.placement`, which the driver fills from a placement file.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/Passes.h"

#include "llvm/Support/Regex.h"

namespace cim {
#define GEN_PASS_DEF_PLACEWEIGHTS
#include "cim/Dialect/CIM/CIMPasses.h.inc"
} // namespace cim

using namespace mlir;
using namespace cim;

namespace {

struct Rule {
  std::string where; // how the user gave it, for messages
  std::string pattern;
  std::shared_ptr<llvm::Regex> regex; // anchored: matches the whole name
  std::optional<CellTech> cell;       // none: a fine-tunable rule
  bool matched = false;               // some weight's name matched it
};

struct PlaceWeightsPass
    : public cim::impl::PlaceWeightsBase<PlaceWeightsPass> {
  using PlaceWeightsBase::PlaceWeightsBase;

  /// Adds a rule; on a bad regex or cell reports `where` and fails.
  LogicalResult addRule(ModuleOp module, const std::string &where,
                        const std::string &pattern,
                        std::optional<StringRef> cellName) {
    Rule rule;
    rule.where = where;
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
    if (failed(readPlacementAttr(module)))
      return failure();
    for (const std::string &t : tunable)
      if (failed(addRule(module, "tunable '" + t + "'", t, std::nullopt)))
        return failure();
    return success();
  }

  /// Adds the rules of the module's `cim.placement` (a placement file's
  /// contents, attached by the driver): `place` rules in the order of their
  /// regexes, then `tunable` ones.
  LogicalResult readPlacementAttr(ModuleOp module) {
    Attribute attr = module->getAttr(CIMDialect::getPlacementAttrName());
    if (!attr)
      return success();
    std::string where = CIMDialect::getPlacementAttrName().str();
    auto root = dyn_cast<DictionaryAttr>(attr);
    if (!root)
      return module.emitError(where) << ": expected a dictionary";
    for (NamedAttribute field : root)
      if (field.getName() != "place" && field.getName() != "tunable")
        return module.emitError(where)
               << ": " << field.getName().str() << ": unknown field";
    if (Attribute place = root.get("place")) {
      auto map = dyn_cast<DictionaryAttr>(place);
      if (!map)
        return module.emitError(where) << ": place: expected a dictionary";
      // A dictionary is sorted by key: the order rules apply in.
      for (NamedAttribute rule : map) {
        std::string key = rule.getName().str();
        auto cell = dyn_cast<StringAttr>(rule.getValue());
        if (!cell)
          return module.emitError(where)
                 << ": place." << key << ": expected a cell technology string";
        if (failed(addRule(module, where + ": place." + key, key,
                           cell.getValue())))
          return failure();
      }
    }
    if (Attribute t = root.get("tunable")) {
      auto list = dyn_cast<ArrayAttr>(t);
      if (!list)
        return module.emitError(where) << ": tunable: expected a list";
      for (auto [i, v] : llvm::enumerate(list)) {
        auto pattern = dyn_cast<StringAttr>(v);
        std::string field = where + ": tunable[" + std::to_string(i) + "]";
        if (!pattern)
          return module.emitError(field) << ": expected a regex string";
        if (failed(addRule(module, field, pattern.str(), std::nullopt)))
          return failure();
      }
    }
    return success();
  }

  /// The cell technology for a weight named `name`, or failure (reported).
  FailureOr<CellTech> choose(LinearOp op, StringRef name, TargetAttr target) {
    bool isTunable = false;
    for (Rule &rule : rules)
      rule.matched |= rule.regex->match(name);
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
    // A rule that matched nothing is most likely a typo in a name: say so
    // (a rule shadowed by an earlier one counts as matched).
    std::vector<std::string> names;
    module.walk([&](LinearOp op) {
      if (auto n = op.getWeightName())
        names.push_back(n->str());
    });
    for (const Rule &rule : rules) {
      if (rule.matched)
        continue;
      InFlightDiagnostic w = module.emitWarning(rule.where)
                             << ": matches no weight (the weights: ";
      for (size_t i = 0; i < names.size() && i < 8; ++i)
        w << (i ? ", " : "") << names[i];
      w << (names.size() > 8 ? ", ..." : names.empty() ? "none" : "") << ")";
    }
  }

  std::vector<Rule> rules;
};
} // namespace
