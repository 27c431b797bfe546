//===- Passes.h - CIM pass declarations ---------------------*- C++ -*-===//
//
// Declares the cim dialect's passes (defined in CIMPasses.td), their
// registration, and the pass pipelines that take a model from one compiler
// stage to the next.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_PASSES_H
#define CIM_DIALECT_CIM_PASSES_H

#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace mlir {
class ModuleOp;
namespace arith {
class ArithDialect;
}
namespace tosa {
class TosaDialect;
}
} // namespace mlir

namespace cim {

#define GEN_PASS_DECL
#include "cim/Dialect/CIM/CIMPasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "cim/Dialect/CIM/CIMPasses.h.inc"

/// Imported model -> constant-weight products as cim.linear, placed on a
/// memory technology (stage `cim`).
void buildMapPassPipeline(mlir::OpPassManager &pm,
                          const PlaceWeightsOptions &placement = {});
/// Stage `cim` -> weights split into blocks and packed into arrays (stage
/// `tiled`).
void buildTilePassPipeline(mlir::OpPassManager &pm,
                           const PackTilesOptions &packing = {},
                           const ScheduleODEOptions &schedule = {});
/// Registers the passes and the `cim-map-pipeline` / `cim-tile-pipeline`.
void registerCIMPassesAndPipelines();

} // namespace cim

#endif // CIM_DIALECT_CIM_PASSES_H
