//===- RaiseODE.cpp - Recognise ODE solves ----------------------*- C++ -*-===//
//
// Implements `cim-raise-ode`. A solver step is recognised algebraically: its
// result, written as a linear combination of "atoms" through tosa.add,
// tosa.sub and multiplications by scalar constants, must be
//
//   Euler: h + dt k1                          k1 = f(h)
//   RK4:   h + dt/6 (k1 + 2 k2 + 2 k3 + k4)   k1 = f(h), k2 = f(h + dt/2 k1),
//                                             k3 = f(h + dt/2 k2),
//                                             k4 = f(h + dt k3)
//
// where every k is an evaluation of the same f: a computation whose only
// non-constant input is its argument, holding at least one constant-weight
// product, and structurally equal (same ops, attributes and constants)
// across evaluations. A cim.loop whose body is one such step of its only
// carried value, with a constant-true condition, becomes a cim.ode with the
// loop's trip count; a chain of two or more such steps with the same f,
// solver and dt becomes a cim.ode with that many steps. f moves into the
// ode's body. Anything else is left as it is.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/Passes.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

#include <cmath>

namespace cim {
#define GEN_PASS_DEF_RAISEODE
#include "cim/Dialect/CIM/CIMPasses.h.inc"
} // namespace cim

using namespace mlir;
using namespace cim;

namespace {

/// A value as sum_i coefficient_i * atom_i.
using LinComb = llvm::MapVector<Value, double>;

std::optional<double> scalarConstant(Value v) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.isSplat() ||
      !attr.getElementType().isF32())
    return std::nullopt;
  return attr.getSplatValue<APFloat>().convertToDouble();
}

bool isConstant(Value v) { return matchPattern(v, m_Constant()); }

/// Adds `coefficient * v` to `out`, expanding additions, subtractions and
/// products with scalar constants down to atoms; `stop` is always an atom.
/// Every value passed on the way goes to `visited` if given.
void linearize(Value v, double coefficient, LinComb &out, Value stop = Value(),
               SmallVectorImpl<Value> *visited = nullptr, int depth = 0) {
  if (visited)
    visited->push_back(v);
  Operation *def = v.getDefiningOp();
  if (def && v != stop && depth < 64) {
    auto recurse = [&](Value operand, double c) {
      linearize(operand, c, out, stop, visited, depth + 1);
    };
    // Additions of two non-constant values are linear; an addition of a
    // constant (a bias) is part of an atom.
    if (auto add = dyn_cast<tosa::AddOp>(def);
        add && !isConstant(add.getInput1()) && !isConstant(add.getInput2())) {
      recurse(add.getInput1(), coefficient);
      recurse(add.getInput2(), coefficient);
      return;
    }
    if (auto sub = dyn_cast<tosa::SubOp>(def);
        sub && !isConstant(sub.getInput1()) && !isConstant(sub.getInput2())) {
      recurse(sub.getInput1(), coefficient);
      recurse(sub.getInput2(), -coefficient);
      return;
    }
    if (auto mul = dyn_cast<tosa::MulOp>(def); mul && mul.getShift() == 0) {
      if (auto c = scalarConstant(mul.getInput2())) {
        recurse(mul.getInput1(), coefficient * *c);
        return;
      }
      if (auto c = scalarConstant(mul.getInput1())) {
        recurse(mul.getInput2(), coefficient * *c);
        return;
      }
    }
  }
  out[v] += coefficient;
}

bool near(double a, double b) {
  return std::fabs(a - b) <= 1e-6 * std::max(std::fabs(a), std::fabs(b));
}

/// One evaluation of f: its argument, its ops in block order, its result.
struct Evaluation {
  Value argument, result;
  SmallVector<Operation *> ops;
};

/// True if `v` is defined by a step's linear algebra (an addition or
/// subtraction of two non-constant values, or a product with a scalar
/// constant): where an evaluation of f starts.
bool isLinearStep(Value v) {
  Operation *def = v.getDefiningOp();
  if (!def)
    return false;
  if (isa<tosa::AddOp, tosa::SubOp>(def))
    return !isConstant(def->getOperand(0)) && !isConstant(def->getOperand(1));
  if (auto mul = dyn_cast<tosa::MulOp>(def))
    return scalarConstant(mul.getInput1()) || scalarConstant(mul.getInput2());
  return false;
}

