//===- ArtifactEmitter.h - Write the compiled artifact ------*- C++ -*-===//
//
// Serialises a tiled module (func @main of tosa, arith and cim ops, with a
// `cim.target`) into the protobuf artifact that libcimrt loads.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TARGET_ARTIFACTEMITTER_H
#define CIM_TARGET_ARTIFACTEMITTER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace cim {

/// Writes the artifact for `module` to `os`: binary protobuf, or protobuf
/// text format when `text` is set. Reports problems as diagnostics on the
/// offending op and fails without writing anything. `tileOps`, if given,
/// receives the `cim.program_tile` op of each tile, by tile id.
mlir::LogicalResult emitArtifact(mlir::ModuleOp module, llvm::raw_ostream &os,
                                 bool text,
                                 std::vector<mlir::Operation *> *tileOps = nullptr);

/// Every kernel name the emitter may write into an artifact; the runtime's
/// kernel table must have each (test/Target/KernelContractTest.cpp).
std::vector<std::string> emittableKernels();

} // namespace cim

#endif // CIM_TARGET_ARTIFACTEMITTER_H
