//===- LowerRecurrent.cpp - Recurrent layers onto arrays --------*- C++ -*-===//
//
// Implements `cim-lower-recurrent`: a `cim.lstm` becomes a `cim.loop` over
// the time steps whose body reads each gate as one product of the stacked
// input and state, [x_t, h_{t-1}] (I + H) times [W_g^T; R_g^T] (H columns),
// plus the summed biases Wb_g + Rb_g, followed by the gate's activation.
// The products are ordinary `cim.matmul`s, so mapping puts the stacked
// weights on arrays and `cim-fuse-activations` can move the activations
// and biases into ramp readouts; the gate arithmetic (c = f c + i g,
// h = o tanh(c)) stays in the digital unit.
//
// Lowered today: forward LSTMs with the default activations (sigmoid,
// tanh, tanh), layout 0, a static sequence length, constant weights and
// biases, given initial states, and no sequence lengths, peepholes, clip or
// input_forget. Other LSTMs, and RNN and GRU, keep their digital kernels.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Dialect/CIM/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"

namespace cim {
#define GEN_PASS_DEF_LOWERRECURRENT
#include "cim/Dialect/CIM/CIMPasses.h.inc"
} // namespace cim

using namespace mlir;
using namespace cim;

namespace {

struct LowerRecurrentPass
    : public cim::impl::LowerRecurrentBase<LowerRecurrentPass> {
  void runOnOperation() override {
    SmallVector<LSTMOp> lstms;
    getOperation().walk([&](LSTMOp op) { lstms.push_back(op); });
    for (LSTMOp op : lstms)
      lower(op);
  }

  /// Why `op` is not lowered, or empty.
  static std::string unsupported(LSTMOp op) {
    if (op.getDirection() != "forward")
      return "direction " + op.getDirection().str();
    if (op.getLayout() != 0)
      return "layout 1";
    if (op.getSequenceLens() || op.getP() || op.getClip() ||
        op.getInputForget() != 0)
      return "sequence lengths, peepholes, clip or input_forget";
    if (!op.getInitialH() || !op.getInitialC())
      return "no initial state";
    SmallVector<StringRef> acts;
    for (Attribute a : op.getActivations())
      acts.push_back(cast<StringAttr>(a).getValue());
    if (acts != SmallVector<StringRef>{"Sigmoid", "Tanh", "Tanh"})
      return "activations other than Sigmoid, Tanh, Tanh";
    auto x = cast<RankedTensorType>(op.getX().getType());
    if (x.isDynamicDim(0) || x.isDynamicDim(2))
      return "a dynamic sequence length or input size";
    if (!matchPattern(op.getW(), m_Constant()) ||
        !matchPattern(op.getR(), m_Constant()) ||
        (op.getB() && !matchPattern(op.getB(), m_Constant())))
      return "weights or biases that are not constants";
    return "";
  }

  void lower(LSTMOp op) {
    if (std::string why = unsupported(op); !why.empty()) {
      op.emitRemark("LSTM kept in the digital unit: ") << why;
      return;
    }
    MLIRContext *ctx = &getContext();
    OpBuilder b(op);
    Location loc = op.getLoc();
    Type f32 = b.getF32Type();
    auto x = cast<RankedTensorType>(op.getX().getType());
    int64_t seq = x.getDimSize(0), batch = x.getDimSize(1),
            in = x.getDimSize(2), hidden = op.getHiddenSize();
    DenseElementsAttr w, r, bias;
    matchPattern(op.getW(), m_Constant(&w));
    matchPattern(op.getR(), m_Constant(&r));
    SmallVector<float> wv(w.getValues<float>()), rv(r.getValues<float>());
    SmallVector<float> bv(8 * hidden, 0.0f);
    if (op.getB() && matchPattern(op.getB(), m_Constant(&bias)))
      bv.assign(bias.getValues<float>().begin(), bias.getValues<float>().end());

    auto tensor = [&](ArrayRef<int64_t> shape) {
      return RankedTensorType::get(shape, f32);
    };
    auto constant = [&](OpBuilder &at, ArrayRef<int64_t> shape,
                        ArrayRef<float> values) -> Value {
      return at.create<arith::ConstantOp>(
          loc, DenseElementsAttr::get(tensor(shape), values));
    };
    auto reshape = [&](OpBuilder &at, Value v, ArrayRef<int64_t> shape) {
      return at.create<tosa::ReshapeOp>(loc, tensor(shape), v,
                                        at.getDenseI64ArrayAttr(shape))
          .getResult();
    };
    // Batch may be dynamic: -1 in reshapes.
    int64_t b1 = ShapedType::isDynamic(batch) ? -1 : batch;
    Value h0 = reshape(b, op.getInitialH(), {b1, hidden});
    Value c0 = reshape(b, op.getInitialC(), {b1, hidden});
    auto stateType = tensor({batch, hidden});
    h0.setType(stateType);
    c0.setType(stateType);

    auto i64Scalar = RankedTensorType::get({}, b.getI64Type());
    auto i1Scalar = RankedTensorType::get({}, b.getI1Type());
    Value trips = b.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(i64Scalar, ArrayRef<int64_t>{seq}));
    Value yes = b.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(i1Scalar, ArrayRef<bool>{true}));
    auto stackedType = tensor({seq, batch, hidden});
    auto loop = b.create<LoopOp>(
        loc, TypeRange{stateType, stateType, stackedType}, trips, yes,
        ValueRange{h0, c0});
    Block *body = b.createBlock(&loop.getBody(), {},
                                {i64Scalar, i1Scalar, stateType, stateType},
                                {loc, loc, loc, loc});
    OpBuilder in_(ctx);
    in_.setInsertionPointToEnd(body);
    Value step = body->getArgument(0), h = body->getArgument(2),
          c = body->getArgument(3);
    Value xt = in_.create<GatherOp>(loc, tensor({batch, in}), op.getX(), step,
                                    in_.getI64IntegerAttr(0));
    Value xh = in_.create<tosa::ConcatOp>(loc, tensor({batch, in + hidden}),
                                          ValueRange{xt, h},
                                          in_.getI32IntegerAttr(1));
    // ONNX gate order: i, o, f, c.
    SmallVector<Value> gates;
    for (int g = 0; g < 4; ++g) {
      SmallVector<float> m((in + hidden) * hidden), gb(hidden);
      for (int64_t j = 0; j < hidden; ++j) {
        int64_t row = g * hidden + j;
        for (int64_t k = 0; k < in; ++k)
          m[k * hidden + j] = wv[row * in + k];
        for (int64_t k = 0; k < hidden; ++k)
          m[(in + k) * hidden + j] = rv[row * hidden + k];
        gb[j] = bv[row] + bv[4 * hidden + row];
      }
      Value weight = constant(in_, {in + hidden, hidden}, m);
      Value pre = in_.create<MatMulOp>(loc, tensor({batch, hidden}), xh,
                                       weight, StringAttr());
      Value sum = in_.create<tosa::AddOp>(loc, tensor({batch, hidden}), pre,
                                          constant(in_, {1, hidden}, gb));
      Value act =
          g == 3 ? in_.create<tosa::TanhOp>(loc, tensor({batch, hidden}), sum)
                       .getResult()
                 : in_.create<tosa::SigmoidOp>(loc, tensor({batch, hidden}), sum)
                       .getResult();
      gates.push_back(act);
    }
    auto mul = [&](Value a, Value bb) {
      return in_.create<tosa::MulOp>(loc, tensor({batch, hidden}), a, bb,
                                     in_.getI8IntegerAttr(0))
          .getResult();
    };
    Value cNew = in_.create<tosa::AddOp>(loc, tensor({batch, hidden}),
                                         mul(gates[2], c), mul(gates[0], gates[3]));
    Value hNew = mul(gates[1], in_.create<tosa::TanhOp>(
                                   loc, tensor({batch, hidden}), cNew));
    in_.create<YieldOp>(loc, ValueRange{body->getArgument(1), hNew, cNew, hNew});

    b.setInsertionPointAfter(loop);
    Value y = b.create<tosa::ReshapeOp>(
        loc, op.getY().getType(), loop.getResult(2),
        b.getDenseI64ArrayAttr({seq, 1, b1, hidden}));
    Value yh = b.create<tosa::ReshapeOp>(loc, op.getYH().getType(),
                                         loop.getResult(0),
                                         b.getDenseI64ArrayAttr({1, b1, hidden}));
    Value yc = b.create<tosa::ReshapeOp>(loc, op.getYC().getType(),
                                         loop.getResult(1),
                                         b.getDenseI64ArrayAttr({1, b1, hidden}));
    op.getY().replaceAllUsesWith(y);
    op.getYH().replaceAllUsesWith(yh);
    op.getYC().replaceAllUsesWith(yc);
    op.erase();
  }
};
} // namespace
