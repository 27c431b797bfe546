//===- Passes.cpp - CIM pass pipelines --------------------------*- C++ -*-===//
//
// The pipelines that take a model from one compiler stage to the next, and
// the whole compiler as one pipeline. Each is a function of CompileOptions
// (cim-compile calls `buildCompilePipeline`) and a registered pipeline with
// the same options spelled as cim-compile's flags, so cim-opt reproduces any
// stage of any cim-compile run.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/Passes.h"

#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace cim;

void cim::buildMapPassPipeline(OpPassManager &pm,
                               const CompileOptions &options) {
  if (options.rnnOnArrays)
    pm.addPass(createLowerRecurrent());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createRaiseODE());
  pm.addPass(createRaiseLIF());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createMapMatMuls());
  PlaceWeightsOptions placement;
  placement.overrides = options.placeRules;
  placement.tunable = options.tunable;
  pm.addPass(createPlaceWeights(placement));
  FuseSignNeuronsOptions neurons;
  neurons.mapping = options.bnnMapping;
  pm.addPass(createFuseSignNeurons(neurons));
  MapLIFNeuronsOptions lif;
  lif.mode = options.snnMapping;
  lif.inputCoding = options.inputCoding;
  pm.addPass(createMapLIFNeurons(lif));
  if (options.fuseActivations != FuseMode::Off) {
    FuseActivationsOptions fusion;
    fusion.bits = options.rampBits;
    fusion.inputRange = options.rampInputRange;
    // `auto` depends on the module's target, which only the pass sees.
    fusion.rampTargetsOnly = options.fuseActivations == FuseMode::Auto;
    pm.addPass(createFuseActivations(fusion));
  }
  // Capacity as soon as every product has its kind of array, at one cell
  // per weight (the fewest the precision policy can give): a model that
  // cannot fit is refused before the precision search, tiling and packing
  // take their time. The tile pipeline checks again with the chosen bits.
  CheckCapacityOptions capacity;
  capacity.allowReload = options.allowReload;
  pm.addPass(createCheckCapacity(capacity));
  ChoosePrecisionOptions precision;
  precision.errorBudget = options.weightErrorBudget;
  precision.rules = options.weightBits;
  pm.addPass(createChoosePrecision(precision));
  if (options.splitRows) {
    SplitRowsOptions rows;
    rows.activeRows = options.activeRows;
    pm.addPass(createSplitRows(rows));
  }
  if (!options.replicas.empty()) {
    ReplicateWeightsOptions replication;
    replication.rules = options.replicas;
    pm.addPass(createReplicateWeights(replication));
  }
  if (options.exposePreactivations)
    pm.addPass(createExposePreactivations());
}

void cim::buildTilePassPipeline(OpPassManager &pm,
                                const CompileOptions &options) {
  // Capacity again, with the chosen weight bits, row copies and replicas,
  // before tiling and packing.
  CheckCapacityOptions capacity;
  capacity.allowReload = options.allowReload;
  pm.addPass(createCheckCapacity(capacity));
  TileWeightsOptions tiling;
  tiling.rules = options.activeRows;
  pm.addPass(createTileWeights(tiling));
  pm.addPass(createCanonicalizerPass());
  // CSE first: identical blocks share one tile before arrays are assigned.
  pm.addPass(createCSEPass());
  PackTilesOptions packing;
  packing.allowReload = options.allowReload;
  packing.allowSplit = options.splitBlocks;
  pm.addPass(createPackTiles(packing));
  ScheduleODEOptions schedule;
  schedule.schedule = options.odeSchedule;
  pm.addPass(createScheduleODE(schedule));
}

void cim::buildCompilePipeline(OpPassManager &pm,
                               const CompileOptions &options) {
  if (!options.target.empty()) {
    SetTargetOptions target;
    target.target = options.target;
    pm.addPass(createSetTarget(target));
  }
  if (options.stage >= CompileStage::Map)
    buildMapPassPipeline(pm, options);
  if (options.stage >= CompileStage::Tiled)
    buildTilePassPipeline(pm, options);
}

