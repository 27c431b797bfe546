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

#include "cim/Macro/Slicing.h"

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

/// Result shape of a numpy-style matrix product of `lhs` and `rhs` (dynamic
/// dims as ShapedType::kDynamic); fails if the shapes cannot be multiplied.
mlir::FailureOr<llvm::SmallVector<int64_t>>
inferMatMulShape(llvm::ArrayRef<int64_t> lhs, llvm::ArrayRef<int64_t> rhs);
} // namespace cim

#endif // CIM_DIALECT_CIM_CIMOPS_H
