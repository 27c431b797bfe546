//===- TargetDescription.h - Hardware targets ---------------*- C++ -*-===//
//
// Built-in target presets and target description files (JSON). Both resolve
// to the `#cim.target` attribute that the passes read from the module: the
// kinds of arrays, the converters and the cost figures.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TARGET_TARGETDESCRIPTION_H
#define CIM_TARGET_TARGETDESCRIPTION_H

#include "cim/Dialect/CIM/CIMOps.h"

#include "llvm/Support/JSON.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cim {

struct ArrayDesc {
  std::string name;
  CellTech cell;
  unsigned rows, cols, bitsPerCell, count;
  WeightEncoding encoding;
  unsigned weightBits = 0; // 0: one cell (pair) per weight, no slicing
  double gMinUs = 0, gMaxUs = 0; // conductance range (rram); 0, 0: not given
  unsigned spareRows = 0, spareCols = 0; // per array, kept for faulty lines
};

struct LIFDesc {
  double threshold, leak;
  ResetMode reset;
};

struct IntegratorDesc {
  double gainMax, leak, vSat, noise;
};

/// A target as the presets and files describe it.
struct TargetDesc {
  std::string name;
  std::string summary;
  std::vector<ArrayDesc> arrays;
  unsigned dacBits, adcBits;
  /// Cost-model figures by key (energy in pJ, latency in ns, area in mm2);
  /// see docs/Targets.md.
  std::vector<std::pair<std::string, double>> costs;
  /// Input precision; above dacBits inputs are bit-serial. 0: dacBits.
  unsigned inputBits = 0;
  ADCKind adcKind = ADCKind::uniform;
  unsigned macros = 1;       // every array count is per macro
  unsigned digitalLanes = 1; // parallel lanes of the digital unit
  std::optional<LIFDesc> lif;
  std::optional<IntegratorDesc> integrator;
  bool bridgeNeurons = false; // capacitive sign neurons reading RRAM bridges

  TargetAttr toAttr(mlir::MLIRContext &context) const;
};

/// The built-in presets, default first.
const std::vector<TargetDesc> &targetPresets();

/// Resolves a preset name, or else reads a JSON target file. On failure
/// returns null and sets `error` to one line naming the file and the path
/// of the bad field (e.g. `arrays[1].rows`).
TargetAttr resolveTarget(llvm::StringRef nameOrPath, mlir::MLIRContext &context,
                         std::string &error);

/// Reads and parses a JSON file the compiler takes (a target, placement
/// rules, ramp ranges; `what` names its role in errors). Nesting deeper than
/// 64 levels is refused before parsing, as the parser recurses; a file of
/// more than 16 MiB is not read. On failure returns nothing and sets `error`
/// to one line starting with the path.
std::optional<llvm::json::Value> readJsonFile(llvm::StringRef path,
                                              llvm::StringRef what,
                                              std::string &error);
/// Parses JSON text as readJsonFile does (the same nesting bound); `path`
/// names it in errors.
std::optional<llvm::json::Value> parseJsonText(llvm::StringRef text,
                                               llvm::StringRef path,
                                               std::string &error);

/// Reads the JSON text of a target description as resolveTarget reads a
/// file; `path` names it in errors.
TargetAttr parseTargetJson(llvm::StringRef json, llvm::StringRef path,
                           mlir::MLIRContext &context, std::string &error);

} // namespace cim

#endif // CIM_TARGET_TARGETDESCRIPTION_H
