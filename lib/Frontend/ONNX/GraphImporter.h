//===- GraphImporter.h - State shared by the ONNX op handlers ---*- C++ -*-===//
//
// The importer walks an ONNX graph in topological order and calls one handler
// per node, looked up by op type. Handlers read their operands from, and
// write their results to, the GraphImporter: a scoped map from ONNX value
// names to MLIR values (a subgraph of Loop, Scan or If sees the values of its
// enclosing graphs). Compile-time constants are the values produced by
// constant ops; handlers create ops with createOrFold so that shape
// computations fold as they are imported.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_FRONTEND_ONNX_GRAPHIMPORTER_H
#define CIM_LIB_FRONTEND_ONNX_GRAPHIMPORTER_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringMap.h"

#include "onnx/onnx_pb.h"

#include <string>

namespace cim::onnx_import {

/// An element type as ONNX names it: float, int64, bool (else MLIR's name).
std::string elementTypeName(mlir::Type type);

/// Raised by handlers; caught per node and turned into the one-line error
/// `MODEL: node 'NAME' (OpType): MESSAGE`.
struct ImportError {
  std::string message;
};

class GraphImporter {
public:
  GraphImporter(mlir::OpBuilder &builder, llvm::StringRef modelPath,
                int64_t opset, const GraphImporter *parent = nullptr)
      : builder(builder), modelPath(modelPath.str()), opset(opset),
        parent(parent) {
    if (parent)
      currentLoc = parent->currentLoc;
  }

  mlir::OpBuilder &b() { return builder; }
  mlir::MLIRContext *getContext() { return builder.getContext(); }
  int64_t getOpset() const { return opset; }
  llvm::StringRef getModelPath() const { return modelPath; }

  /// The location of the node being imported.
  mlir::Location loc() const { return currentLoc; }
  void setLocation(mlir::Location loc) { currentLoc = loc; }

  /// Binds an ONNX value name in this graph's scope.
  void define(const std::string &name, mlir::Value value) {
    values[name] = value;
  }
  /// The MLIR value of an ONNX value name, looked up through enclosing
  /// graphs; throws if it is undefined.
  mlir::Value lookup(const std::string &name) const;
  bool isDefined(const std::string &name) const;
  /// The compile-time value of `name`, or null.
  mlir::DenseElementsAttr lookupConstant(const std::string &name) const;

  /// The ONNX element type a value name is declared with (graph inputs and
  /// outputs, initializers, Constant nodes, and shape inference's value
  /// infos, in every graph of the model), or 0 when none is known. Integer
  /// types narrower than INT64 are widened to i64 here, so handlers whose
  /// semantics depend on the narrow type (saturation ranges) read it here.
  int32_t onnxElementType(const std::string &name) const;
  /// Records the declared element types of `graph` and its subgraphs (the
  /// model's root importer does this once).
  void declareElementTypes(const onnx::GraphProto &graph);

  /// Imports the nodes of `graph` at the insertion point; each failure is
  /// rethrown as `node 'NAME' (OpType): ...`.
  void importNodes(const onnx::GraphProto &graph);

  /// Materialises `attr` as an arith.constant.
  mlir::Value constant(mlir::DenseElementsAttr attr);
  /// A rank-`rank` constant of `elementType` filled with `value`.
  mlir::Value scalar(double value, int64_t rank, mlir::Type elementType);
  mlir::Value scalar(float value, int64_t rank) {
    return scalar(value, rank, builder.getF32Type());
  }
  /// A 1-D i64 constant.
  mlir::Value i64Vector(llvm::ArrayRef<int64_t> values);

  /// Reshapes `v` (as tosa.reshape, or by rewriting a constant) to `shape`.
  /// At most one dimension of `shape` may be dynamic.
  mlir::Value reshape(mlir::Value v, llvm::ArrayRef<int64_t> shape);
  /// Prepends unit dimensions so that `v` has rank `rank` (tosa's binary ops
  /// need equal ranks; numpy broadcasting aligns trailing dimensions).
  mlir::Value expandRank(mlir::Value v, int64_t rank);
  /// Numpy broadcast of two shapes; throws on a mismatch.
  llvm::SmallVector<int64_t> broadcastShape(llvm::ArrayRef<int64_t> a,
                                            llvm::ArrayRef<int64_t> b) const;
  /// A tosa elementwise op `OpTy` on `lhs` and `rhs` with numpy broadcasting
  /// and result element type `resultElement` (the operands' if null).
  template <typename OpTy, typename... Extra>
  mlir::Value broadcastOp(mlir::Type resultElement, mlir::Value lhs,
                          mlir::Value rhs, Extra &&...extra) {
    auto lt = llvm::cast<mlir::RankedTensorType>(lhs.getType());
    auto rt = llvm::cast<mlir::RankedTensorType>(rhs.getType());
    // ONNX's checker lets a mismatch through; tosa's folders would read
    // one operand's data as the other's type.
    if (lt.getElementType() != rt.getElementType())
      throw ImportError{"operands have different element types (" +
                        elementTypeName(lt.getElementType()) + " and " +
                        elementTypeName(rt.getElementType()) + ")"};
    int64_t rank = std::max(lt.getRank(), rt.getRank());
    auto shape = broadcastShape(lt.getShape(), rt.getShape());
    auto type = mlir::RankedTensorType::get(
        shape, resultElement ? resultElement : lt.getElementType());
    return builder.createOrFold<OpTy>(loc(), type, expandRank(lhs, rank),
                                      expandRank(rhs, rank),
                                      std::forward<Extra>(extra)...);
  }
  template <typename OpTy, typename... Extra>
  mlir::Value binary(mlir::Value lhs, mlir::Value rhs, Extra &&...extra) {
    return broadcastOp<OpTy>(mlir::Type(), lhs, rhs,
                             std::forward<Extra>(extra)...);
  }
  /// Elementwise a * b (tosa.mul with shift 0).
  mlir::Value mul(mlir::Value a, mlir::Value b);
  /// Transposes a 2-D value (folded for constants).
  mlir::Value transpose2D(mlir::Value v);
  /// tosa.transpose with a constant permutation.
  mlir::Value transpose(mlir::Value v, llvm::ArrayRef<int64_t> perms);

private:
  mlir::OpBuilder &builder;
  std::string modelPath;
  int64_t opset;
  const GraphImporter *parent;
  mlir::Location currentLoc = mlir::UnknownLoc::get(builder.getContext());
  llvm::StringMap<mlir::Value> values;
  llvm::StringMap<int32_t> elementTypes;
};

/// The MLIR element type of an ONNX tensor element type: FLOAT -> f32,
/// INT64, INT32, INT8 and UINT8 -> i64 (widened), BOOL -> i1; throws for
/// anything else.
mlir::Type convertElementType(int32_t onnxType, mlir::MLIRContext *context,
                              const std::string &what);
/// The ranked tensor type of a graph input or output; `what` names it in
/// errors.
mlir::RankedTensorType convertValueType(const onnx::ValueInfoProto &info,
                                        mlir::MLIRContext *context,
                                        const std::string &what);
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