/// The evaluation of f computing `k`: its backward slice within the block,
/// stopping at `state`, at block arguments and at linear step values. It
/// must have exactly one such input (the argument), otherwise only
/// constants, and at least one constant-weight product.
std::optional<Evaluation> evaluationOf(Value k, Value state) {
  Operation *root = k.getDefiningOp();
  if (!root || k == state || isLinearStep(k))
    return std::nullopt;
  Block *block = root->getBlock();
  llvm::SetVector<Operation *> slice;
  SmallVector<Operation *> work{root};
  Value argument;
  bool product = false;
  while (!work.empty()) {
    Operation *op = work.pop_back_val();
    if (!slice.insert(op))
      continue;
    if (op->getNumRegions() != 0 || op->getNumResults() != 1 ||
        !isMemoryEffectFree(op))
      return std::nullopt;
    product |= isa<MatMulOp, LinearOp>(op);
    for (Value operand : op->getOperands()) {
      if (isConstant(operand))
        continue;
      Operation *def = operand.getDefiningOp();
      bool inside = def && def->getBlock() == block;
      if (inside && operand != state && !isLinearStep(operand)) {
        work.push_back(def);
        continue;
      }
      if (argument && argument != operand)
        return std::nullopt; // a second input: not an evaluation of f(h)
      argument = operand;
    }
  }
  if (!argument || !product)
    return std::nullopt;
  Evaluation e{argument, k, {}};
  for (Operation &op : *block)
    if (slice.contains(&op))
      e.ops.push_back(&op);
  return e;
}

/// True if two evaluations are the same computation of their arguments.
bool sameFunction(const Evaluation &a, const Evaluation &b) {
  if (a.ops.size() != b.ops.size())
    return false;
  IRMapping map;
  map.map(a.argument, b.argument);
  for (auto [x, y] : llvm::zip(a.ops, b.ops)) {
    if (x->getName() != y->getName() || x->getAttrs() != y->getAttrs() ||
        x->getResultTypes() != y->getResultTypes() ||
        x->getNumOperands() != y->getNumOperands())
      return false;
    for (auto [u, v] : llvm::zip(x->getOperands(), y->getOperands())) {
      Attribute cu, cv;
      if (matchPattern(u, m_Constant(&cu)) &&
          matchPattern(v, m_Constant(&cv))) {
        if (cu != cv)
          return false;
      } else if (map.lookupOrNull(u) != v) {
        return false;
      }
    }
    map.map(x->getResult(0), y->getResult(0));
  }
  return map.lookupOrNull(a.result) == b.result;
}

/// A recognised solver step: state -> next.
struct Step {
  Value state, next;
  ODESolver solver;
  double dt;
  SmallVector<Evaluation> evaluations; // k1 (and k2..k4 for RK4)
  SmallVector<Operation *> combination; // the step's own linear ops
};

/// The ops computing `v` by linear algebra from the atoms (v's linearize
/// tree), added to `ops`.
void linearOps(Value v, Value stop, llvm::SetVector<Operation *> &ops) {
  if (v == stop || !isLinearStep(v))
    return;
  Operation *def = v.getDefiningOp();
  ops.insert(def);
  for (Value operand : def->getOperands())
    if (!isConstant(operand))
      linearOps(operand, stop, ops);
}

