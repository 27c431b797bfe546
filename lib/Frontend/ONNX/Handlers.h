//===- Handlers.h - Helpers shared by the ONNX op handlers ------*- C++ -*-===//
//
// Attribute and operand access for handlers, and the registration functions
// through which each family of handlers (math, shape, recurrent, control
// flow) adds its entries to the importer's op table.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_FRONTEND_ONNX_HANDLERS_H
#define CIM_LIB_FRONTEND_ONNX_HANDLERS_H

#include "GraphImporter.h"

#include "llvm/ADT/StringMap.h"

#include <initializer_list>
#include <optional>

namespace cim::onnx_import {

using Node = onnx::NodeProto;
using Handler = void (*)(GraphImporter &, const Node &);
using HandlerTable = llvm::StringMap<Handler>;

void addMathHandlers(HandlerTable &table);
void addShapeHandlers(HandlerTable &table);
void addRecurrentHandlers(HandlerTable &table);
void addControlFlowHandlers(HandlerTable &table);
void addConvHandlers(HandlerTable &table);
void addQuantHandlers(HandlerTable &table);

const onnx::AttributeProto *findAttr(const Node &node, const char *name);
int64_t intAttr(const Node &node, const char *name, int64_t fallback);
float floatAttr(const Node &node, const char *name, float fallback);
std::string stringAttr(const Node &node, const char *name,
                       const std::string &fallback);
/// An ints attribute, or nullopt when absent.
std::optional<llvm::SmallVector<int64_t>> intsAttr(const Node &node,
                                                   const char *name);
/// Rejects attributes a handler does not implement, so they are never
/// silently ignored.
void allowAttrs(const Node &node, std::initializer_list<const char *> known);

/// Operand `i`; throws if it is missing.
mlir::Value operand(GraphImporter &g, const Node &node, int i);
/// Whether optional operand `i` is given.
bool hasOperand(const Node &node, int i);
/// The compile-time value of operand `i` as integers; throws with `what` in
/// the message if it is not a constant.
/// Input `i`'s compile-time constant, or null when it is absent or not
/// constant; an error naming `what` when the constant's element type is not
/// `element` or, for `scalar`, it does not hold exactly one element.
mlir::DenseElementsAttr typedConstant(GraphImporter &g, const Node &node,
                                      int i, mlir::Type element,
                                      const char *what, bool scalar = false);
/// The axes or sizes operand `i` of a node when it is given at run time
/// (not a constant), or null. It must be 1-D int64 of a static length: the
/// result's rank depends on that length.
mlir::Value runtimeVector(GraphImporter &g, const Node &node, int i,
                          const char *what);
llvm::SmallVector<int64_t> constantInts(GraphImporter &g, const Node &node,
                                        int i, const char *what);

mlir::RankedTensorType tensorType(mlir::Value v);
mlir::Type elementType(mlir::Value v);
/// Throws unless `v` is an f32 tensor.
void requireF32(mlir::Value v, const char *what);
/// Binds output `i` of `node` (if the node names it).
void bindResult(GraphImporter &g, const Node &node, mlir::Value v, int i = 0);

/// The most elements a tensor of the model may have: 2^28, a gigabyte of
/// f32, beyond any macro's weights and far below what overflows a count.
constexpr int64_t kMaxTensorElements = int64_t(1) << 28;
/// The element count of `dims`; throws, naming `what`, for a negative
/// dimension or more than kMaxTensorElements elements (checked without
/// overflowing).
int64_t checkElementCount(llvm::ArrayRef<int64_t> dims, const std::string &what);
/// "[2, 3]".
std::string shapeString(llvm::ArrayRef<int64_t> dims);

/// cim.slice with constant parameters (ONNX Slice's clamping), typed
/// statically where the sliced dimension is known.
mlir::Value sliceStatic(GraphImporter &g, mlir::Value x,
                        llvm::ArrayRef<int64_t> starts,
                        llvm::ArrayRef<int64_t> ends,
                        llvm::ArrayRef<int64_t> axes,
                        llvm::ArrayRef<int64_t> steps);

/// `axis` in [-rank, rank) as a non-negative index; throws otherwise.
int64_t normalizeAxis(int64_t axis, int64_t rank);
/// Product of `dims`, dynamic if any is dynamic.
int64_t product(llvm::ArrayRef<int64_t> dims);

} // namespace cim::onnx_import

#endif // CIM_LIB_FRONTEND_ONNX_HANDLERS_H
