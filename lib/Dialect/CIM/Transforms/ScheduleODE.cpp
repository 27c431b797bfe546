//===- ScheduleODE.cpp - Analog or digital ODE schedules --------*- C++ -*-===//
//
// Implements `cim-schedule-ode`: chooses where every cim.ode's solver steps
// run. In the analog schedule the tiles of f are read without converters
// (`analog` on their cim.program_tile: f's layers chain as analog voltages,
// its activations act in the periphery) and the state lives in the
// target's analog integrators; the only conversions are a DAC at the ODE's
// input and an ADC at its output. In the digital schedule every layer of f
// keeps its DAC and ADC at every step. `auto` picks analog where the target
// has integrators.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/Passes.h"

#include "mlir/IR/Builders.h"

namespace cim {
#define GEN_PASS_DEF_SCHEDULEODE
#include "cim/Dialect/CIM/CIMPasses.h.inc"
} // namespace cim

using namespace mlir;
using namespace cim;

namespace {

struct ScheduleODEPass : public cim::impl::ScheduleODEBase<ScheduleODEPass> {
  using ScheduleODEBase::ScheduleODEBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<ODESchedule> forced;
    if (schedule == ODEScheduleMode::Analog)
      forced = ODESchedule::analog;
    else if (schedule == ODEScheduleMode::Digital)
      forced = ODESchedule::digital;
    TargetAttr target = lookupTarget(module);
    WalkResult result = module.walk([&](ODEOp ode) {
      ODESchedule chosen = forced.value_or(
          target && target.getIntegrator() ? ODESchedule::analog
                                           : ODESchedule::digital);
      // The integrators realise dt as their gain, up to gain_max.
      IntegratorAttr integrator = target ? target.getIntegrator() : nullptr;
      double dt = ode.getDt().convertToDouble();
      if (chosen == ODESchedule::analog && integrator &&
          dt > integrator.getGainMax().convertToDouble()) {
        if (forced) {
          ode.emitOpError("dt ")
              << dt << " exceeds the integrators' largest gain "
              << integrator.getGainMax().convertToDouble() << " on target '"
              << target.getName() << "'; use the digital schedule";
          return WalkResult::interrupt();
        }
        ode.emitRemark("dt ")
            << dt << " exceeds the integrators' largest gain "
            << integrator.getGainMax().convertToDouble()
            << ": scheduled digitally";
        chosen = ODESchedule::digital;
      }
      if (chosen == ODESchedule::analog && target && !target.getIntegrator())
        ode.emitRemark("analog ODE schedule on target '")
            << target.getName()
            << "', which describes no integrators: the state is assumed "
               "to be held without saturation or noise";
      ode.setScheduleAttr(ODEScheduleAttr::get(&getContext(), chosen));
      if (chosen == ODESchedule::analog && failed(markAnalog(ode)))
        return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

  /// Marks the tiles that f reads `analog`: each must be read by f alone.
  LogicalResult markAnalog(ODEOp ode) {
    SmallVector<ProgramTileOp> tiles;
    ode.getBody().walk([&](MVMOp mvm) {
      if (auto tile = mvm.getTile().getDefiningOp<ProgramTileOp>())
        tiles.push_back(tile);
    });
    for (ProgramTileOp tile : tiles) {
      for (Operation *user : tile->getUsers())
        if (!ode->isProperAncestor(user))
          return tile.emitOpError("is read both inside and outside an analog "
                                  "ODE schedule; compile with the digital "
                                  "schedule");
      tile.setAnalog(true);
    }
    return success();
  }
};
} // namespace
