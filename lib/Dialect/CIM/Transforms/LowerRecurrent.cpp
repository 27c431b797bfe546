//===- LowerRecurrent.cpp - Recurrent layers onto arrays --------*- C++ -*-===//
//
// Implements `cim-lower-recurrent`: a `cim.rnn`, `cim.gru` or `cim.lstm`
// becomes, per direction, a `cim.loop` over the time steps. Each gate is
// one `cim.matmul` of the stacked input and state [x_t, h] with the stacked
// weights [W_g^T; R_g^T] (input + hidden rows, hidden columns), plus the
// gate's summed biases Wb_g + Rb_g, then its activation. The products are
// ordinary matmuls, so mapping puts the stacked weights on arrays and
// `cim-fuse-activations` can move biases and activations into ramp
// readouts. The elementwise cell arithmetic stays in the digital unit:
//
//   RNN   h = f(Wx + Rh + b)
//   GRU   z, r = f(...);  n = g(W_n x + R_n (r h) + b_n)        (default)
//                         n = g(W_n x + b_Wn + r (R_n h + b_Rn)) (linear
//                         before reset: two products, n stays digital)
//         h = (1 - z) n + z h
//   LSTM  i, f = f(... + P c);  g = g(...);  c' = f c + i g;
//         o = f(... + P c');  h = o h(c')          (input_forget: f = 1 - i)
//
// Every ONNX attribute is lowered: both directions (a reverse pass walks
// the time axis backwards), layout 1 (batch first), sequence lengths (a
// mask keeps the state and zeroes Y past each entry's length; walking
// backwards over the whole axis makes a reverse pass start at each entry's
// own last step), missing initial states (zeros), clip (a clamp before each
// gate activation) and every activation with its alpha and beta. Peephole
// terms and clips sit between a gate's product and its activation, so
// those gates keep their ADC and digital activation.
//
// Not lowered (remark, digital kernel kept): weights, biases or peepholes
// that are not constants, and a sequence length and batch size that are
// both dynamic.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"

#include "llvm/ADT/StringExtras.h"

#include <limits>

namespace cim {
#define GEN_PASS_DEF_LOWERRECURRENT
#include "cim/Dialect/CIM/CIMPasses.h.inc"
} // namespace cim

using namespace mlir;
using namespace cim;

namespace {

enum class Cell { Rnn, Gru, Lstm };

/// One activation of the layer's list, with its parameters.
struct Activation {
  RecurrentActivation kind;
  float alpha, beta;
};

/// The three recurrent ops seen through one interface.
struct Layer {
  Operation *op;
  Cell cell;
  Value x, w, r, b, lens, h0, c0, p;
  RecurrentDirection direction;
  int64_t hidden, layout;
  SmallVector<Activation> acts; // all directions
  std::optional<float> clip;
  bool linearBeforeReset = false, inputForget = false;

  int gates() const { return cell == Cell::Rnn ? 1 : cell == Cell::Gru ? 3 : 4; }
  int actsPerDirection() const {
    return cell == Cell::Rnn ? 1 : cell == Cell::Gru ? 2 : 3;
  }
  int directions() const { return getNumDirections(direction); }
  bool reverse(int d) const {
    return direction == RecurrentDirection::reverse || d == 1;
  }
};

template <typename OpTy>
void readCommon(OpTy op, Layer &l) {
  l.op = op;
  l.x = op.getX();
  l.w = op.getW();
  l.r = op.getR();
  l.b = op.getB();
  l.lens = op.getSequenceLens();
  l.h0 = op.getInitialH();
  l.direction = op.getDirection();
  l.hidden = op.getHiddenSize();
  l.layout = op.getLayout();
  if (auto clip = op.getClip())
    l.clip = clip->convertToFloat();
  for (auto [name, alpha, beta] :
       llvm::zip(op.getActivations(), op.getActivationAlpha(),
                 op.getActivationBeta()))
    l.acts.push_back({cast<RecurrentActivationAttr>(name).getValue(),
                      float(cast<FloatAttr>(alpha).getValueAsDouble()),
                      float(cast<FloatAttr>(beta).getValueAsDouble())});
}

Layer layerOf(Operation *op) {
  Layer l;
  if (auto rnn = dyn_cast<RNNOp>(op)) {
    readCommon(rnn, l);
    l.cell = Cell::Rnn;
  } else if (auto gru = dyn_cast<GRUOp>(op)) {
    readCommon(gru, l);
    l.cell = Cell::Gru;
    l.linearBeforeReset = gru.getLinearBeforeReset() != 0;
  } else {
    auto lstm = cast<LSTMOp>(op);
    readCommon(lstm, l);
    l.cell = Cell::Lstm;
    l.c0 = lstm.getInitialC();
    l.p = lstm.getP();
    l.inputForget = lstm.getInputForget() != 0;
  }
  return l;
}

/// Builds the lowered ops at one insertion point; shapes use -1 for the
/// (at most one) dynamic dimension in reshapes.
struct Emitter {
  OpBuilder &b;
  Location loc;

