//===- RaiseLIF.cpp - Recognise unrolled LIF layers -------------*- C++ -*-===//
//
// Implements `cim-raise-lif`. A time step of a leaky integrate-and-fire
// layer, as an unrolled export writes it, is
//
//   v   = add(mul(v_prev, beta), I)     (or add(v_prev, I): beta = 1)
//   g   = greater(v, theta)             (or greater_equal)
//   s   = cast(g) to f32
//   v'  = sub(v, s) | sub(v, mul(s, theta))            reset by subtraction
//       | select(g, 0, v) | mul(v, sub(1, s))          reset to zero
//
// Steps are found from their comparisons, linked through v' -> v_prev into
// chains, and a chain with one beta, theta, comparison and reset becomes a
// cim.lif. Anything that reads a membrane outside the chain, a current
// that depends on the chain's own spikes, or parameters that change
// between steps leave the chain as it is.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/Passes.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Analysis/TopologicalSortUtils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"

namespace cim {
#define GEN_PASS_DEF_RAISELIF
#include "cim/Dialect/CIM/CIMPasses.h.inc"
} // namespace cim

using namespace mlir;
using namespace cim;

namespace {

/// True if `v` is zero everywhere: a zero splat constant or a
/// constant_of_shape of 0.
bool isZero(Value v) {
  if (splatF32(v) == 0.0f)
    return true;
  auto fill = v.getDefiningOp<ConstantOfShapeOp>();
  return fill && fill.getValue().convertToDouble() == 0.0;
}

/// The only user of `v`, or null.
Operation *singleUser(Value v) {
  return v.hasOneUse() ? *v.getUsers().begin() : nullptr;
}

/// One recognised time step.
struct Step {
  Value membrane;           // v after integration
  Operation *compare;       // greater / greater_equal
  CastOp spike;             // s
  Operation *reset = nullptr; // its result is v', null when nothing resets
  SmallVector<Operation *> resetHelpers; // mul(s, theta), sub(1, s)
  float theta;
  bool ge;
  std::optional<ResetMode> resetMode;
  // Integration, filled in by link().
  Operation *add = nullptr, *leak = nullptr; // leak: the mul by beta
  Value previous, current;
  float beta = 1;
  // A refractory step's current is current * (1 - gate), gate a spike.
  Value gate;
  SmallVector<Operation *> gateOps;
};

/// Splits `v` = x * (1 - s) (either order, single uses) into x and s.
bool matchGate(Value v, Value &x, Value &s, SmallVector<Operation *> &ops) {
  auto mul = v.getDefiningOp<tosa::MulOp>();
  if (!mul || mul.getShift() != 0 || !mul->hasOneUse())
    return false;
  for (int i = 0; i < 2; ++i) {
    auto keep = mul->getOperand(1 - i).getDefiningOp<tosa::SubOp>();
    if (keep && keep->hasOneUse() && splatF32(keep.getInput1()) == 1.0f &&
        keep.getInput2().getDefiningOp<CastOp>()) {
      x = mul->getOperand(i);
      s = keep.getInput2();
      ops.assign({mul, keep});
      return true;
    }
  }
  return false;
}

/// Recognises the reset of `step` among the membrane's users; false if a
/// membrane user is neither the comparison nor a reset.
bool matchReset(Step &step) {
  Value v = step.membrane, s = step.spike.getResult();
  for (Operation *user : v.getUsers()) {
    if (user == step.compare)
      continue;
    if (step.reset)
      return false; // read twice
    if (auto sub = dyn_cast<tosa::SubOp>(user);
        sub && sub.getInput1() == v) {
      Value amount = sub.getInput2();
      if (amount == s && step.theta == 1.0f) {
        step.reset = sub;
      } else if (auto mul = amount.getDefiningOp<tosa::MulOp>();
                 mul && mul->hasOneUse() && mul.getShift() == 0 &&
                 ((mul.getInput1() == s &&
                   splatF32(mul.getInput2()) == step.theta) ||
                  (mul.getInput2() == s &&
                   splatF32(mul.getInput1()) == step.theta))) {
        step.reset = sub;
        step.resetHelpers.push_back(mul);
      } else {
        return false;
      }
      step.resetMode = ResetMode::subtract;
      continue;
    }
    if (auto select = dyn_cast<tosa::SelectOp>(user);
        select && select.getPred() == step.compare->getResult(0) &&
        select.getOnTrue() != v && isZero(select.getOnTrue()) &&
        select.getOnFalse() == v) {
      step.reset = select;
      step.resetMode = ResetMode::zero;
      continue;
    }
    if (auto mul = dyn_cast<tosa::MulOp>(user); mul && mul.getShift() == 0) {
      Value other = mul.getInput1() == v ? mul.getInput2() : mul.getInput1();
      auto keep = other.getDefiningOp<tosa::SubOp>();
      if (keep && keep->hasOneUse() && keep.getInput2() == s &&
          splatF32(keep.getInput1()) == 1.0f) {
        step.reset = mul;
        step.resetHelpers.push_back(keep);
        step.resetMode = ResetMode::zero;
        continue;
      }
    }
    return false;
  }
  return true;
}

/// A step whose comparison is `op`, or nothing.
std::optional<Step> matchStep(Operation *op) {
  bool ge = isa<tosa::GreaterEqualOp>(op);
  if (!ge && !isa<tosa::GreaterOp>(op))
    return std::nullopt;
  Value v = op->getOperand(0);
  std::optional<float> theta = splatF32(op->getOperand(1));
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!theta || !type || !type.getElementType().isF32())
    return std::nullopt;
  // The spike: one cast to f32; a zero reset may also select on the
  // comparison.
  CastOp spike;
  for (Operation *user : op->getResult(0).getUsers())
    if (auto cast = dyn_cast<CastOp>(user);
        cast && !spike && cast.getType() == v.getType())
      spike = cast;
    else if (!isa<tosa::SelectOp>(user))
      return std::nullopt;
  if (!spike)
    return std::nullopt;
  Step step{v, op, spike};
  step.theta = *theta;
  step.ge = ge;
  if (!matchReset(step))
    return std::nullopt;
  // The comparison's selects must all be the reset.
  for (Operation *user : op->getResult(0).getUsers())
    if (user != spike && user != step.reset)
      return std::nullopt;
  return step;
}