namespace {
/// CompileOptions as pipeline options, named like cim-compile's flags.
struct CompilePipelineOptions
    : public PassPipelineOptions<CompilePipelineOptions> {
  Option<std::string> target{
      *this, "target",
      llvm::cl::desc("Target preset that replaces the module's cim.target "
                     "(default: keep it)")};
  Option<bool> rnnOnArrays{
      *this, "rnn-on-arrays",
      llvm::cl::desc("Lower recurrent layers to time loops of gate products "
                     "on arrays (false: keep them digital)"),
      llvm::cl::init(true)};
  ListOption<std::string> place{
      *this, "place",
      llvm::cl::desc("REGEX=CELL: weights whose ONNX name matches REGEX go "
                     "to CELL (rram, rom or sram) arrays")};
  ListOption<std::string> tunable{
      *this, "tunable",
      llvm::cl::desc("REGEX: fine-tunable weights (placed on SRAM)")};
  Option<FuseMode> fuseActivations{
      *this, "fuse-activations",
      llvm::cl::desc("Fuse monotonic activations into ramp-ADC readouts"),
      llvm::cl::init(FuseMode::Auto),
      llvm::cl::values(
          clEnumValN(FuseMode::On, "on", "always"),
          clEnumValN(FuseMode::Off, "off", "never"),
          clEnumValN(FuseMode::Auto, "auto",
                     "where the target's ADC is a ramp"))};
  Option<std::string> bnnMapping{
      *this, "bnn-mapping",
      llvm::cl::desc("Binary products with a sign activation: bridge "
                     "(binary neurons), current-sum (ADC, then a digital "
                     "sign) or auto (bridge where the target has bridge "
                     "neurons)"),
      llvm::cl::init("auto")};
  Option<std::string> snnMapping{
      *this, "snn-mapping",
      llvm::cl::desc("Spiking (LIF) layers: neurons (the columns' LIF "
                     "neurons), digital (membranes in the digital unit) or "
                     "auto (neurons where the target has them)"),
      llvm::cl::init("auto")};
  Option<std::string> inputCoding{
      *this, "input-coding",
      llvm::cl::desc("Real-valued inputs of layers on LIF neurons: dac, "
                     "rate, latency or auto (latency where the target has "
                     "LIF neurons)"),
      llvm::cl::init("auto")};
  Option<unsigned> rampBits{
      *this, "ramp-bits",
      llvm::cl::desc("Ramp ADC resolution (0: the target's ADC bits)"),
      llvm::cl::init(0)};
  Option<double> rampInputRange{
      *this, "ramp-input-range",
      llvm::cl::desc("Bound on |input| of fused layers, for their ramp range"),
      llvm::cl::init(1.0)};
  Option<bool> exposePreactivations{
      *this, "expose-preactivations",
      llvm::cl::desc("Return the inputs of fusable activations as outputs"),
      llvm::cl::init(false)};
  Option<double> weightErrorBudget{
      *this, "weight-error-budget",
      llvm::cl::desc("Largest relative RMS weight quantisation error the "
                     "precision policy accepts"),
      llvm::cl::init(0.02)};
  ListOption<std::string> weightBits{
      *this, "weight-bits",
      llvm::cl::desc("N, or REGEX=N: fixed weight bits (0: the kind's)")};
  Option<bool> splitRows{
      *this, "split-rows",
      llvm::cl::desc("Spread the rows of analog products over their tiles' "
                     "free rows (false: one row per input)"),
      llvm::cl::init(true)};
  ListOption<std::string> replicas{
      *this, "replicate",
      llvm::cl::desc("K, or REGEX=K: program the matching products K times "
                     "and average their reads")};
  ListOption<std::string> activeRows{
      *this, "active-rows",
      llvm::cl::desc("N, or REGEX=N: the matching products' tiles drive at "
                     "most N rows at once")};
  Option<bool> allowReload{
      *this, "allow-reload",
      llvm::cl::desc("Time-share writable arrays that do not fit"),
      llvm::cl::init(false)};
  Option<bool> splitBlocks{
      *this, "split-blocks",
      llvm::cl::desc("Split blocks into free array space where that saves "
                     "arrays"),
      llvm::cl::init(true)};
  Option<ODEScheduleMode> odeSchedule{
      *this, "ode-schedule",
      llvm::cl::desc("Where ODE solver steps run"),
      llvm::cl::init(ODEScheduleMode::Auto),
      llvm::cl::values(
          clEnumValN(ODEScheduleMode::Analog, "analog", "integrators"),
          clEnumValN(ODEScheduleMode::Digital, "digital",
                     "converters at every step"),
          clEnumValN(ODEScheduleMode::Auto, "auto",
                     "analog where the target has integrators"))};
  Option<CompileStage> emit{
      *this, "emit",
      llvm::cl::desc("Last stage to run (cim-compile-pipeline only)"),
      llvm::cl::init(CompileStage::Tiled),
      llvm::cl::values(
          clEnumValN(CompileStage::Import, "import", "none"),
          clEnumValN(CompileStage::Map, "cim", "products on arrays"),
          clEnumValN(CompileStage::Tiled, "tiled", "weights tiled"))};

  CompileOptions get() const {
    CompileOptions options;
    options.target = target;
    options.rnnOnArrays = rnnOnArrays;
    options.placeRules.assign(place.begin(), place.end());
    options.tunable.assign(tunable.begin(), tunable.end());
    options.fuseActivations = fuseActivations;
    options.rampBits = rampBits;
    options.bnnMapping = bnnMapping;
    options.snnMapping = snnMapping;
    options.inputCoding = inputCoding;
    options.rampInputRange = rampInputRange;
    options.exposePreactivations = exposePreactivations;
    options.weightErrorBudget = weightErrorBudget;
    options.weightBits.assign(weightBits.begin(), weightBits.end());
    options.splitRows = splitRows;
    options.replicas.assign(replicas.begin(), replicas.end());
    options.activeRows.assign(activeRows.begin(), activeRows.end());
    options.allowReload = allowReload;
    options.splitBlocks = splitBlocks;
    options.odeSchedule = odeSchedule;
    options.stage = emit;
    return options;
  }
};
} // namespace

void cim::registerCIMPassesAndPipelines() {
  registerCIMPasses();
  PassPipelineRegistration<CompilePipelineOptions>(
      "cim-map-pipeline",
      "Map constant-weight products onto arrays (stage `cim`)",
      [](OpPassManager &pm, const CompilePipelineOptions &options) {
        buildMapPassPipeline(pm, options.get());
      });
  PassPipelineRegistration<CompilePipelineOptions>(
      "cim-tile-pipeline",
      "Split weights onto the target's arrays (stage `tiled`)",
      [](OpPassManager &pm, const CompilePipelineOptions &options) {
        buildTilePassPipeline(pm, options.get());
      });
  PassPipelineRegistration<CompilePipelineOptions>(
      "cim-compile-pipeline",
      "The whole compiler from an imported model (cim-compile --emit=tiled)",
      [](OpPassManager &pm, const CompilePipelineOptions &options) {
        buildCompilePipeline(pm, options.get());
      });
}
