//===- Importer.h - ONNX model importer ---------------------*- C++ -*-===//
//
// Turns an ONNX model file into a module holding one `func.func @main` built
// from tosa, arith and cim ops. The ONNX library stays behind this header:
// callers see only MLIR types and an error string.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_FRONTEND_ONNX_IMPORTER_H
#define CIM_FRONTEND_ONNX_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace cim {

/// Name of the argument/result attribute that keeps ONNX graph I/O names.
inline constexpr llvm::StringLiteral kOnnxNameAttr = "cim.name";

/// Imports the ONNX model at `path`. On failure returns null and sets `error`
/// to one line naming the file and, where there is one, the node and op, e.g.
/// `model.onnx: node 'conv1' (Conv): unsupported op`.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxModel(llvm::StringRef path,
                                                  mlir::MLIRContext &context,
                                                  std::string &error);

/// Imports a model from its bytes as importOnnxModel does from a file:
/// `path` names the model in errors and locations, and external data is
/// read from files in `dataDir`.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxModelBytes(llvm::StringRef bytes, llvm::StringRef path,
                     llvm::StringRef dataDir, mlir::MLIRContext &context,
                     std::string &error);

/// The ONNX op types the importer handles, sorted.
std::vector<std::string> supportedOnnxOps();

/// Registers the dialects the importer produces.
void registerImporterDialects(mlir::DialectRegistry &registry);

} // namespace cim

#endif // CIM_FRONTEND_ONNX_IMPORTER_H