/// True if `v` is a membrane a cim.loop or cim.scan body carries, and its
/// yield takes `reset`'s result in the same place.
bool carriedByLoop(Value v, Operation *reset) {
  auto arg = dyn_cast<BlockArgument>(v);
  return arg && reset && reset->getResult(0).hasOneUse() &&
         yieldedForCarried(arg) == reset->getResult(0);
}

struct RaiseLIFPass : public cim::impl::RaiseLIFBase<RaiseLIFPass> {
  void runOnOperation() override {
    // Raising a chain changes the IR the next one is found in (its spikes
    // become the op's results): one chain at a time until none is left.
    while (true) {
      bool changed = false;
      getOperation().walk([&](Block *block) {
        if (!changed && raiseOne(*block))
          changed = true;
      });
      if (!changed)
        break;
    }
  }

  /// Fills in how `step` integrates: from the reset of a step in `byReset`
  /// or from a membrane before the chain.
  void link(Step &step, const DenseMap<Value, size_t> &byReset) {
    auto add = step.membrane.getDefiningOp<tosa::AddOp>();
    if (!add) {
      step.current = step.membrane; // v_1 = I_1 (zero membrane folded away)
      return;
    }
    auto leakOf = [&](Value operand, Value &previous, float &beta,
                      Operation *&leak) {
      auto mul = operand.getDefiningOp<tosa::MulOp>();
      if (mul && mul.getShift() == 0 && mul->hasOneUse()) {
        for (int i = 0; i < 2; ++i) {
          std::optional<float> b = splatF32(mul->getOperand(1 - i));
          Value v = mul->getOperand(i);
          if (b && (!matchPattern(v, m_Constant()) || isZero(v))) {
            previous = mul->getOperand(i);
            beta = *b;
            leak = mul;
            return true;
          }
        }
      }
      return false;
    };
    // Prefer the operand that continues a recognised step, then a zero
    // initial membrane, then the only leaky operand.
    int chosen = -1;
    Value previous[2];
    float beta[2] = {1, 1};
    Operation *leak[2] = {nullptr, nullptr};
    bool leaky[2];
    for (int i = 0; i < 2; ++i) {
      Value operand = add->getOperand(i);
      leaky[i] = leakOf(operand, previous[i], beta[i], leak[i]);
      if (!leaky[i] && byReset.count(operand))
        previous[i] = operand; // beta = 1
    }
    for (int i = 0; i < 2 && chosen < 0; ++i)
      if (previous[i] && byReset.count(previous[i]))
        chosen = i;
    for (int i = 0; i < 2 && chosen < 0; ++i)
      if (leaky[i] && isZero(previous[i]))
        chosen = i;
    if (chosen < 0 && leaky[0] != leaky[1])
      chosen = leaky[0] ? 0 : 1;
    if (chosen < 0) {
      step.current = step.membrane;
      return;
    }
    step.add = add;
    step.leak = leak[chosen];
    step.previous = previous[chosen];
    step.beta = beta[chosen];
    step.current = add->getOperand(1 - chosen);
    Value x, s;
    if (matchGate(step.current, x, s, step.gateOps)) {
      step.current = x;
      step.gate = s;
    }
  }

  /// Raises the first chain in `block`; true if it did.
  bool raiseOne(Block &block) {
    if (block.empty() || !block.mightHaveTerminator())
      return false;
    SmallVector<Step> steps;
    for (Operation &op : block)
      if (std::optional<Step> step = matchStep(&op))
        steps.push_back(*step);
    if (steps.empty())
      return false;
    DenseMap<Value, size_t> byReset;
    for (auto [i, step] : llvm::enumerate(steps))
      if (step.reset)
        byReset[step.reset->getResult(0)] = i;
    // next[i]: the step that integrates step i's reset.
    SmallVector<int> next(steps.size(), -1);
    SmallVector<bool> hasPrevious(steps.size(), false);
    for (auto [j, step] : llvm::enumerate(steps)) {
      link(step, byReset);
      if (step.previous)
        if (auto it = byReset.find(step.previous); it != byReset.end()) {
          next[it->second] = int(j);
          hasPrevious[j] = true;
        }
    }
    for (size_t head = 0; head < steps.size(); ++head) {
      if (hasPrevious[head])
        continue;
      SmallVector<Step *> chain;
      for (int i = int(head); i >= 0; i = next[size_t(i)])
        chain.push_back(&steps[size_t(i)]);
      if (raise(block, chain))
        return true;
    }
    return false;
  }

