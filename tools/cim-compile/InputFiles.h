//===- InputFiles.h - Files cim-compile reads for the passes ----*- C++ -*-===//
//
// The passes read no files: cim-compile reads the placement file and the
// calibrated ramp ranges, validates them, and attaches their contents to the
// module as the `cim.placement` and `cim.ramp_ranges` attributes that
// `cim-place-weights` and `cim-fuse-activations` read.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TOOLS_CIM_COMPILE_INPUTFILES_H
#define CIM_TOOLS_CIM_COMPILE_INPUTFILES_H

#include "mlir/IR/BuiltinAttributes.h"

#include <string>

namespace cim {

/// Reads a placement file, `{"place": {"REGEX": "CELL", ...}, "tunable":
/// ["REGEX", ...]}`, as `{place = {...}, tunable = [...]}`. On failure
/// returns null and sets `error` to one line naming the file and field.
mlir::DictionaryAttr readPlacementFile(llvm::StringRef path,
                                       mlir::MLIRContext &context,
                                       std::string &error);

/// Reads calibrated pre-activation ranges, `{"NAME": [lo, hi], ...}`, as
/// `{NAME = [lo, hi], ...}` of f64. On failure returns null and sets `error`.
mlir::DictionaryAttr readRampRangesFile(llvm::StringRef path,
                                        mlir::MLIRContext &context,
                                        std::string &error);

} // namespace cim

#endif // CIM_TOOLS_CIM_COMPILE_INPUTFILES_H
