//===- FuseSignNeurons.cpp - Binary products onto bridge neurons -*- C++ -*-===//
//
// Implements `cim-fuse-sign-neurons`: a product of +-1 weights followed by
// per-column affine steps (a bias, a BatchNormalization's scale and shift)
// and a binarising activation (Sign, or Where(v > c, 1, -1)) becomes one
// cim.linear read by binary neurons (#cim.sign). The match starts at the
// activation's final select and walks back through the steps to the
// product; every value on the way must feed nothing else.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/Passes.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"

namespace cim {
#define GEN_PASS_DEF_FUSESIGNNEURONS
#include "cim/Dialect/CIM/CIMPasses.h.inc"
} // namespace cim

using namespace mlir;
using namespace cim;

namespace {

/// The per-column values (`n` of them) of a constant that broadcasts along
/// the last dimension of a rank-`rank` value: all its dims are 1 except
/// the last, which is 1 or n.
std::optional<SmallVector<float>> columnConstant(Value v, int64_t n,
                                                 int64_t rank) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.getElementType().isF32())
    return std::nullopt;
  auto type = cast<ShapedType>(attr.getType());
  if (type.getRank() > rank)
    return std::nullopt;
  ArrayRef<int64_t> shape = type.getShape();
  for (size_t d = 0; d + 1 < shape.size(); ++d)
    if (shape[d] != 1)
      return std::nullopt;
  int64_t last = shape.empty() ? 1 : shape.back();
  if (last != 1 && last != n)
    return std::nullopt;
  SmallVector<float> values(attr.getValues<float>());
  if (last == 1)
    return SmallVector<float>(size_t(n), values.front());
  return values;
}

/// The activation at a select: Sign (select(x > 0, 1, select(0 > x, -1,
/// x - x)), as Sign imports) or Where(x > c, 1, -1) / Where(x >= c, 1, -1).
struct Activation {
  Value input;
  Value cmp;   // constant compared with; null: 0 (Sign)
  float tie;   // output at equality
  SmallVector<Operation *> ops; // the activation's ops, the select last
};

bool isGreater(Operation *op, Value lhs, Value rhs) {
  return op && isa<tosa::GreaterOp>(op) && op->getOperand(0) == lhs &&
         op->getOperand(1) == rhs;
}

std::optional<Activation> matchActivation(tosa::SelectOp select) {
  Operation *cond = select.getOperand(0).getDefiningOp();
  if (!cond || !isa<tosa::GreaterOp, tosa::GreaterEqualOp>(cond))
    return std::nullopt;
  Value x = cond->getOperand(0), c = cond->getOperand(1);
  if (splatF32(select.getOperand(1)) != 1.0f)
    return std::nullopt;
  // Where(x > c, 1, -1) or Where(x >= c, 1, -1).
  if (splatF32(select.getOperand(2)) == -1.0f && matchPattern(c, m_Constant()))
    return Activation{x, c, isa<tosa::GreaterOp>(cond) ? -1.0f : 1.0f,
                      {cond, select}};
  // Sign: the false branch picks -1 below zero and x - x at zero.
  auto inner = select.getOperand(2).getDefiningOp<tosa::SelectOp>();
  if (!inner || !isa<tosa::GreaterOp>(cond) || splatF32(c) != 0.0f)
    return std::nullopt;
  Operation *below = inner.getOperand(0).getDefiningOp();
  auto sub = inner.getOperand(2).getDefiningOp<tosa::SubOp>();
  if (!below || !isGreater(below, below->getOperand(0), x) ||
      splatF32(below->getOperand(0)) != 0.0f ||
      splatF32(inner.getOperand(1)) != -1.0f || !sub ||
      sub.getOperand(0) != x || sub.getOperand(1) != x)
    return std::nullopt;
  return Activation{x, Value(), 0.0f, {sub, below, inner, cond, select}};
}

