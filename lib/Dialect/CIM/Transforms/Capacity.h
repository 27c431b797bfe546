//===- Capacity.h - The target's capacity, shared by two passes -*- C++ -*-===//
//
// cim-check-capacity (before tiling) and cim-pack-tiles (after packing)
// refuse a model that needs more arrays of a kind than the target has,
// with one error text.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_DIALECT_CIM_TRANSFORMS_CAPACITY_H
#define CIM_LIB_DIALECT_CIM_TRANSFORMS_CAPACITY_H

#include "cim/Dialect/CIM/CIMOps.h"

namespace cim {

/// Emits on `module` the error of a model that needs `arrays` arrays of
/// `kind` (at least that many with `bound`) where `target` has fewer.
void emitCapacityError(mlir::ModuleOp module, TargetAttr target,
                       ArrayKindAttr kind, uint64_t arrays, bool bound);

} // namespace cim

#endif // CIM_LIB_DIALECT_CIM_TRANSFORMS_CAPACITY_H
