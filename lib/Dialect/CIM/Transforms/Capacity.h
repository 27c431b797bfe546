//===- Capacity.h - The target's capacity, shared by two passes -*- C++ -*-===//
//
// cim-check-capacity (before tiling) and cim-pack-tiles (after packing)
// refuse a model that needs more arrays of a kind than the target has,
// with one error text. cim-check-capacity and cim-split-rows count a
// product's cells, and cim-tile-weights and cim-split-rows its row blocks,
// the same way.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_DIALECT_CIM_TRANSFORMS_CAPACITY_H
#define CIM_LIB_DIALECT_CIM_TRANSFORMS_CAPACITY_H

#include "NamedRules.h"

#include "cim/Dialect/CIM/CIMOps.h"

namespace cim {

/// Emits on `module` the error of a model that needs `arrays` arrays of
/// `kind` (at least that many with `bound`) where `target` has fewer.
void emitCapacityError(mlir::ModuleOp module, TargetAttr target,
                       ArrayKindAttr kind, uint64_t arrays, bool bound);

/// Cells `op`'s weight takes on `kind`: its rows times the array columns
/// of its weight columns at its weight bits.
uint64_t weightCells(LinearOp op, ArrayKindAttr kind);

/// Rows of one block of `op` on `kind`: the usable rows, or fewer where an
/// `active-rows` rule matches its weight name.
int64_t rowsPerBlock(LinearOp op, ArrayKindAttr kind,
                     llvm::ArrayRef<NamedRule> activeRows);

} // namespace cim

#endif // CIM_LIB_DIALECT_CIM_TRANSFORMS_CAPACITY_H