  bool raise(Block &block, ArrayRef<Step *> chain) {
    Step &first = *chain.front();
    // A single step needs an explicit leak of a zero membrane or of the
    // membrane a loop carries (whose yield takes the step's reset), or it
    // is just a threshold (or a step of a chain that could not be raised).
    if (chain.size() == 1 && !(first.add && first.leak &&
                               (isZero(first.previous) ||
                                carriedByLoop(first.previous, first.reset))))
      return false;
    for (Step *step : chain) {
      // The last step's reset may be gone (nothing read it).
      if (step->theta != first.theta || step->ge != first.ge ||
          (step->resetMode && step->resetMode != first.resetMode))
        return false;
      // beta is the leak of every step after the first (and of the first
      // when it has one); a bare first step has a zero membrane.
      if (step != &first && step->beta != chain[1]->beta)
        return false;
      // Every reset but the last feeds only the next step's integration.
      if (step != chain.back() && !singleUser(step->reset->getResult(0)))
        return false;
    }
    // Refractory: every step after the first gated by the spike before it.
    bool refractory = chain.size() > 1 && chain[1]->gate;
    for (auto [k, step] : llvm::enumerate(chain)) {
      Value want = k && refractory ? chain[k - 1]->spike.getResult() : Value();
      if (step->gate != want)
        return false;
    }
    float beta = chain.size() > 1 ? chain[1]->beta : first.beta;
    if (first.add && first.leak && first.beta != beta)
      return false;
    if (!first.resetMode && chain.size() > 1)
      return false;
    // Every intermediate value is the chain's own.
    llvm::SetVector<Operation *> ops;
    for (Step *step : chain) {
      if (step->add)
        ops.insert(step->add);
      if (step->leak)
        ops.insert(step->leak);
      ops.insert(step->compare);
      ops.insert(step->spike);
      if (step->reset)
        ops.insert(step->reset);
      ops.insert(step->resetHelpers.begin(), step->resetHelpers.end());
      ops.insert(step->gateOps.begin(), step->gateOps.end());
    }
    for (Step *step : chain)
      if (step->add &&
          !llvm::hasNItems(step->membrane.use_begin(), step->membrane.use_end(),
                           step->reset ? 2 : 1))
        return false;
    // No current may depend on the chain (a recurrent layer).
    for (Step *step : chain) {
      SetVector<Operation *> slice;
      BackwardSliceOptions options;
      options.inclusive = true;
      if (Operation *def = step->current.getDefiningOp()) {
        getBackwardSlice(def, &slice, options);
        for (Operation *op : slice)
          if (ops.contains(op))
            return false;
      }
    }
    Value init;
    if (first.add && first.previous && !isZero(first.previous)) {
      init = first.previous;
      if (failed(verifyCompatibleShape(init.getType(),
                                       first.current.getType())))
        return false;
    }
    Type type = first.current.getType();
    for (Step *step : chain)
      if (step->current.getType() != type || step->membrane.getType() != type)
        return false;

    // Build the op before the block's terminator; the block is sorted
    // afterwards so that it comes after its currents and before its users.
    OpBuilder b(block.getTerminator());
    SmallVector<Value> currents;
    for (Step *step : chain)
      currents.push_back(step->current);
    SmallVector<Type> resultTypes(chain.size() + 1, type);
    MLIRContext *ctx = b.getContext();
    auto lif = b.create<LIFOp>(
        first.compare->getLoc(), resultTypes, /*bias=*/Value(), init, currents,
        b.getF64FloatAttr(beta), b.getF64FloatAttr(first.theta),
        b.getStringAttr(first.ge ? "ge" : "gt"),
        ResetModeAttr::get(ctx, first.resetMode.value_or(ResetMode::subtract)),
        b.getI64IntegerAttr(refractory ? 1 : 0), /*neurons=*/UnitAttr());
    for (auto [i, step] : llvm::enumerate(chain))
      step->spike.getResult().replaceAllUsesWith(lif.getSpikes()[i]);
    if (Operation *last = chain.back()->reset)
      last->getResult(0).replaceAllUsesWith(lif.getMembrane());
    // Erase the chain, users first.
    SmallVector<Operation *> order(ops.begin(), ops.end());
    bool erased = true;
    while (erased) {
      erased = false;
      for (Operation *&op : order)
        if (op && op->use_empty()) {
          op->erase();
          op = nullptr;
          erased = true;
        }
    }
    if (!sortTopologically(&block))
      lif.emitError("could not order the raised LIF layer");
    return true;
  }
};
} // namespace