/// `next` as a step of `state`, if it is an Euler or RK4 step.
std::optional<Step> recogniseStepOf(Value next, Value state) {
  LinComb lc;
  linearize(next, 1.0, lc, state);
  if (!lc.count(state) || !near(lc[state], 1.0))
    return std::nullopt;
  // The other atoms are evaluations of f, with their coefficients.
  SmallVector<std::pair<Evaluation, double>> ks;
  for (auto [atom, c] : lc) {
    if (atom == state)
      continue;
    std::optional<Evaluation> e = evaluationOf(atom, state);
    if (!e)
      return std::nullopt;
    ks.push_back({*e, c});
  }
  // The argument of an evaluation as state + coeff * previous.
  auto argumentIs = [&](const Evaluation &e, Value previous, double coeff) {
    LinComb arg;
    linearize(e.argument, 1.0, arg, state);
    return arg.size() == 2 && arg.count(state) && near(arg[state], 1.0) &&
           arg.count(previous) && near(arg[previous], coeff);
  };
  Step step{state, next, ODESolver::euler, 0.0, {}, {}};
  if (ks.size() == 1 && ks[0].first.argument == state) {
    step.dt = ks[0].second;
    step.evaluations.push_back(ks[0].first);
  } else if (ks.size() == 4) {
    // k1 takes the state; k(i+1) takes the state plus a multiple of k(i).
    SmallVector<std::pair<Evaluation, double>> ordered;
    for (auto &k : ks)
      if (k.first.argument == state)
        ordered.push_back(k);
    while (ordered.size() == 1 || (ordered.size() > 1 && ordered.size() < 4)) {
      Value previous = ordered.back().first.result;
      auto it = llvm::find_if(ks, [&](auto &k) {
        LinComb arg;
        linearize(k.first.argument, 1.0, arg, state);
        return k.first.argument != state && arg.count(previous);
      });
      if (it == ks.end())
        break;
      ordered.push_back(*it);
    }
    if (ordered.size() != 4)
      return std::nullopt;
    double dt = ordered[0].second * 6;
    if (!near(ordered[1].second, dt / 3) || !near(ordered[2].second, dt / 3) ||
        !near(ordered[3].second, dt / 6) ||
        !argumentIs(ordered[1].first, ordered[0].first.result, dt / 2) ||
        !argumentIs(ordered[2].first, ordered[1].first.result, dt / 2) ||
        !argumentIs(ordered[3].first, ordered[2].first.result, dt))
      return std::nullopt;
    step.solver = ODESolver::rk4;
    // dt itself is k4's coefficient (dt / 6 is rounded in f32).
    LinComb x4;
    linearize(ordered[3].first.argument, 1.0, x4, state);
    step.dt = x4[ordered[2].first.result];
    for (auto &k : ordered)
      step.evaluations.push_back(k.first);
  } else {
    return std::nullopt;
  }
  if (!(step.dt > 0))
    return std::nullopt;
  for (const Evaluation &e : step.evaluations)
    if (!sameFunction(step.evaluations[0], e))
      return std::nullopt;
  llvm::SetVector<Operation *> combination;
  linearOps(next, state, combination);
  for (const Evaluation &e : step.evaluations)
    linearOps(e.argument, state, combination);
  step.combination.assign(combination.begin(), combination.end());
  return step;
}

/// Recognises `next` as an Euler or RK4 step of some value it is computed
/// from (tried in the order the linear algebra reaches them).
std::optional<Step> recogniseStep(Value next) {
  if (!isLinearStep(next))
    return std::nullopt;
  SmallVector<Value> candidates;
  LinComb all;
  linearize(next, 1.0, all, Value(), &candidates);
  for (Value state : candidates)
    if (state != next)
      if (std::optional<Step> step = recogniseStepOf(next, state))
        return step;
  return std::nullopt;
}

struct RaiseODEPass : public cim::impl::RaiseODEBase<RaiseODEPass> {
  void runOnOperation() override {
    SmallVector<LoopOp> loops;
    getOperation().walk([&](LoopOp loop) { loops.push_back(loop); });
    for (LoopOp loop : loops)
      raiseLoop(loop);
    SmallVector<Block *> blocks;
    getOperation().walk([&](Block *block) { blocks.push_back(block); });
    for (Block *block : blocks)
      raiseChains(*block);
  }

  /// Builds `cim.ode` before `at` with f cloned from `e` (constants
  /// cloned into the body too).
  ODEOp buildODE(OpBuilder &b, Location loc, Value init, const Step &step,
                 Value steps, std::optional<int64_t> numSteps) {
    auto ode = b.create<ODEOp>(
        loc, init.getType(), init, steps,
        ODESolverAttr::get(b.getContext(), step.solver),
        b.getF64FloatAttr(step.dt), b.getF64FloatAttr(0.0),
        numSteps ? b.getI64IntegerAttr(*numSteps) : IntegerAttr(),
        ODEScheduleAttr());
    Block *body = b.createBlock(&ode.getBody(), {}, {init.getType()}, {loc});
    OpBuilder inner = OpBuilder::atBlockEnd(body);
    const Evaluation &f = step.evaluations.front();
    IRMapping map;
    map.map(f.argument, body->getArgument(0));
    for (Operation *op : f.ops) {
      for (Value operand : op->getOperands())
        if (!map.contains(operand))
          if (Operation *def = operand.getDefiningOp();
              def && isConstant(operand))
            map.map(operand, inner.clone(*def)->getResult(0));
      inner.clone(*op, map);
    }
    inner.create<YieldOp>(loc, map.lookup(f.result));
    b.setInsertionPointAfter(ode);
    return ode;
  }