/// True if every element of `v` is +1 or -1 on a device: a select between
/// the constants 1 and -1 (a binarised input), or binary neurons.
bool isBinary(Value v) {
  if (auto select = v.getDefiningOp<tosa::SelectOp>()) {
    std::optional<float> a = splatF32(select.getOperand(1)),
                         b = splatF32(select.getOperand(2));
    return a && b && ((*a == 1 && *b == -1) || (*a == -1 && *b == 1));
  }
  if (auto linear = v.getDefiningOp<LinearOp>())
    return isa<SignReadoutAttr>(linear.getReadout());
  return false;
}

/// One affine step between the product and the activation.
struct Step {
  bool mul;
  SmallVector<float> values;
  Operation *op;
};

struct FuseSignNeuronsPass
    : public cim::impl::FuseSignNeuronsBase<FuseSignNeuronsPass> {
  using FuseSignNeuronsBase::FuseSignNeuronsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<TargetAttr> target = requireTarget(module);
    if (failed(target))
      return signalPassFailure();
    if (mapping != "auto" && mapping != "bridge" && mapping != "current-sum") {
      module.emitError("bnn mapping '")
          << mapping << "' is not one of bridge, current-sum, auto";
      return signalPassFailure();
    }
    if (reference != "midway" && reference != "crossing") {
      module.emitError("comparator reference '")
          << reference << "' is not one of midway, crossing";
      return signalPassFailure();
    }
    if (mapping == "bridge" && !target->getBridgeNeurons()) {
      module.emitError("--bnn-mapping=bridge: target '")
          << target->getName()
          << "' has no bridge neurons (capacitive sign neurons reading RRAM "
             "bridges; target field bridge_neurons)";
      return signalPassFailure();
    }
    if (mapping == "current-sum" || !target->getBridgeNeurons())
      return;
    SmallVector<tosa::SelectOp> selects;
    module.walk([&](tosa::SelectOp op) { selects.push_back(op); });
    for (tosa::SelectOp select : selects)
      if (std::optional<Activation> act = matchActivation(select))
        fuse(*act, *target);
  }

  /// True if every user of `v` is one of `ops`.
  static bool usedOnlyBy(Value v, ArrayRef<Operation *> ops) {
    return llvm::all_of(v.getUsers(),
                        [&](Operation *u) { return llvm::is_contained(ops, u); });
  }

  void fuse(const Activation &act, TargetAttr target) {
    // Walk back from the activation's input through the affine steps.
    SmallVector<Step> steps; // last step first
    Value v = act.input;
    SmallVector<Operation *> consumers(act.ops);
    LinearOp linear;
    while (true) {
      if (!usedOnlyBy(v, consumers))
        return;
      Operation *def = v.getDefiningOp();
      if ((linear = dyn_cast_or_null<LinearOp>(def)))
        break;
      if (!def || !isa<tosa::AddOp, tosa::SubOp, tosa::MulOp>(def))
        return;
      auto type = cast<RankedTensorType>(v.getType());
      int64_t n = type.getShape().back(), rank = type.getRank();
      if (ShapedType::isDynamic(n))
        return;
      // The variable operand and the constant one (either side of a
      // commutative op; a subtraction only of a constant).
      Value lhs = def->getOperand(0), rhs = def->getOperand(1);
      std::optional<SmallVector<float>> c = columnConstant(rhs, n, rank);
      Value next = lhs;
      if (!c && !isa<tosa::SubOp>(def)) {
        c = columnConstant(lhs, n, rank);
        next = rhs;
      }
      if (!c || next.getType() != v.getType())
        return;
      if (isa<tosa::SubOp>(def))
        for (float &x : *c)
          x = -x; // a - c == a + (-c) exactly
      steps.push_back({isa<tosa::MulOp>(def), std::move(*c), def});
      consumers.assign({def});
      v = next;
    }
    std::reverse(steps.begin(), steps.end());
    auto weightType = cast<RankedTensorType>(linear.getWeight().getType());
    int64_t k = weightType.getDimSize(0), n = weightType.getDimSize(1);
    if (!isa<ADCReadoutAttr>(linear.getReadout()) || linear.getBiasRow() ||
        linear.getReplica())
      return;
    DenseElementsAttr weights;
    if (!matchPattern(linear.getWeight(), m_Constant(&weights)) ||
        !weights.getElementType().isF32())
      return;
    if (llvm::any_of(weights.getValues<float>(),
                     [](float w) { return w != 1 && w != -1 && w != 0; }))
      return; // not a binary product: nothing to say
    auto remark = [&](const Twine &why) {
      linear.emitRemark("binary product followed by a sign stays on an ADC: ")
          << why;
    };
    ArrayKindAttr array = linear.getArrayKind(target);
    if (!array || array.getCell() != CellTech::rram ||
        array.getEncoding() != WeightEncoding::differential)
      return remark("its weights are not on differential RRAM arrays (a "
                    "bridge is a pair of RRAM cells)");
    // The steps in the order add? mul? add?: pre, scale, bias.
    SmallVector<float> pre(size_t(n), 0.0f), scale(size_t(n), 1.0f),
        bias(size_t(n), 0.0f);
    size_t i = 0;
    if (i < steps.size() && !steps[i].mul && steps.size() - i > 1)
      pre = steps[i++].values;
    if (i < steps.size() && steps[i].mul)
      scale = steps[i++].values;
    if (i < steps.size() && !steps[i].mul)
      bias = steps[i++].values;
    if (i != steps.size())
      return remark("the steps between the product and the sign are not a "
                    "bias, a scale and a shift (add? mul? add?)");
    SmallVector<float> cmp(size_t(n), 0.0f);
    if (act.cmp) {
      std::optional<SmallVector<float>> c = columnConstant(
          act.cmp, n, cast<RankedTensorType>(act.input.getType()).getRank());
      if (!c)
        return remark("the activation compares with a constant that is not "
                      "one value per column");
      cmp = *c;
    }
    MLIRContext *context = &getContext();
    auto array32 = [&](ArrayRef<float> a) {
      return DenseF32ArrayAttr::get(context, a);
    };
    for (ArrayRef<float> a : {ArrayRef<float>(pre), ArrayRef<float>(scale),
                              ArrayRef<float>(bias), ArrayRef<float>(cmp)})
      if (llvm::any_of(a, [](float x) { return !std::isfinite(x); }))
        return remark("a step's constant is not finite");
    // The comparators' references, in units of q.
    bool binaryInputs = reference == "midway" && isBinary(linear.getInput());
    SmallVector<float> w(weights.getValues<float>());
    SmallVector<double> reference(static_cast<size_t>(n));
    for (int64_t c = 0; c < n; ++c) {
      int64_t nonzero = 0;
      for (int64_t r = 0; r < k; ++r)
        nonzero += w[size_t(r * n + c)] != 0;
      macro::BinaryNeuron neuron{pre[c], scale[c], bias[c], cmp[c], act.tie};
      reference[size_t(c)] =
          macro::binaryReference(neuron, nonzero, binaryInputs);
    }
    auto readout = SignReadoutAttr::get(
        context, unsigned(k), array32(pre), array32(scale), array32(bias),
        array32(cmp), APFloat(double(act.tie)),
        DenseF64ArrayAttr::get(context, reference));
    OpBuilder b(act.ops.back());
    Value result = act.ops.back()->getResult(0);
    auto fused = b.create<LinearOp>(
        linear.getLoc(), result.getType(), linear.getInput(),
        linear.getWeight(), readout, linear.getPlacementAttr(),
        linear.getWeightNameAttr(), /*bias_row=*/UnitAttr(),
        linear.getWeightBitsAttr(), /*replica=*/IntegerAttr(),
        /*step=*/IntegerAttr(), linear.getInputCodingAttr());
    result.replaceAllUsesWith(fused.getResult());
    // The activation, the steps and the old product, users first.
    for (Operation *op : llvm::reverse(act.ops))
      op->erase();
    for (Step &step : llvm::reverse(steps))
      step.op->erase();
    linear.erase();
  }
};
} // namespace
