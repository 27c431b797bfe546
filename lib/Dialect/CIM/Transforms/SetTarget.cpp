//===- SetTarget.cpp - Set the module's target preset -----------*- C++ -*-===//
//
// Implements `cim-set-target`: replaces the module's `cim.target` with a
// built-in preset, so that `cim-compile-pipeline{target=...}` chooses the
// target as `cim-compile --target` does. Only presets: target files are read
// by the driver, passes read no files.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/Passes.h"
#include "cim/Target/TargetDescription.h"

namespace cim {
#define GEN_PASS_DEF_SETTARGET
#include "cim/Dialect/CIM/CIMPasses.h.inc"
} // namespace cim

using namespace mlir;
using namespace cim;

namespace {
struct SetTargetPass : public cim::impl::SetTargetBase<SetTargetPass> {
  using SetTargetBase::SetTargetBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (const TargetDesc &preset : targetPresets()) {
      if (preset.name != target.getValue())
        continue;
      module->setAttr(CIMDialect::getTargetAttrName(),
                      preset.toAttr(getContext()));
      return;
    }
    module.emitError("cim-set-target: unknown target preset '")
        << target << "' (cim-compile --list-targets lists them; target "
                     "files are read by cim-compile --target)";
    signalPassFailure();
  }
};
} // namespace
