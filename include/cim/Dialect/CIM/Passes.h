//===- Passes.h - CIM pass declarations ---------------------*- C++ -*-===//
//
// Declares the cim dialect's passes (defined in CIMPasses.td), their
// registration, and the pass pipelines that take a model from one compiler
// stage to the next. `CompileOptions` and `buildCompilePipeline` are the
// whole compiler between import and the tiled stage: cim-compile calls them,
// and cim-opt runs the same builder as `cim-compile-pipeline{...}`.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_PASSES_H
#define CIM_DIALECT_CIM_PASSES_H

#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

#include <string>
#include <vector>

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

/// Where ODE solver steps run (`cim-schedule-ode`'s `schedule`).
enum class ODEScheduleMode { Auto, Analog, Digital };

/// Whether activations are fused into ramp-ADC readouts: always, never, or
/// where the module's target has a ramp ADC.
enum class FuseMode { Auto, On, Off };

/// The compiler stages after import, in order (`cim-compile --emit`).
enum class CompileStage { Import, Map, Tiled };

#define GEN_PASS_DECL
#include "cim/Dialect/CIM/CIMPasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "cim/Dialect/CIM/CIMPasses.h.inc"

/// Every choice the compiler takes between import and the tiled stage. The
/// defaults are cim-compile's. Files (placement rules, calibrated ramp
/// ranges, target descriptions) are not options: the driver reads them and
/// attaches their contents to the module.
struct CompileOptions {
  /// A target preset that replaces the module's `cim.target`; empty keeps it.
  std::string target;
  /// Lower recurrent layers to time loops of gate products on arrays.
  bool rnnOnArrays = true;
  /// `REGEX=CELL` placement rules and fine-tunable weight regexes.
  std::vector<std::string> placeRules, tunable;
  FuseMode fuseActivations = FuseMode::Auto;
  /// Binary products with a sign activation: `bridge` (binary neurons),
  /// `current-sum` (ADC, then a digital sign) or `auto` (bridge where the
  /// target has bridge neurons).
  std::string bnnMapping = "auto";
  /// Spiking (LIF) layers: `neurons` (the columns' LIF neurons), `digital`
  /// (membranes in the digital unit) or `auto` (neurons where the target
  /// has them).
  std::string snnMapping = "auto";
  /// Real-valued inputs of layers on LIF neurons: `dac`, `rate`, `latency`
  /// or `auto` (latency where the target has LIF neurons).
  std::string inputCoding = "auto";
  /// Ramp ADC resolution of fused activations (0: the target's ADC bits).
  unsigned rampBits = 0;
  /// Bound on |input| of fused layers, for their worst-case ramp range.
  double rampInputRange = 1.0;
  /// Largest relative RMS weight quantisation error the precision policy
  /// accepts, and `N` / `REGEX=N` rules that fix weight bits instead.
  double weightErrorBudget = 0.02;
  std::vector<std::string> weightBits;
  /// Spread the rows of analog products over their tiles' free rows.
  bool splitRows = true;
  /// `K` / `REGEX=K` rules: products programmed K times, reads averaged.
  std::vector<std::string> replicas;
  /// `N` / `REGEX=N` rules: products whose tiles drive at most N rows at
  /// once (less IR drop and narrower ADC windows, more conversions).
  std::vector<std::string> activeRows;
  /// Return the inputs of fusable activations (for calibration).
  bool exposePreactivations = false;
  /// Time-share writable arrays that do not fit, reloading their weights.
  bool allowReload = false;
  /// Split blocks into free array space where that saves arrays.
  bool splitBlocks = true;
  ODEScheduleMode odeSchedule = ODEScheduleMode::Auto;
  /// The last stage to run.
  CompileStage stage = CompileStage::Tiled;
};

/// Imported model -> constant-weight products as cim.linear, placed on a
/// memory technology, activations fused (stage `cim`).
void buildMapPassPipeline(mlir::OpPassManager &pm,
                          const CompileOptions &options = {});
/// Stage `cim` -> weights split into blocks and packed into arrays, ODEs
/// scheduled (stage `tiled`).
void buildTilePassPipeline(mlir::OpPassManager &pm,
                           const CompileOptions &options = {});
/// Imported model -> `options.stage`, after setting the target if given.
void buildCompilePipeline(mlir::OpPassManager &pm,
                          const CompileOptions &options);
/// Registers the passes and the `cim-map-pipeline`, `cim-tile-pipeline` and
/// `cim-compile-pipeline`, all with the options of `CompileOptions`.
void registerCIMPassesAndPipelines();

} // namespace cim

#endif // CIM_DIALECT_CIM_PASSES_H
