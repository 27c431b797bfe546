//===- ReplicateWeights.cpp - Average reads of replicated products -*- C++ -*-=//
//
// Implements `cim-replicate-weights`: a product matched by a `replicate` rule
// becomes K copies programmed into separate cells, averaged digitally.
//
//===----------------------------------------------------------------------===//

#include "NamedRules.h"

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"

namespace cim {
#define GEN_PASS_DEF_REPLICATEWEIGHTS
#include "cim/Dialect/CIM/CIMPasses.h.inc"
} // namespace cim

using namespace mlir;
using namespace cim;

namespace {

/// Most copies of one product a rule may ask for.
constexpr unsigned kMaxReplicas = 64;

struct ReplicateWeightsPass
    : public cim::impl::ReplicateWeightsBase<ReplicateWeightsPass> {
  using ReplicateWeightsBase::ReplicateWeightsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<std::vector<NamedRule>> parsed =
        parseNamedRules(module, rules, "replicate", 1, kMaxReplicas);
    if (failed(parsed))
      return signalPassFailure();
    if (parsed->empty())
      return;
    SmallVector<LinearOp> products;
    module.walk([&](LinearOp op) {
      if (!op.getReplica())
        products.push_back(op);
    });
    for (LinearOp op : products)
      if (const NamedRule *rule =
              matchRule(*parsed, op.getWeightName().value_or("")))
        if (rule->value > 1) {
          // A mean of sign decisions is no decision: binary neurons keep
          // one copy.
          if (isa<SignReadoutAttr>(op.getReadout())) {
            op.emitRemark("binary neurons are not replicated: their "
                          "decisions cannot be averaged");
            continue;
          }
          replicate(op, rule->value);
        }
  }

  void replicate(LinearOp op, unsigned copies) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    // The product's users read the mean instead.
    SmallVector<OpOperand *> uses;
    for (OpOperand &use : op.getResult().getUses())
      uses.push_back(&use);
    op.setReplicaAttr(b.getI64IntegerAttr(0));
    b.setInsertionPointAfter(op);
    Value sum = op.getResult();
    for (unsigned k = 1; k < copies; ++k) {
      auto copy = cast<LinearOp>(b.clone(*op));
      copy.setReplicaAttr(b.getI64IntegerAttr(k));
      sum = b.create<tosa::AddOp>(loc, type, sum, copy.getResult());
    }
    // Times 1/K, a constant of the result's rank broadcast over it.
    SmallVector<int64_t> ones(type.getRank(), 1);
    auto scalarType = RankedTensorType::get(ones, type.getElementType());
    Value inverse = b.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(scalarType, 1.0f / float(copies)));
    Value mean = b.create<tosa::MulOp>(loc, type, sum, inverse,
                                       b.getI8IntegerAttr(0));
    for (OpOperand *use : uses)
      use->set(mean);
  }
};
} // namespace
