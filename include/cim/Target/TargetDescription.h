//===- TargetDescription.h - Hardware targets ---------------*- C++ -*-===//
//
// Built-in target presets and target description files (JSON). Both resolve
// to the `#cim.target` attribute that the passes read from the module.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TARGET_TARGETDESCRIPTION_H
#define CIM_TARGET_TARGETDESCRIPTION_H

#include "cim/Dialect/CIM/CIMOps.h"

#include <string>
#include <vector>

namespace cim {

struct TargetPreset {
  const char *name;
  const char *summary;
  unsigned rows, cols;
  CellTech cell;
  unsigned bitsPerCell, dacBits, adcBits;
};

/// The built-in presets, default first.
llvm::ArrayRef<TargetPreset> targetPresets();

/// Resolves a preset name, or else reads a JSON target file. On failure
/// returns null and sets `error` to one line naming the file and the field.
TargetAttr resolveTarget(llvm::StringRef nameOrPath, mlir::MLIRContext &context,
                         std::string &error);

} // namespace cim

#endif // CIM_TARGET_TARGETDESCRIPTION_H
