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

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

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

/// A monotonic non-decreasing activation and its inverse on its range.
struct Activation {
  std::string name;
  std::function<double(double)> f, inverse;
};

std::optional<Activation> activationOf(Operation *op) {
  if (isa<tosa::TanhOp>(op))
    return Activation{"tanh", [](double v) { return std::tanh(v); },
                      [](double y) { return std::atanh(y); }};
  if (isa<tosa::SigmoidOp>(op))
    return Activation{"sigmoid",
                      [](double v) { return 1.0 / (1.0 + std::exp(-v)); },
                      [](double y) { return std::log(y / (1.0 - y)); }};
  if (auto clamp = dyn_cast<tosa::ClampOp>(op)) {
    double lo = clamp.getMinFp().convertToDouble();
    double hi = clamp.getMaxFp().convertToDouble();
    if (lo != 0 || hi < 1e30)
      return std::nullopt; // a general clip: see isUnsupported
    return Activation{"relu", [](double v) { return std::max(v, 0.0); },
                      [](double y) { return y; }};
  }
  return std::nullopt;
}

/// Ops that follow a product like an activation but are not monotonic.
bool isNonMonotonic(Operation *op) {
  return isa<tosa::AbsOp, tosa::SinOp, tosa::CosOp>(op);
}

/// Monotonic activations the ramp readout does not carry yet.
bool isUnsupported(Operation *op) {
  auto clamp = dyn_cast<tosa::ClampOp>(op);
  return clamp && !activationOf(op);
}