  Type f32() { return b.getF32Type(); }
  RankedTensorType tensor(ArrayRef<int64_t> shape, Type elt = {}) {
    return RankedTensorType::get(shape, elt ? elt : f32());
  }
  static SmallVector<int64_t> shapeOf(Value v) {
    return SmallVector<int64_t>(cast<RankedTensorType>(v.getType()).getShape());
  }
  Value constant(ArrayRef<int64_t> shape, ArrayRef<float> values) {
    return b.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(tensor(shape), values));
  }
  Value scalar(float v) { return constant({1, 1}, {v}); }
  Value i64Scalar(int64_t v) {
    return b.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(tensor({}, b.getI64Type()),
                                    ArrayRef<int64_t>{v}));
  }
  /// A [1, 1] i64 constant, to compare with [batch, 1] lengths.
  Value i64Scalar2D(int64_t v) { return reshape(i64Scalar(v), {1, 1}); }
  Value reshape(Value v, ArrayRef<int64_t> shape) {
    auto elt = cast<RankedTensorType>(v.getType()).getElementType();
    SmallVector<int64_t> attr;
    for (int64_t d : shape)
      attr.push_back(ShapedType::isDynamic(d) ? -1 : d);
    return b.create<tosa::ReshapeOp>(loc, tensor(shape, elt), v,
                                     b.getDenseI64ArrayAttr(attr));
  }
  Value add(Value x, Value y) {
    return b.create<tosa::AddOp>(loc, x.getType(), x, y);
  }
  Value sub(Value x, Value y) {
    return b.create<tosa::SubOp>(loc, broadcastType(x, y), x, y);
  }
  Value mul(Value x, Value y) {
    return b.create<tosa::MulOp>(loc, broadcastType(x, y), x, y,
                                 b.getI8IntegerAttr(0));
  }
  /// The type of an elementwise op on same-rank x and y.
  RankedTensorType broadcastType(Value x, Value y) {
    SmallVector<int64_t> shape;
    bool ok =
        OpTrait::util::getBroadcastedShape(shapeOf(x), shapeOf(y), shape);
    assert(ok && "the lowering builds broadcastable operands");
    (void)ok;
    return tensor(shape, cast<RankedTensorType>(x.getType()).getElementType());
  }
  Value clamp(Value x, float lo, float hi) {
    return b.create<tosa::ClampOp>(
        loc, x.getType(), x,
        b.getI64IntegerAttr(std::numeric_limits<int64_t>::min()),
        b.getI64IntegerAttr(std::numeric_limits<int64_t>::max()),
        b.getF32FloatAttr(lo), b.getF32FloatAttr(hi));
  }
  Value select(Value cond, Value x, Value y) {
    return b.create<tosa::SelectOp>(loc, broadcastType(x, y), cond, x, y);
  }
  Value greater(Value x, Value y) {
    return b.create<tosa::GreaterOp>(
        loc, tensor(broadcastType(x, y).getShape(), b.getI1Type()), x, y);
  }
  Value concat(ValueRange parts, int64_t axis) {
    if (parts.size() == 1)
      return parts[0];
    SmallVector<int64_t> shape = shapeOf(parts[0]);
    shape[axis] = 0;
    for (Value p : parts) {
      int64_t d = shapeOf(p)[axis];
      shape[axis] = ShapedType::isDynamic(d) || ShapedType::isDynamic(shape[axis])
                        ? ShapedType::kDynamic
                        : shape[axis] + d;
    }
    auto elt = cast<RankedTensorType>(parts[0].getType()).getElementType();
    return b.create<tosa::ConcatOp>(loc, tensor(shape, elt), parts,
                                    b.getI32IntegerAttr(int32_t(axis)));
  }
  Value transpose(Value v, ArrayRef<int32_t> perms) {
    SmallVector<int64_t> in = shapeOf(v), out;
    for (int32_t p : perms)
      out.push_back(in[p]);
    Value permsValue = b.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(tensor({int64_t(perms.size())},
                                           b.getI32Type()),
                                    perms));
    return b.create<tosa::TransposeOp>(loc, tensor(out), v, permsValue);
  }
  Value i64Vector(int64_t v) {
    return b.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(tensor({1}, b.getI64Type()),
                                    ArrayRef<int64_t>{v}));
  }
  /// `v` with axis 0 reversed (a slice with step -1).
  Value reverse(Value v) {
    return b.create<SliceOp>(loc, v.getType(), v, i64Vector(-1),
                             i64Vector(std::numeric_limits<int64_t>::min()),
                             i64Vector(0), i64Vector(-1));
  }
  Value matmul(Value x, Value weight) {
    SmallVector<int64_t> shape = shapeOf(x);
    shape.back() = shapeOf(weight).back();
    return b.create<MatMulOp>(loc, tensor(shape), x, weight, StringAttr());
  }

  /// An ONNX recurrent activation, in tosa ops (the functions of the
  /// runtime's digital kernels).
  Value activation(const Activation &a, Value x) {
    Type t = x.getType();
    switch (a.kind) {
    case RecurrentActivation::Tanh:
      return b.create<tosa::TanhOp>(loc, t, x);
    case RecurrentActivation::Sigmoid:
      return b.create<tosa::SigmoidOp>(loc, t, x);
    case RecurrentActivation::Relu:
      return clamp(x, 0.0f, std::numeric_limits<float>::max());
    case RecurrentActivation::Affine:
      return add(mul(x, scalar(a.alpha)), scalar(a.beta));
    case RecurrentActivation::LeakyRelu:
      return select(greaterEqual(x, scalar(0)), x, mul(x, scalar(a.alpha)));
    case RecurrentActivation::ThresholdedRelu:
      return select(greater(x, scalar(a.alpha)), x, scalar(0));
    case RecurrentActivation::ScaledTanh:
      return mul(scalar(a.alpha), b.create<tosa::TanhOp>(
                                      loc, t, mul(x, scalar(a.beta))));
    case RecurrentActivation::HardSigmoid:
      return clamp(add(mul(x, scalar(a.alpha)), scalar(a.beta)), 0.0f, 1.0f);
    case RecurrentActivation::Elu: {
      Value e = b.create<tosa::ExpOp>(loc, t, x);
      return select(greaterEqual(x, scalar(0)), x,
                    mul(scalar(a.alpha), sub(e, scalar(1))));
    }
    case RecurrentActivation::Softsign:
      return mul(x, b.create<tosa::ReciprocalOp>(
                        loc, t, add(b.create<tosa::AbsOp>(loc, t, x),
                                    scalar(1))));
    case RecurrentActivation::Softplus: // log(1 + exp(x))
      return b.create<tosa::LogOp>(
          loc, t, add(b.create<tosa::ExpOp>(loc, t, x), scalar(1)));
    }
    llvm_unreachable("unknown recurrent activation");
  }
  Value greaterEqual(Value x, Value y) {
    return b.create<tosa::GreaterEqualOp>(
        loc, tensor(broadcastType(x, y).getShape(), b.getI1Type()), x, y);
  }
};