  /// A cim.loop of one Euler or RK4 step of its only carried value.
  void raiseLoop(LoopOp loop) {
    if (loop.getInitial().size() != 1 || loop.getNumResults() != 1 ||
        !loop.getMaxTripCount())
      return;
    if (Value cond = loop.getCondition()) {
      DenseElementsAttr c;
      if (!matchPattern(cond, m_Constant(&c)) || !c.getSplatValue<bool>())
        return;
    }
    Block &body = loop.getBody().front();
    auto yield = cast<YieldOp>(body.getTerminator());
    Value yieldedCond = yield.getValues()[0];
    DenseElementsAttr c;
    if (yieldedCond != body.getArgument(1) &&
        !(matchPattern(yieldedCond, m_Constant(&c)) && c.getSplatValue<bool>()))
      return;
    std::optional<Step> step = recogniseStep(yield.getValues()[1]);
    if (!step || step->state != body.getArgument(2))
      return;
    OpBuilder b(loop);
    std::optional<int64_t> numSteps;
    Value steps = loop.getMaxTripCount();
    DenseIntElementsAttr count;
    if (matchPattern(steps, m_Constant(&count))) {
      numSteps = count.getSplatValue<APInt>().getSExtValue();
      steps = Value();
    }
    ODEOp ode =
        buildODE(b, loop.getLoc(), loop.getInitial()[0], *step, steps, numSteps);
    loop.getResult(0).replaceAllUsesWith(ode.getResult());
    loop.erase();
  }

  /// Chains of two or more steps of the same f, solver and dt.
  void raiseChains(Block &block) {
    SmallVector<Step> steps;
    for (Operation &op : block)
      if (op.getNumResults() == 1)
        if (std::optional<Step> step = recogniseStep(op.getResult(0)))
          steps.push_back(*step);
    // A value can start several recognised steps: an RK4 step's inner
    // combinations h + c k look like Euler steps too. Chains follow steps
    // of one solver, dt and f.
    DenseMap<Value, SmallVector<size_t>> byState;
    for (auto [i, step] : llvm::enumerate(steps))
      byState[step.state].push_back(i);
    auto continues = [&](const Step &a, const Step &b) {
      return b.solver == a.solver && near(b.dt, a.dt) &&
             sameFunction(a.evaluations[0], b.evaluations[0]);
    };
    // Find every chain first, then raise them: raising erases ops that
    // other (overlapping) candidate steps refer to.
    SmallVector<SmallVector<const Step *>> chains;
    for (const Step &first : steps) {
      bool isStart = llvm::none_of(steps, [&](const Step &s) {
        return s.next == first.state && continues(s, first);
      });
      if (!isStart)
        continue;
      SmallVector<const Step *> chain{&first};
      while (true) {
        const Step *next = nullptr;
        for (size_t i : byState.lookup(chain.back()->next))
          if (continues(first, steps[i]))
            next = &steps[i];
        if (!next)
          break;
        chain.push_back(next);
      }
      if (chain.size() >= 2 && exclusive(chain))
        chains.push_back(std::move(chain));
    }
    DenseSet<Operation *> erased;
    for (ArrayRef<const Step *> chain : chains) {
      SmallVector<Operation *> ops = chainOps(chain);
      if (llvm::any_of(ops, [&](Operation *op) { return erased.contains(op); }))
        continue; // overlaps a chain raised already
      const Step &first = *chain.front();
      Operation *last = chain.back()->next.getDefiningOp();
      OpBuilder b(last->getBlock(), ++Block::iterator(last));
      ODEOp ode = buildODE(b, last->getLoc(), first.state, first, Value(),
                           int64_t(chain.size()));
      Value(chain.back()->next).replaceAllUsesWith(ode.getResult());
      for (Operation *op : ops)
        if (op->use_empty()) {
          erased.insert(op);
          op->erase();
        }
    }
  }

  /// Every op of the chain's steps, in reverse block order.
  static SmallVector<Operation *> chainOps(ArrayRef<const Step *> chain) {
    llvm::SetVector<Operation *> ops;
    for (const Step *step : chain) {
      for (const Evaluation &e : step->evaluations)
        ops.insert(e.ops.begin(), e.ops.end());
      ops.insert(step->combination.begin(), step->combination.end());
    }
    SmallVector<Operation *> sorted(ops.begin(), ops.end());
    llvm::sort(sorted, [](Operation *a, Operation *b) {
      return b->isBeforeInBlock(a);
    });
    return sorted;
  }

  /// True if nothing outside the chain uses its values but its last state.
  static bool exclusive(ArrayRef<const Step *> chain) {
    SmallVector<Operation *> ops = chainOps(chain);
    DenseSet<Operation *> inChain(ops.begin(), ops.end());
    Value last = chain.back()->next;
    for (Operation *op : ops)
      for (Value result : op->getResults())
        if (result != last)
          for (Operation *user : result.getUsers())
            if (!inChain.contains(user))
              return false;
    return true;
  }

};

} // namespace
