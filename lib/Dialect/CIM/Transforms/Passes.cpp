//===- Passes.cpp - CIM pass pipelines --------------------------*- C++ -*-===//
//
// The pipelines that take a model from one compiler stage to the next. Each
// is a function (so cim-compile chains them) and a registered pipeline (so
// cim-opt reproduces any stage).
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void cim::buildMapPassPipeline(OpPassManager &pm,
                               const PlaceWeightsOptions &placement) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createRaiseODE());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createMapMatMuls());
  pm.addPass(createPlaceWeights(placement));
}

void cim::buildTilePassPipeline(OpPassManager &pm,
                                const PackTilesOptions &packing,
                                const ScheduleODEOptions &schedule) {
  pm.addPass(createTileWeights());
  pm.addPass(createCanonicalizerPass());
  // CSE first: identical blocks share one tile before arrays are assigned.
  pm.addPass(createCSEPass());
  pm.addPass(createPackTiles(packing));
  pm.addPass(createScheduleODE(schedule));
}

void cim::registerCIMPassesAndPipelines() {
  registerCIMPasses();
  PassPipelineRegistration<>(
      "cim-map-pipeline",
      "Map constant-weight products onto arrays (stage `cim`)",
      [](OpPassManager &pm) { buildMapPassPipeline(pm); });
  PassPipelineRegistration<>(
      "cim-tile-pipeline",
      "Split weights onto the target's arrays (stage `tiled`)",
      [](OpPassManager &pm) { buildTilePassPipeline(pm); });
}
