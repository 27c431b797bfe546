//===- CIMOps.h - CIM attributes, types and operations ------*- C++ -*-===//
//
// Declares everything the cim dialect defines: enums, attributes (the target
// description and readouts), the tile type and the operations.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMOPS_H
#define CIM_DIALECT_CIM_CIMOPS_H

#include "cim/Dialect/CIM/CIMDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "cim/Macro/Limits.h"
#include "cim/Macro/Readout.h"
#include "cim/Macro/Slicing.h"

namespace mlir {
class AsmParser;
class AsmPrinter;
} // namespace mlir

namespace cim {
namespace macro {
inline llvm::hash_code hash_value(const RampStep &step) {
  return llvm::hash_combine(int(step.kind), llvm::bit_cast<uint64_t>(step.a),
                            llvm::bit_cast<uint64_t>(step.b));
}
} // namespace macro

/// The steps of a ramp readout in the IR's syntax: `[tanh]`,
/// `[mul(0.2), add(0.5), clamp(0, 1)]`.
mlir::FailureOr<llvm::SmallVector<macro::RampStep>>
parseRampSteps(mlir::AsmParser &parser);
void printRampSteps(mlir::AsmPrinter &printer,
                    llvm::ArrayRef<macro::RampStep> steps);
} // namespace cim

#include "cim/Dialect/CIM/CIMEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "cim/Dialect/CIM/CIMAttributes.h.inc"

#define GET_TYPEDEF_CLASSES
#include "cim/Dialect/CIM/CIMTypes.h.inc"

#define GET_OP_CLASSES
#include "cim/Dialect/CIM/CIMOps.h.inc"

namespace cim {
/// The `#cim.target` of the module enclosing `op`, or null if there is none.
TargetAttr lookupTarget(mlir::Operation *op);

/// The module's `#cim.target`; emits an error on the module if it has none.
mlir::FailureOr<TargetAttr> requireTarget(mlir::ModuleOp module);

/// What the body of a cim.loop or cim.scan yields back into its carried
/// block argument `arg` for the next iteration; null if `arg` is not
/// carried state (an iteration number, a condition, a scan input) or not a
/// loop's or scan's.
mlir::Value yieldedForCarried(mlir::BlockArgument arg);

/// The value of `v` if it is a splat f32 constant.
std::optional<float> splatF32(mlir::Value v);

/// Result shape of a numpy-style matrix product of `lhs` and `rhs` (dynamic
/// dims as ShapedType::kDynamic); fails if the shapes cannot be multiplied.
mlir::FailureOr<llvm::SmallVector<int64_t>>
inferMatMulShape(llvm::ArrayRef<int64_t> lhs, llvm::ArrayRef<int64_t> rhs);

/// Which of ONNX's `activation_alpha` / `activation_beta` a recurrent
/// activation takes, and their defaults (ONNX's).
struct ActivationParams {
  bool takesAlpha, takesBeta;
  float alpha, beta;
};
ActivationParams getActivationParams(RecurrentActivation act);

/// 2 for a bidirectional recurrent layer, else 1.
inline int64_t getNumDirections(RecurrentDirection direction) {
  return direction == RecurrentDirection::bidirectional ? 2 : 1;
}
} // namespace cim

#endif // CIM_DIALECT_CIM_CIMOPS_H
