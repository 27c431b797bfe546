//===- FuseActivations.cpp - Activations into ramp-ADC readouts -*- C++ -*-===//
//
// Implements `cim-fuse-activations`: a `cim.linear` (plus a constant bias)
// followed by a monotonic activation becomes one `cim.linear` read out
// through a ramp ADC that computes the activation. The bias moves into an
// extra weight row driven by a constant 1, so every column shares one ramp.
// The ramp's thresholds are the activation's inverse at the midpoints
// between the output codes; the ramp column's cells hold the steps between
// thresholds. Cases that cannot be fused keep their ADC and digital
// activation, with a remark saying why.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/Passes.h"
#include "cim/Macro/Limits.h"
#include "cim/Macro/Conductance.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/Support/Format.h"

#include <cmath>
#include <functional>
#include <map>

namespace cim {
#define GEN_PASS_DEF_FUSEACTIVATIONS
#define GEN_PASS_DEF_EXPOSEPREACTIVATIONS
#include "cim/Dialect/CIM/CIMPasses.h.inc"
} // namespace cim

using namespace mlir;
using namespace cim;

namespace {

/// One elementwise step of a fused function.
/// A step of the function, as the ramp readout holds it.
using Step = macro::RampStep;
using StepKind = macro::RampStepKind;

/// The function a chain of elementwise ops computes, and its name in the
/// ramp readout: the steps in order, e.g. "mul(0.2) add(0.5) clamp(0,1)";
/// a single tanh, sigmoid or clamp to [0, inf) is "tanh", "sigmoid",
/// "relu".
struct Activation {
  SmallVector<Step> steps;
  SmallVector<Operation *> ops;

