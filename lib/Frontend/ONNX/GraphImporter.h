//===- GraphImporter.h - State shared by the ONNX op handlers ---*- C++ -*-===//
//
// The importer walks an ONNX graph in topological order and calls one handler
// per node, looked up by op type. Handlers read their operands from, and
// write their results to, the GraphImporter: a map from ONNX value names to
// MLIR values plus the compile-time constants among them.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_FRONTEND_ONNX_GRAPHIMPORTER_H
#define CIM_LIB_FRONTEND_ONNX_GRAPHIMPORTER_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringMap.h"

#include "onnx/onnx_pb.h"

#include <optional>
#include <string>

namespace cim::onnx_import {

/// Raised by handlers; caught per node and turned into the one-line error
/// `MODEL: node 'NAME' (OpType): MESSAGE`.
struct ImportError {
  std::string message;
};

class GraphImporter {
public:
  GraphImporter(mlir::OpBuilder &builder, llvm::StringRef modelPath,
                int64_t opset)
      : builder(builder), modelPath(modelPath.str()), opset(opset) {}

  mlir::OpBuilder &b() { return builder; }
  int64_t getOpset() const { return opset; }
  llvm::StringRef getModelPath() const { return modelPath; }

  /// The location of the node being imported.
  mlir::Location loc() const { return currentLoc; }
  void setLocation(mlir::Location loc) { currentLoc = loc; }

  /// Binds an ONNX value name. `constant` is its value when known at compile
  /// time (initializers, Constant nodes, constant-folded shapes).
  void define(const std::string &name, mlir::Value value,
              mlir::DenseElementsAttr constant = {});
  /// The MLIR value of an ONNX value name; throws if it is undefined.
  mlir::Value lookup(const std::string &name) const;
  bool isDefined(const std::string &name) const { return values.count(name); }
  /// The compile-time value of `name`, or null.
  mlir::DenseElementsAttr lookupConstant(const std::string &name) const;

  /// Materialises `attr` as an arith.constant.
  mlir::Value constant(mlir::DenseElementsAttr attr);
  /// A rank-`rank` f32 constant filled with `value` (shape 1x...x1).
  mlir::Value scalar(float value, int64_t rank);

  /// Reshapes `v` (as tosa.reshape, or by rewriting a constant) to `shape`.
  /// At most one dimension of `shape` may be dynamic.
  mlir::Value reshape(mlir::Value v, llvm::ArrayRef<int64_t> shape);
  /// Prepends unit dimensions so that `v` has rank `rank` (tosa's binary ops
  /// need equal ranks; numpy broadcasting aligns trailing dimensions).
  mlir::Value expandRank(mlir::Value v, int64_t rank);
  /// Numpy broadcast of two shapes; throws on a mismatch.
  llvm::SmallVector<int64_t> broadcastShape(llvm::ArrayRef<int64_t> a,
                                            llvm::ArrayRef<int64_t> b) const;
  /// A tosa elementwise binary op `OpTy` with numpy broadcasting.
  template <typename OpTy, typename... Extra>
  mlir::Value binary(mlir::Value lhs, mlir::Value rhs, Extra &&...extra) {
    auto lt = llvm::cast<mlir::RankedTensorType>(lhs.getType());
    auto rt = llvm::cast<mlir::RankedTensorType>(rhs.getType());
    int64_t rank = std::max(lt.getRank(), rt.getRank());
    auto shape = broadcastShape(lt.getShape(), rt.getShape());
    auto type = mlir::RankedTensorType::get(shape, lt.getElementType());
    return builder.create<OpTy>(loc(), type, expandRank(lhs, rank),
                                expandRank(rhs, rank),
                                std::forward<Extra>(extra)...);
  }
  /// Transposes a 2-D value (folded for constants).
  mlir::Value transpose2D(mlir::Value v);

private:
  mlir::OpBuilder &builder;
  std::string modelPath;
  int64_t opset;
  mlir::Location currentLoc = mlir::UnknownLoc::get(builder.getContext());
  llvm::StringMap<mlir::Value> values;
  llvm::StringMap<mlir::DenseElementsAttr> constants;
};

/// Reads an ONNX tensor (initializer or Constant attribute) as an attribute.
mlir::DenseElementsAttr convertTensor(const onnx::TensorProto &tensor,
                                      mlir::MLIRContext *context);

/// Converts one node; throws ImportError on anything outside the importer's
/// scope. Returns false if the op type has no handler.
bool importNode(GraphImporter &importer, const onnx::NodeProto &node);

/// The op types with a handler, sorted, for error messages and docs.
std::vector<std::string> supportedOpTypes();

} // namespace cim::onnx_import

#endif // CIM_LIB_FRONTEND_ONNX_GRAPHIMPORTER_H