struct LowerRecurrentPass
    : public cim::impl::LowerRecurrentBase<LowerRecurrentPass> {
  void runOnOperation() override {
    SmallVector<Operation *> layers;
    getOperation().walk([&](Operation *op) {
      if (isa<RNNOp, GRUOp, LSTMOp>(op))
        layers.push_back(op);
    });
    for (Operation *op : layers)
      lower(layerOf(op));
  }

  /// Why `l` is not lowered, or empty.
  static std::string unsupported(const Layer &l) {
    auto x = cast<RankedTensorType>(l.x.getType());
    if (x.isDynamicDim(2))
      return "a dynamic input size";
    if (x.isDynamicDim(0) && x.isDynamicDim(1))
      return "a sequence length and batch size that are both dynamic";
    if (l.acts.size() != size_t(l.directions() * l.actsPerDirection()))
      return "an activation list of the wrong length";
    if (!matchPattern(l.w, m_Constant()) || !matchPattern(l.r, m_Constant()) ||
        (l.b && !matchPattern(l.b, m_Constant())) ||
        (l.p && !matchPattern(l.p, m_Constant())))
      return "weights, biases or peepholes that are not constants";
    return "";
  }

  static SmallVector<float> values(Value v, size_t size) {
    DenseElementsAttr attr;
    if (!v || !matchPattern(v, m_Constant(&attr)))
      return SmallVector<float>(size, 0.0f);
    return SmallVector<float>(attr.getValues<float>());
  }

  /// One direction's results: Y [seq, batch, H], Y_h and Y_c [batch, H].
  struct Pass {
    Value y, yh, yc;
  };

  void lower(const Layer &l) {
    if (std::string why = unsupported(l); !why.empty()) {
      l.op->emitRemark() << l.op->getName()
                         << " kept in the digital unit: " << why;
      return;
    }
    if (l.p)
      l.op->emitRemark("peepholes: the i, f and o gates add P * c digitally "
                       "before their activations, which stay unfused");
    if (l.linearBeforeReset)
      l.op->emitRemark("linear_before_reset: the candidate gate multiplies "
                       "r * (R h + Rb) digitally before its activation, "
                       "which stays unfused");
    OpBuilder builder(l.op);
    Emitter e{builder, l.op->getLoc()};
    auto x = cast<RankedTensorType>(l.x.getType());
    bool batchFirst = l.layout == 1;
    int64_t seq = x.getDimSize(batchFirst ? 1 : 0);
    int64_t batch = x.getDimSize(batchFirst ? 0 : 1);
    int64_t in = x.getDimSize(2), H = l.hidden, G = l.gates();
    int D = l.directions();
    SmallVector<float> w = values(l.w, D * G * H * in),
                       r = values(l.r, D * G * H * H),
                       bias = values(l.b, D * 2 * G * H),
                       peep = values(l.p, D * 3 * H);

    // The trip count and, with sequence lengths, the lengths as [batch, 1].
    Value trips;
    if (ShapedType::isDynamic(seq)) {
      Value dims = builder.create<ShapeOfOp>(
          e.loc, e.tensor({1}, builder.getI64Type()), l.x,
          builder.getI64IntegerAttr(batchFirst ? 1 : 0),
          builder.getI64IntegerAttr(batchFirst ? 2 : 1));
      trips = e.reshape(dims, {});
    } else {
      trips = e.i64Scalar(seq);
    }
    Value lens = l.lens ? e.reshape(l.lens, {batch, 1}) : Value();

    SmallVector<Pass> passes;
    for (int d = 0; d < D; ++d)
      passes.push_back(lowerDirection(l, e, d, trips, lens, w, r, bias, peep,
                                      seq, batch, in));

    // Stack the directions in the layout's order.
    SmallVector<Value> ys, yhs, ycs;
    for (Pass &p : passes) {
      if (batchFirst) {
        ys.push_back(e.reshape(e.transpose(p.y, {1, 0, 2}), {batch, seq, 1, H}));
        yhs.push_back(e.reshape(p.yh, {batch, 1, H}));
        if (p.yc)
          ycs.push_back(e.reshape(p.yc, {batch, 1, H}));
      } else {
        ys.push_back(e.reshape(p.y, {seq, 1, batch, H}));
        yhs.push_back(e.reshape(p.yh, {1, batch, H}));
        if (p.yc)
          ycs.push_back(e.reshape(p.yc, {1, batch, H}));
      }
    }
    l.op->getResult(0).replaceAllUsesWith(e.concat(ys, batchFirst ? 2 : 1));
    l.op->getResult(1).replaceAllUsesWith(e.concat(yhs, batchFirst ? 1 : 0));
    if (l.cell == Cell::Lstm)
      l.op->getResult(2).replaceAllUsesWith(e.concat(ycs, batchFirst ? 1 : 0));
    l.op->erase();
  }

  Pass lowerDirection(const Layer &l, Emitter &e, int d, Value trips,
                      Value lens, ArrayRef<float> w, ArrayRef<float> r,
                      ArrayRef<float> bias, ArrayRef<float> peep, int64_t seq,
                      int64_t batch, int64_t in) {
    OpBuilder &b = e.b;
    Location loc = e.loc;
    int64_t H = l.hidden, G = l.gates();
    bool batchFirst = l.layout == 1, lstm = l.cell == Cell::Lstm;
    bool reverse = l.reverse(d);
    const Activation *act = l.acts.data() + d * l.actsPerDirection();
    auto state = e.tensor({batch, H});

    // Initial states: this direction's slice, or zeros.
    auto initial = [&](Value given) -> Value {
      if (given)
        return b.create<GatherOp>(loc, state, given, e.i64Scalar(d),
                                  b.getI64IntegerAttr(batchFirst ? 1 : 0));
      if (!ShapedType::isDynamic(batch))
        return e.constant({batch, H}, SmallVector<float>(batch * H, 0.0f));
      // [batch] from X, then [batch, H] zeros.
      Value n = b.create<ShapeOfOp>(
          loc, e.tensor({1}, b.getI64Type()), l.x,
          b.getI64IntegerAttr(batchFirst ? 0 : 1),
          b.getI64IntegerAttr(batchFirst ? 1 : 2));
      Value hDim = b.create<arith::ConstantOp>(
          loc, DenseElementsAttr::get(e.tensor({1}, b.getI64Type()),
                                      ArrayRef<int64_t>{H}));
      return b.create<ConstantOfShapeOp>(loc, state, e.concat({n, hDim}, 0),
                                         b.getF64FloatAttr(0.0));
    };
    SmallVector<Value> init{initial(l.h0)};
    if (lstm)
      init.push_back(initial(l.c0));

    auto i64 = e.tensor({}, b.getI64Type());
    auto i1 = e.tensor({}, b.getI1Type());
    Value yes = b.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(i1, ArrayRef<bool>{true}));
    SmallVector<Type> resultTypes(init.size(), state);
    resultTypes.push_back(e.tensor({seq, batch, H}));
    Value last = reverse ? e.sub(trips, e.i64Scalar(1)) : Value();
    auto loop = b.create<LoopOp>(loc, resultTypes, trips, yes, init);
    SmallVector<Type> argTypes{i64, i1};
    argTypes.append(init.size(), state);
    OpBuilder::InsertionGuard guard(b);
    Block *body = b.createBlock(&loop.getBody(), {}, argTypes,
                                SmallVector<Location>(argTypes.size(), loc));
    Value step = body->getArgument(0), h = body->getArgument(2);
    Value c = lstm ? body->getArgument(3) : Value();

    // The time index: backwards over the whole axis for a reverse pass.
    Value t = step;
    if (reverse)
      t = e.sub(last, step);
    Value xt = b.create<GatherOp>(loc, e.tensor({batch, in}), l.x, t,
                                  b.getI64IntegerAttr(batchFirst ? 1 : 0));

    // Weight blocks of gate g of this direction, transposed for x * W.
    auto block = [&](ArrayRef<float> m, int64_t cols, int g) {
      SmallVector<float> out(cols * H);
      const float *base = m.data() + (d * G + g) * H * cols;
      for (int64_t j = 0; j < H; ++j)
        for (int64_t k = 0; k < cols; ++k)
          out[k * H + j] = base[j * cols + k];
      return out;
    };
    auto biasOf = [&](int g, bool wb, bool rb) {
      SmallVector<float> out(H, 0.0f);
      for (int64_t j = 0; j < H; ++j) {
        int64_t row = (d * 2 * G) * H + g * H + j;
        out[j] = (wb ? bias[row] : 0.0f) + (rb ? bias[row + G * H] : 0.0f);
      }
      return e.constant({1, H}, out);
    };
    // [x_t, state] times the stacked [W_g^T; R_g^T], plus both biases.
    auto stackedGate = [&](Value xs, int g) {
      SmallVector<float> m = block(w, in, g);
      SmallVector<float> rb = block(r, H, g);
      m.append(rb.begin(), rb.end());
      Value weight = e.constant({in + H, H}, m);
      return e.add(e.matmul(xs, weight), biasOf(g, true, true));
    };
    Value xh = e.concat({xt, h}, 1);
    auto finish = [&](Value pre, const Activation &a) {
      if (l.clip)
        pre = e.clamp(pre, -*l.clip, *l.clip);
      return e.activation(a, pre);
    };
    auto peephole = [&](Value pre, int k, Value cell) {
      if (!l.p)
        return pre;
      SmallVector<float> pk(peep.begin() + d * 3 * H + k * H,
                            peep.begin() + d * 3 * H + (k + 1) * H);
      return e.add(pre, e.mul(cell, e.constant({1, H}, pk)));
    };

    // Each gate's ops are named <layer>:<gate> (plus :reverse for the
    // backward pass of a bidirectional layer), so calibration and remarks
    // tell the gates apart.
    static const char *const kGateNames[3][4] = {
        {"h"}, {"z", "r", "h"}, {"i", "o", "f", "c"}};
    std::string layerName;
    if (auto name = dyn_cast<NameLoc>(l.op->getLoc()))
      layerName = name.getName().str();
    auto gate = [&](int g, llvm::function_ref<Value()> build) {
      std::string name = layerName + (d == 1 ? ":reverse:" : ":") +
                         kGateNames[int(l.cell)][g];
      e.loc = NameLoc::get(b.getStringAttr(name), loc);
      Value v = build();
      e.loc = loc;
      return v;
    };

    Value hNew, cNew;
    switch (l.cell) {
    case Cell::Rnn:
      hNew = gate(0, [&] { return finish(stackedGate(xh, 0), act[0]); });
      break;
    case Cell::Gru: {
      // Gates z, r, h.
      Value z = gate(0, [&] { return finish(stackedGate(xh, 0), act[0]); });
      Value rg = gate(1, [&] { return finish(stackedGate(xh, 1), act[0]); });
      Value n = gate(2, [&] {
        if (!l.linearBeforeReset)
          return finish(stackedGate(e.concat({xt, e.mul(rg, h)}, 1), 2),
                        act[1]);
        Value wx = e.add(e.matmul(xt, e.constant({in, H}, block(w, in, 2))),
                         biasOf(2, true, false));
        Value rr = e.add(e.matmul(h, e.constant({H, H}, block(r, H, 2))),
                         biasOf(2, false, true));
        return finish(e.add(wx, e.mul(rg, rr)), act[1]);
      });
      hNew = e.add(e.mul(e.sub(e.scalar(1), z), n), e.mul(z, h));
      break;
    }
    case Cell::Lstm: {
      // Gates i, o, f, c; peepholes i, o, f.
      Value i = gate(0, [&] {
        return finish(peephole(stackedGate(xh, 0), 0, c), act[0]);
      });
      Value f = l.inputForget ? e.sub(e.scalar(1), i) : gate(2, [&] {
        return finish(peephole(stackedGate(xh, 2), 2, c), act[0]);
      });
      Value g = gate(3, [&] { return finish(stackedGate(xh, 3), act[1]); });
      cNew = e.add(e.mul(f, c), e.mul(i, g));
      Value o = gate(1, [&] {
        return finish(peephole(stackedGate(xh, 1), 1, cNew), act[0]);
      });
      hNew = e.mul(o, e.activation(act[2], cNew));
      break;
    }
    }

    // Past an entry's length the state is kept and Y is zero.
    Value y = hNew;
    if (lens) {
      Value live = e.greater(lens, e.reshape(t, {1, 1}));
      hNew = e.select(live, hNew, h);
      y = e.select(live, y, e.scalar(0));
      if (lstm)
        cNew = e.select(live, cNew, c);
    }
    SmallVector<Value> yields{body->getArgument(1), hNew};
    if (lstm)
      yields.push_back(cNew);
    yields.push_back(y);
    b.create<YieldOp>(loc, yields);

    b.setInsertionPointAfter(loop);
    // A reverse pass's outputs come out last time step first.
    Value ys = loop.getResults().back();
    Pass p{reverse ? e.reverse(ys) : ys, loop.getResult(0),
           lstm ? loop.getResult(1) : Value()};
    if (lens) {
      // An entry of length 0 has zero final states, as the digital kernel.
      Value started = e.greater(lens, e.i64Scalar2D(0));
      p.yh = e.select(started, p.yh, e.scalar(0));
      if (lstm)
        p.yc = e.select(started, p.yc, e.scalar(0));
    }
    return p;
  }
};
} // namespace
