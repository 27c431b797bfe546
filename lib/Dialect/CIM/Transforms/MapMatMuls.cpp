//===- MapMatMuls.cpp - Move constant-weight products onto arrays -*- C++ -*-===//
//
// Implements `cim-map-matmuls`: a matrix product whose right operand is a
// constant 2-D matrix becomes a `cim.linear` read out through the target's
// ADC. Products with run-time operands stay in the digital unit, because the
// arrays are programmed once when a model is loaded.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"

namespace cim {
#define GEN_PASS_DEF_MAPMATMULS
#include "cim/Dialect/CIM/CIMPasses.h.inc"
} // namespace cim

using namespace mlir;
using namespace cim;

namespace {
struct MapMatMulsPass : public cim::impl::MapMatMulsBase<MapMatMulsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<TargetAttr> target = requireTarget(module);
    if (failed(target))
      return signalPassFailure();
    auto readout = ADCReadoutAttr::get(&getContext(), target->getAdcBits());
    module.walk([&](MatMulOp op) {
      auto rhsType = op.getRhs().getType();
      if (rhsType.getRank() != 2 || !rhsType.hasStaticShape() ||
          !matchPattern(op.getRhs(), m_Constant())) {
        return;
      }
      OpBuilder builder(op);
      auto linear = builder.create<LinearOp>(op.getLoc(), op.getType(),
                                             op.getLhs(), op.getRhs(), readout,
                                             /*placement=*/nullptr,
                                             op.getWeightNameAttr(),
                                             /*bias_row=*/nullptr,
                                             /*weight_bits=*/nullptr,
                                             /*replica=*/nullptr,
                                             /*step=*/nullptr,
                                             /*input_coding=*/nullptr);
      op.replaceAllUsesWith(linear.getResult());
      op.erase();
    });
  }
};
} // namespace