  double f(double v) const {
    for (const Step &s : steps)
      v = s(v);
    return v;
  }
  double inverse(double y) const {
    for (const Step &s : llvm::reverse(steps))
      y = s.inverse(y);
    return y;
  }
  bool nonlinear() const {
    return llvm::any_of(steps, [](const Step &s) { return !s.linear(); });
  }
  /// The steps the readout holds: a clamp to [0, inf) is a relu.
  SmallVector<Step> readoutSteps() const {
    SmallVector<Step> out;
    for (const Step &s : steps)
      out.push_back(s.kind == StepKind::Clamp && s.a == 0 && s.b >= 1e30
                        ? Step{StepKind::Relu}
                        : s);
    return out;
  }
  /// A name for remarks: the readout's steps, e.g. "mul(0.2) add(0.5)
  /// clamp(0,1)".
  std::string name() const {
    std::string out;
    llvm::raw_string_ostream os(out);
    for (const Step &s : readoutSteps()) {
      if (!out.empty())
        os << " ";
      os << macro::rampStepName(s.kind);
      unsigned args = macro::rampStepArguments(s.kind);
      if (args > 0)
        os << "(" << llvm::format("%.9g", s.a);
      if (args > 1)
        os << "," << llvm::format("%.9g", s.b);
      if (args > 0)
        os << ")";
    }
    return out;
  }
};

/// The steps `op` applies to its operand `in`, if it is a monotonic
/// elementwise op of `in` and constants.
std::optional<SmallVector<Step, 2>> stepsOf(Operation *op, Value in) {
  using K = StepKind;
  if (isa<tosa::TanhOp>(op))
    return SmallVector<Step, 2>{{K::Tanh}};
  if (isa<tosa::SigmoidOp>(op))
    return SmallVector<Step, 2>{{K::Sigmoid}};
  if (isa<tosa::ExpOp>(op))
    return SmallVector<Step, 2>{{K::Exp}};
  if (isa<tosa::LogOp>(op))
    return SmallVector<Step, 2>{{K::Log}};
  if (isa<tosa::NegateOp>(op))
    return SmallVector<Step, 2>{{K::Mul, -1.0}};
  if (auto clamp = dyn_cast<tosa::ClampOp>(op))
    return SmallVector<Step, 2>{{K::Clamp, clamp.getMinFp().convertToDouble(),
                                 clamp.getMaxFp().convertToDouble()}};
  if (op->getNumOperands() != 2 || op->getOperand(0) == op->getOperand(1))
    return std::nullopt;
  bool first = op->getOperand(0) == in;
  std::optional<float> c = splatF32(op->getOperand(first ? 1 : 0));
  if (!c)
    return std::nullopt;
  if (auto mul = dyn_cast<tosa::MulOp>(op))
    return mul.getShift() == 0 ? std::optional(SmallVector<Step, 2>{{K::Mul, *c}})
                               : std::nullopt;
  if (isa<tosa::AddOp>(op))
    return SmallVector<Step, 2>{{K::Add, *c}};
  if (isa<tosa::SubOp>(op))
    return first ? SmallVector<Step, 2>{{K::Add, -*c}}
                 : SmallVector<Step, 2>{{K::Mul, -1.0}, {K::Add, *c}};
  return std::nullopt;
}

/// The longest chain of single-use monotonic elementwise ops from `value`
/// that contains a nonlinear step (trailing scalar products and sums
/// included), or nothing.
std::optional<Activation> activationFrom(Value value) {
  Activation act;
  while (value.hasOneUse()) {
    Operation *user = *value.getUsers().begin();
    if (user->getNumResults() != 1 ||
        user->getResult(0).getType() != value.getType())
      break;
    std::optional<SmallVector<Step, 2>> steps = stepsOf(user, value);
    if (!steps)
      break;
    act.steps.append(steps->begin(), steps->end());
    act.ops.push_back(user);
    value = user->getResult(0);
  }
  if (!act.nonlinear())
    return std::nullopt;
  return act;
}

/// The single op of a fusable activation, for ops matched on their own.
std::optional<Activation> activationOf(Operation *op) {
  if (op->getNumOperands() < 1)
    return std::nullopt;
  std::optional<SmallVector<Step, 2>> steps = stepsOf(op, op->getOperand(0));
  if (!steps)
    return std::nullopt;
  Activation act;
  act.steps.append(steps->begin(), steps->end());
  act.ops.push_back(op);
  if (!act.nonlinear())
    return std::nullopt;
  return act;
}

/// Whether `v` is a product's result (cim.linear, or cim.matmul before
/// mapping), alone or plus a constant (its bias), used only once.
bool isProductResult(Value v) {
  if (!v.hasOneUse())
    return false;
  Operation *def = v.getDefiningOp();
  if (auto add = dyn_cast_or_null<tosa::AddOp>(def)) {
    Value a = add.getInput1(), b = add.getInput2();
    if (matchPattern(a, m_Constant()))
      std::swap(a, b);
    return matchPattern(b, m_Constant()) && a.hasOneUse() &&
           isa_and_nonnull<LinearOp, MatMulOp>(a.getDefiningOp());
  }
  return isa_and_nonnull<LinearOp, MatMulOp>(def);
}

/// Moves the elementwise steps after `layout` (a transpose or a concat) to
/// each of its tensor operands in `operands`: step(layout(x...)) becomes
/// layout(step(x)...). Splat constants of a step are remade in each
/// operand's rank.
void moveStepsBefore(Operation *layout, ArrayRef<unsigned> operands) {
  Value post = layout->getResult(0);
  while (post.hasOneUse()) {
    Operation *user = *post.getUsers().begin();
    if (user->getNumResults() != 1 ||
        user->getResult(0).getType() != post.getType() || !stepsOf(user, post))
      return;
    OpBuilder b(layout);
    for (unsigned i : operands) {
      Value pre = layout->getOperand(i);
      auto preType = cast<RankedTensorType>(pre.getType());
      SmallVector<Value> args;
      for (Value v : user->getOperands()) {
        if (v == post) {
          args.push_back(pre);
          continue;
        }
        auto splat = RankedTensorType::get(
            SmallVector<int64_t>(preType.getRank(), 1), preType.getElementType());
        args.push_back(b.create<arith::ConstantOp>(
            v.getLoc(), DenseElementsAttr::get(splat, *splatF32(v))));
      }
      // Copies in several operands get names of their own ("relu/1"), so
      // that each readout has its own calibrated range.
      Location loc = user->getLoc();
      if (auto name = dyn_cast<NameLoc>(loc); name && operands.size() > 1)
        loc = NameLoc::get(
            StringAttr::get(loc.getContext(),
                            name.getName().str() + "/" + std::to_string(i)),
            name.getChildLoc());
      OperationState state(loc, user->getName(), args, TypeRange{preType},
                           user->getAttrs());
      layout->setOperand(i, b.create(state)->getResult(0));
    }
    user->getResult(0).replaceAllUsesWith(post);
    user->erase();
  }
}

/// A convolution's products are transposed back to NCHW (and, in groups,
/// concatenated) before its activation: product [+ bias] -> [concat] ->
/// transpose -> activation. Elementwise steps commute with both, so they
/// move before them, next to each product, where a readout can compute
/// them. Only layouts over products move anything.
void moveActivationsBeforeLayouts(ModuleOp module) {
  auto overProducts = [](tosa::ConcatOp concat) {
    return llvm::all_of(concat.getInput1(), isProductResult);
  };
  SmallVector<tosa::TransposeOp> transposes;
  module.walk([&](tosa::TransposeOp op) { transposes.push_back(op); });
  for (tosa::TransposeOp t : transposes) {
    Value in = t.getInput1();
    auto concat = in.getDefiningOp<tosa::ConcatOp>();
    if (isProductResult(in) ||
        (concat && in.hasOneUse() && overProducts(concat)))
      moveStepsBefore(t, {0});
  }
  SmallVector<tosa::ConcatOp> concats;
  module.walk([&](tosa::ConcatOp op) { concats.push_back(op); });
  for (tosa::ConcatOp c : concats) {
    if (!overProducts(c))
      continue;
    SmallVector<unsigned> all;
    for (unsigned i = 0; i < c->getNumOperands(); ++i)
      all.push_back(i);
    moveStepsBefore(c, all);
  }
}

/// Ops that follow a product like an activation but are not monotonic.
bool isNonMonotonic(Operation *op) {
  return isa<tosa::AbsOp, tosa::SinOp, tosa::CosOp>(op);
}

struct FuseActivationsPass
    : public cim::impl::FuseActivationsBase<FuseActivationsPass> {
  using FuseActivationsBase::FuseActivationsBase;

  /// Calibrated pre-activation ranges by activation name.
  std::map<std::string, std::pair<double, double>> calibrated;

  /// Reads the module's `cim.ramp_ranges` (a calibration file's contents,
  /// attached by the driver): activation name to [lo, hi].
  LogicalResult readRanges(ModuleOp module) {
    calibrated.clear();
    Attribute attr = module->getAttr(CIMDialect::getRampRangesAttrName());
    if (!attr)
      return success();
    std::string where = CIMDialect::getRampRangesAttrName().str();
    auto root = dyn_cast<DictionaryAttr>(attr);
    if (!root)
      return module.emitError(where +
                              ": expected a dictionary of name: [lo, hi]");
    for (NamedAttribute entry : root) {
      auto pair = dyn_cast<ArrayAttr>(entry.getValue());
      std::optional<double> lo, hi;
      if (pair && pair.size() == 2) {
        if (auto a = dyn_cast<FloatAttr>(pair[0]))
          lo = a.getValueAsDouble();
        if (auto b = dyn_cast<FloatAttr>(pair[1]))
          hi = b.getValueAsDouble();
      }
      if (!lo || !hi || !(*lo < *hi))
        return module.emitError(where + ": " + entry.getName().str() +
                                ": expected [lo, hi] with lo < hi");
      calibrated[entry.getName().str()] = {*lo, *hi};
    }
    return success();
  }

  static std::string nameOf(Location loc) {
    if (auto name = dyn_cast<NameLoc>(loc))
      return name.getName().str();
    return "";
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<TargetAttr> target = requireTarget(module);
    if (failed(target))
      return signalPassFailure();
    if (rampTargetsOnly && target->getAdcKind() != ADCKind::ramp)
      return;
    if (bits > macro::kMaxRampBits) {
      module.emitError() << "ramp ADC bits " << unsigned(bits)
                         << " out of range [1, " << macro::kMaxRampBits << "]";
      return signalPassFailure();
    }
    if (failed(readRanges(module)))
      return signalPassFailure();
    SmallVector<LinearOp> linears;
    module.walk([&](LinearOp op) { linears.push_back(op); });
    moveActivationsBeforeLayouts(module);
    for (LinearOp op : linears)
      fuse(op, *target);
  }

  void fuse(LinearOp lin, TargetAttr target) {
    if (!isa<ADCReadoutAttr>(lin.getReadout()) || lin.getBiasRow() ||
        !lin.getResult().hasOneUse())
      return;
    // linear -> [+ constant bias] -> activation
    Operation *next = *lin->getUsers().begin();
    DenseElementsAttr bias;
    tosa::AddOp biasAdd = dyn_cast<tosa::AddOp>(next);
    if (biasAdd) {
      Value other = biasAdd.getInput1() == lin.getResult() ? biasAdd.getInput2()
                                                           : biasAdd.getInput1();
      if (!matchPattern(other, m_Constant(&bias)) ||
          !biasAdd.getResult().hasOneUse())
        return;
      next = *biasAdd->getUsers().begin();
    }
    if (isNonMonotonic(next)) {
      next->emitRemark("not fused into a ramp ADC: ")
          << next->getName() << " is not monotonic; kept ADC + digital";
      return;
    }
    std::optional<Activation> act =
        activationFrom(biasAdd ? Value(biasAdd.getResult()) : Value(lin.getResult()));
    if (!act)
      return;
    // The fused function's last op: its result is the readout's.
    Operation *last = act->ops.back();

    DenseElementsAttr weights;
    if (!matchPattern(lin.getWeight(), m_Constant(&weights)) ||
        !weights.getElementType().isF32())
      return;
    auto wType = cast<RankedTensorType>(weights.getType());
    int64_t k = wType.getDimSize(0), n = wType.getDimSize(1);
    ArrayKindAttr array = lin.getArrayKind(target);
    if (!array)
      return;
    if (k + (bias ? 1 : 0) > int64_t(array.usableRows())) {
      last->emitRemark("not fused into a ramp ADC: the pre-activation sums ")
          << k + (bias ? 1 : 0) << " rows over several arrays of "
          << array.usableRows() << " (partial sums are added digitally before "
          << "the activation); kept ADC + digital";
      return;
    }
    if (array.getSlices() > 1) {
      last->emitRemark("not fused into a ramp ADC: bit-sliced weights are "
                       "shifted and added after conversion; kept ADC + "
                       "digital");
      return;
    }
    unsigned adcBits = bits ? unsigned(bits) : target.getAdcBits();

    // The pre-activation's range: |x| <= input-range on every row.
    SmallVector<float> w(weights.getValues<float>());
    SmallVector<float> b(n, 0.0f);
    if (bias) {
      SmallVector<float> values(bias.getValues<float>());
      if (values.size() == 1)
        b.assign(n, values[0]);
      else if (int64_t(values.size()) == n)
        b.assign(values.begin(), values.end());
      else
        return;
    }
    double range = 0;
    for (int64_t c = 0; c < n; ++c) {
      double col = std::fabs(b[c]);
      for (int64_t r = 0; r < k; ++r)
        col += inputRange * std::fabs(w[r * n + c]);
      range = std::max(range, col);
    }
    double lo = -range, hi = range;
    // A calibrated range (from sample data) replaces the worst case.
    if (auto it = calibrated.find(nameOf(act->ops.front()->getLoc()));
        it != calibrated.end())
      std::tie(lo, hi) = it->second;
    // The function must be finite and monotonic over [lo, hi].
    const int samples = 4001;
    auto sample = [&](int i) { return lo + (hi - lo) * i / (samples - 1); };
    // The function at the samples, for the checks and the error below.
    SmallVector<double> exact(samples);
    bool rising = true, falling = true, finite = true;
    for (int i = 0; i < samples; ++i) {
      exact[i] = act->f(sample(i));
      finite &= std::isfinite(exact[i]);
      if (i > 0) {
        rising &= exact[i] >= exact[i - 1];
        falling &= exact[i] <= exact[i - 1];
      }
    }
    std::string name = act->name();
    if (!finite || !(rising || falling)) {
      last->emitRemark("not fused into a ramp ADC: ")
          << name << " is " << (finite ? "not monotonic" : "not finite")
          << " over the pre-activation range [" << lo << ", " << hi
          << "]; kept ADC + digital";
      return;
    }
    double ymin = std::min(act->f(lo), act->f(hi));
    double ymax = std::max(act->f(lo), act->f(hi));
    if (!(ymax - ymin > 1e-12)) {
      last->emitRemark("not fused into a ramp ADC: ")
          << name << " is constant over the pre-activation range [" << lo
          << ", " << hi << "]; kept ADC + digital";
      return;
    }
    // The pre-activation where the function crosses y: the steps'
    // inverses, kept inside [lo, hi].
    auto inverse = [&](double y) {
      return std::min(std::max(act->inverse(y), lo), hi);
    };

    // Levels uniform over the reachable outputs, in the order of the
    // pre-activation intervals (descending for a falling function);
    // thresholds where the function crosses the midpoints between levels.
    int64_t codes = int64_t(1) << adcBits;
    double lsb = (ymax - ymin) / double(codes - 1);
    SmallVector<double> levels, thresholds, conductances;
    for (int64_t q = 0; q < codes; ++q)
      levels.push_back(rising ? ymin + lsb * double(q) : ymax - lsb * double(q));
    for (int64_t q = 1; q < codes; ++q)
      thresholds.push_back(inverse(0.5 * (levels[q - 1] + levels[q])));
    // The ramp column: one cell per step, conductance proportional to the
    // step (largest step at the array's G_max).
    macro::ConductanceRange cells{array.getGMinUs().convertToDouble(),
                                  array.getGMaxUs().convertToDouble()};
    double prev = lo, largest = 0;
    SmallVector<double> steps;
    for (double t : thresholds) {
      steps.push_back(t - prev);
      largest = std::max(largest, t - prev);
      prev = t;
    }
    for (double s : steps)
      conductances.push_back(cells.toUs(largest > 0 ? s / largest : 0));
    // Error of the ramp against the exact activation, in LSB.
    double maxErr = 0, sumSq = 0;
    for (int i = 0; i < samples; ++i) {
      double v = sample(i);
      size_t q = std::upper_bound(thresholds.begin(), thresholds.end(), v) -
                 thresholds.begin();
      double err = std::fabs(levels[q] - exact[i]) / lsb;
      maxErr = std::max(maxErr, err);
      sumSq += err * err;
    }
    double rmsErr = std::sqrt(sumSq / samples);

    OpBuilder builder(last);
    MLIRContext *ctx = &getContext();
    auto readout = RampReadoutAttr::get(
        ctx, adcBits, act->readoutSteps(), APFloat(lo), APFloat(hi),
        DenseF64ArrayAttr::get(ctx, thresholds),
        DenseF64ArrayAttr::get(ctx, levels),
        DenseF64ArrayAttr::get(ctx, conductances), APFloat(maxErr),
        APFloat(rmsErr));
    Value weight = lin.getWeight();
    UnitAttr biasRow;
    if (bias) {
      SmallVector<float> augmented(w);
      augmented.append(b.begin(), b.end());
      auto type = RankedTensorType::get({k + 1, n}, builder.getF32Type());
      weight = builder.create<arith::ConstantOp>(
          lin.getLoc(), DenseElementsAttr::get(type, ArrayRef(augmented)));
      biasRow = builder.getUnitAttr();
    }
    auto fused = builder.create<LinearOp>(
        last->getLoc(), last->getResult(0).getType(), lin.getInput(), weight,
        readout, lin.getPlacementAttr(), lin.getWeightNameAttr(), biasRow,
        lin.getWeightBitsAttr(), lin.getReplicaAttr(), /*step=*/IntegerAttr(),
        lin.getInputCodingAttr());
    last->getResult(0).replaceAllUsesWith(fused.getResult());
    for (Operation *op : llvm::reverse(act->ops))
      op->erase();
    if (biasAdd)
      biasAdd->erase();
    lin->erase();
  }
};

/// Adds the input of every activation that cim-fuse-activations could fuse
/// as a result of @main, named `preact:<activation name>`, so a run on
/// sample data gives each one's range. An activation in the body of a
/// `cim.loop` of @main (a recurrent layer's gates) is first yielded as an
/// extra scan output, so the result stacks its values over the iterations.
struct ExposePreactivationsPass
    : public cim::impl::ExposePreactivationsBase<ExposePreactivationsPass> {
  /// The pre-activation `op` reads, if it is a fusable activation of a
  /// product (plus a bias).
  static Value preactivation(Operation *op) {
    if (!activationOf(op))
      return {};
    Value input = op->getOperand(0);
    Operation *def = input.getDefiningOp();
    if (auto add = dyn_cast_or_null<tosa::AddOp>(def))
      def = add.getInput1().getDefiningOp() ? add.getInput1().getDefiningOp()
                                            : add.getInput2().getDefiningOp();
    if (!isa<NameLoc>(op->getLoc()) || !def || !isa<LinearOp, MatMulOp>(def))
      return {};
    return input;
  }

  /// Rebuilds `loop` with `values` (defined in its body) as extra scan
  /// outputs; returns the new loop's results for them.
  static SmallVector<Value> addScanOutputs(LoopOp loop, ArrayRef<Value> values) {
    SmallVector<Type> types(loop.getResultTypes());
    for (Value v : values) {
      SmallVector<int64_t> shape{ShapedType::kDynamic};
      llvm::append_range(shape, cast<RankedTensorType>(v.getType()).getShape());
      types.push_back(RankedTensorType::get(
          shape, cast<RankedTensorType>(v.getType()).getElementType()));
    }
    OpBuilder b(loop);
    auto grown = b.create<LoopOp>(loop.getLoc(), types, loop.getMaxTripCount(),
                                  loop.getCondition(), loop.getInitial());
    grown->setAttrs(loop->getAttrs());
    grown.getBody().takeBody(loop.getBody());
    auto yield = cast<YieldOp>(grown.getBody().front().getTerminator());
    SmallVector<Value> yielded(yield.getValues());
    yielded.append(values.begin(), values.end());
    OpBuilder(yield).create<YieldOp>(yield.getLoc(), yielded);
    yield.erase();
    unsigned old = loop.getNumResults();
    for (unsigned i = 0; i < old; ++i)
      loop.getResult(i).replaceAllUsesWith(grown.getResult(i));
    loop.erase();
    SmallVector<Value> out;
    for (unsigned i = 0; i < values.size(); ++i)
      out.push_back(grown.getResult(old + i));
    return out;
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto main = module.lookupSymbol<func::FuncOp>("main");
    if (!main)
      return;
    // The activations where cim-fuse-activations will find them.
    moveActivationsBeforeLayouts(module);
    SmallVector<std::pair<Value, std::string>> exposed;
    // Values in loop bodies, by loop, with their names.
    llvm::MapVector<Operation *, SmallVector<std::pair<Value, std::string>>>
        inLoops;
    main.walk([&](Operation *op) {
      Value input = preactivation(op);
      if (!input)
        return;
      std::string name =
          "preact:" + cast<NameLoc>(op->getLoc()).getName().str();
      Operation *parent = op->getParentOp();
      if (parent == main.getOperation())
        exposed.push_back({input, name});
      else if (isa<LoopOp>(parent) && parent->getParentOp() == main)
        inLoops[parent].push_back({input, name});
    });
    for (auto &[loop, values] : inLoops) {
      SmallVector<Value> inner;
      for (auto &[v, name] : values)
        inner.push_back(v);
      SmallVector<Value> stacked = addScanOutputs(cast<LoopOp>(loop), inner);
      for (auto [v, entry] : llvm::zip(stacked, values))
        exposed.push_back({v, entry.second});
    }
    if (exposed.empty())
      return;
    auto ret = cast<func::ReturnOp>(main.getBody().front().getTerminator());
    SmallVector<Value> results(ret.getOperands());
    unsigned first = results.size();
    SmallVector<Type> types(main.getResultTypes());
    for (auto &[value, name] : exposed) {
      results.push_back(value);
      types.push_back(value.getType());
    }
    OpBuilder b(ret);
    b.create<func::ReturnOp>(ret.getLoc(), results);
    ret.erase();
    main.setType(FunctionType::get(&getContext(), main.getArgumentTypes(), types));
    for (auto [i, e] : llvm::enumerate(exposed))
      main.setResultAttr(first + i, "cim.name",
                         StringAttr::get(&getContext(), e.second));
  }
};
} // namespace