struct FuseActivationsPass
    : public cim::impl::FuseActivationsBase<FuseActivationsPass> {
  using FuseActivationsBase::FuseActivationsBase;

  /// Calibrated pre-activation ranges by activation name.
  std::map<std::string, std::pair<double, double>> calibrated;

  LogicalResult readRanges(ModuleOp module) {
    if (rangesFile.empty())
      return success();
    auto buffer = llvm::MemoryBuffer::getFile(rangesFile, /*IsText=*/true);
    if (!buffer)
      return module.emitError(rangesFile + ": cannot read ranges: " +
                              buffer.getError().message());
    llvm::Expected<llvm::json::Value> json =
        llvm::json::parse((*buffer)->getBuffer());
    if (!json)
      return module.emitError(rangesFile + ": invalid JSON: " +
                              llvm::toString(json.takeError()));
    const llvm::json::Object *root = json->getAsObject();
    if (!root)
      return module.emitError(rangesFile +
                              ": expected an object of name: [lo, hi]");
    for (const auto &[name, value] : *root) {
      const llvm::json::Array *pair = value.getAsArray();
      std::optional<double> lo, hi;
      if (pair && pair->size() == 2) {
        lo = (*pair)[0].getAsNumber();
        hi = (*pair)[1].getAsNumber();
      }
      if (!lo || !hi || !(*lo < *hi))
        return module.emitError(rangesFile + ": " + name.str() +
                                ": expected [lo, hi] with lo < hi");
      calibrated[name.str()] = {*lo, *hi};
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
    if (failed(target) || failed(readRanges(module)))
      return signalPassFailure();
    SmallVector<LinearOp> linears;
    module.walk([&](LinearOp op) { linears.push_back(op); });
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
    if (isUnsupported(next)) {
      next->emitRemark("not fused into a ramp ADC: a clip with bounds other "
                       "than [0, inf) is not a ramp function yet; kept ADC + "
                       "digital");
      return;
    }
    std::optional<Activation> act = activationOf(next);
    if (!act)
      return;

    DenseElementsAttr weights;
    if (!matchPattern(lin.getWeight(), m_Constant(&weights)) ||
        !weights.getElementType().isF32())
      return;
    auto wType = cast<RankedTensorType>(weights.getType());
    int64_t k = wType.getDimSize(0), n = wType.getDimSize(1);
    ArrayKindAttr array = lin.getPlacement()
                              ? target.lookupArray(*lin.getPlacement())
                              : target.getDefaultArray();
    if (!array)
      return;
    if (k + (bias ? 1 : 0) > int64_t(array.getRows())) {
      next->emitRemark("not fused into a ramp ADC: the pre-activation sums ")
          << k + (bias ? 1 : 0) << " rows over several arrays of "
          << array.getRows() << " (partial sums are added digitally before "
          << "the activation); kept ADC + digital";
      return;
    }
    if (array.getSlices() > 1) {
      next->emitRemark("not fused into a ramp ADC: bit-sliced weights are "
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
    if (auto it = calibrated.find(nameOf(next->getLoc()));
        it != calibrated.end())
      std::tie(lo, hi) = it->second;
    double ymin = act->f(lo), ymax = act->f(hi);
    if (!(ymax - ymin > 1e-12)) {
      next->emitRemark("not fused into a ramp ADC: ")
          << act->name << " is constant over the pre-activation range [" << lo
          << ", " << hi << "]; kept ADC + digital";
      return;
    }

    // Levels uniform over the reachable outputs; thresholds at the
    // inverse of the midpoints between levels.
    int64_t codes = int64_t(1) << adcBits;
    double lsb = (ymax - ymin) / double(codes - 1);
    SmallVector<double> levels, thresholds, conductances;
    for (int64_t q = 0; q < codes; ++q)
      levels.push_back(ymin + lsb * double(q));
    for (int64_t q = 1; q < codes; ++q)
      thresholds.push_back(act->inverse(0.5 * (levels[q - 1] + levels[q])));
    // The ramp column: one cell per step, conductance proportional to the
    // step (largest step at the array's G_max).
    double gMin = array.getGMinUs().convertToDouble();
    double gMax = array.getGMaxUs().convertToDouble();
    if (gMax <= 0)
      gMax = 1, gMin = 0; // normalised when the target gives no range
    double prev = lo, largest = 0;
    SmallVector<double> steps;
    for (double t : thresholds) {
      steps.push_back(t - prev);
      largest = std::max(largest, t - prev);
      prev = t;
    }
    for (double s : steps)
      conductances.push_back(gMin + (gMax - gMin) * (largest > 0 ? s / largest : 0));
    // Error of the ramp against the exact activation, in LSB.
    double maxErr = 0, sumSq = 0;
    const int samples = 4001;
    for (int i = 0; i < samples; ++i) {
      double v = lo + (hi - lo) * i / (samples - 1);
      size_t q = std::upper_bound(thresholds.begin(), thresholds.end(), v) -
                 thresholds.begin();
      double err = std::fabs(levels[q] - act->f(v)) / lsb;
      maxErr = std::max(maxErr, err);
      sumSq += err * err;
    }
    double rmsErr = std::sqrt(sumSq / samples);

    OpBuilder builder(next);
    MLIRContext *ctx = &getContext();
    auto readout = RampReadoutAttr::get(
        ctx, adcBits, act->name, APFloat(lo), APFloat(hi),
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
        next->getLoc(), next->getResult(0).getType(), lin.getInput(), weight,
        readout, lin.getPlacementAttr(), lin.getWeightNameAttr(), biasRow);
    next->getResult(0).replaceAllUsesWith(fused.getResult());
    next->erase();
    if (biasAdd)
      biasAdd->erase();
    lin->erase();
  }
};

/// Adds the input of every activation that cim-fuse-activations could fuse
/// as a result of @main, named `preact:<activation name>`, so a run on
/// sample data gives each one's range.
struct ExposePreactivationsPass
    : public cim::impl::ExposePreactivationsBase<ExposePreactivationsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto main = module.lookupSymbol<func::FuncOp>("main");
    if (!main)
      return;
    SmallVector<std::pair<Value, std::string>> exposed;
    main.walk([&](Operation *op) {
      if (!activationOf(op) || op->getParentOp() != main.getOperation())
        return;
      Value input = op->getOperand(0);
      Operation *def = input.getDefiningOp();
      if (auto add = dyn_cast_or_null<tosa::AddOp>(def))
        def = add.getInput1().getDefiningOp() ? add.getInput1().getDefiningOp()
                                              : add.getInput2().getDefiningOp();
      auto name = dyn_cast<NameLoc>(op->getLoc());
      if (!name || !def || !isa<LinearOp, MatMulOp>(def))
        return;
      exposed.push_back({input, "preact:" + name.getName().str()});
    });
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
