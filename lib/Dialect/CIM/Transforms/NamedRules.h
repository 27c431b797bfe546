//===- NamedRules.h - `N` / `REGEX=N` pass options ---------------*- C++ -*-===//
//
// Options that set a number per product by ONNX weight name
// (cim-choose-precision's weight-bits, cim-replicate-weights' replicate):
// `N` applies to every product, `REGEX=N` to those whose whole name
// matches; the first matching rule wins.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_DIALECT_CIM_TRANSFORMS_NAMEDRULES_H
#define CIM_LIB_DIALECT_CIM_TRANSFORMS_NAMEDRULES_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Regex.h"

#include <optional>
#include <string>
#include <vector>

namespace cim {

/// Most rows an `active-rows` rule may name (cim-tile-weights and
/// cim-split-rows read the same rules).
inline constexpr unsigned kMaxActiveRows = 1u << 20;

struct NamedRule {
  std::optional<llvm::Regex> regex; // none: every product
  unsigned value = 0;
};

/// Parses `texts`; a bad rule or a value outside [min, max] is an error on
/// `module` naming `option`.
inline mlir::FailureOr<std::vector<NamedRule>>
parseNamedRules(mlir::ModuleOp module, llvm::ArrayRef<std::string> texts,
                llvm::StringRef option, unsigned min, unsigned max) {
  std::vector<NamedRule> rules;
  for (const std::string &text : texts) {
    NamedRule rule;
    llvm::StringRef pattern, value = text;
    if (size_t eq = value.rfind('='); eq != llvm::StringRef::npos)
      std::tie(pattern, value) =
          std::make_pair(value.take_front(eq), value.drop_front(eq + 1));
    if (value.getAsInteger(10, rule.value) || rule.value < min ||
        rule.value > max)
      return module.emitError() << option << " rule '" << text
                                << "': expected N or REGEX=N with N in ["
                                << min << ", " << max << "]";
    if (!pattern.empty()) {
      rule.regex.emplace(("^(" + pattern + ")$").str());
      std::string error;
      if (!rule.regex->isValid(error))
        return module.emitError()
               << option << " rule '" << text << "': bad regex: " << error;
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

/// The first rule matching `name`, or null.
inline const NamedRule *matchRule(llvm::ArrayRef<NamedRule> rules,
                                  llvm::StringRef name) {
  for (const NamedRule &rule : rules)
    if (!rule.regex || rule.regex->match(name))
      return &rule;
  return nullptr;
}

} // namespace cim

#endif // CIM_LIB_DIALECT_CIM_TRANSFORMS_NAMEDRULES_H
