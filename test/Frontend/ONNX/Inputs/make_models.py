#!/usr/bin/python3
"""Generate the tiny ONNX models used by the importer's lit tests.

The .onnx files next to this script are committed; rerun this only to change
or add a model, then commit the regenerated files. From the repository root:

  /usr/bin/python3 test/Frontend/ONNX/Inputs/make_models.py [--out DIR]

Weights are deterministic (np.arange / sin based, no RNG), and serialization
is byte-stable, so rerunning without edits leaves the files unchanged.
Valid models are checked with onnx.checker; the malformed ones
(not_onnx.onnx, truncated.onnx) exist to test the importer's error paths.

Models (input -> output, N is a symbolic batch dim):
  gemm_const.onnx        x[N,4] -> Gemm(W[3,4] transB=1, b[3], alpha=.5, beta=2) -> y[N,3]
  matmul_const.onnx      x[2,4] -> MatMul W[4,3] -> Add b[3] -> Relu -> y[2,3]
  matmul_dynamic.onnx    a[2,4], b[4,3] (both inputs) -> MatMul -> y[2,3]
  activations.onnx       x[N,6] -> Sigmoid -> Tanh -> Relu -> Softmax(axis=-1) -> y[N,6]
  softmax_opset11.onnx   x[2,3,4] -> Softmax(axis=1), opset 11 -> y[2,3,4]
  shapes.onnx            x[N,2,3] -> Flatten(1) -> Reshape[-1,3,2] -> Reshape[0,6]
                         (shape from a Constant node) -> Identity -> y[N,6]
  large_layer.onnx       x[N,300] -> Gemm(W[200,300] transB=1, b[200]) -> y[N,200]
  unsupported_op.onnx    x[1,1,4,4] -> ConvTranspose 'my_deconv' (W[1,1,2,2]) -> y[1,1,5,5]
  unsupported_dtype.onnx x double[2,2] -> Relu -> y double[2,2]
  invalid_model.onnx     Relu of an undefined value (the ONNX checker refuses it)
  external_data.onnx     gemm_const with W in external_data.bin (offset 16)
  external_{missing,escape,short}.onnx  broken external-data references
  macro_256x32.onnx      x[N,256] -> MatMul w[256,32] (fills one tempo-cim array)
  lif_loop.onnx          a LIF layer of 4 neurons on x[N,6] as an ONNX Loop of 5
                         steps (the membrane carried, spikes as scan outputs);
                         lif_loop_data/ holds inputs and numpy's outputs
  snn_two_layers.onnx    two LIF layers unrolled over 4 steps: x[N,12] -> Gemm
                         (bias) -> LIF 16 (beta 0.9, v > 1, subtract) -> MatMul ->
                         LIF 5 (beta 0.75, v >= 0.5, reset to zero by Where)
                         -> spike counts y[N,5]; snn_two_layers_data/ holds
                         inputs and numpy's outputs
  lif_256x32.onnx        a LIF layer of 32 neurons on x[N,256] over 4 steps, as
                         exported unrolled (v = 0.9 v + x w; spike where v > 1;
                         reset by subtraction) -> spike counts y[N,32]: the
                         Tempo-CIM macro's configuration
  binary_weights.onnx    x[N,4] -> MatMul Sign(latent[4,3]) -> MatMul
                         Where(v[3,2] > 0, 1, -1) -> y[N,2] (latent weights
                         binarised in the graph, one of them exactly 0)
  bnn_layer.onnx         x[N,4] -> Where(x > 0.5, 1, -1) -> MatMul Sign(latent[4,3])
                         -> BatchNormalization (one gamma < 0) -> Sign -> y[N,3];
                         bnn_layer_data/ holds all 16 input patterns and
                         their outputs by the ONNX formulas (numpy)
  two_outputs.onnx       x[N,3] -> Relu -> y1[N,3]; x -> Sigmoid -> y2[N,3]
  not_onnx.onnx          plain text, not a protobuf
  concat_scalar.onnx     Concat of a scalar constant and a [1] constant (ONNX
                         wants rank 1 or more; shape inference lets it pass)
  concat_mismatch.onnx   Concat on axis 0 of constants [2,3] and [2,2]
  split_scalar.onnx      Split of a scalar constant
  split_sizes.onnx       Split of x[4] into sizes 3 and 3
  conv_pool.onnx         x[N,2,6,6] -> grouped Conv with bias -> Relu -> MaxPool
  mixed_types.onnx       Mul of an int64 initializer and a float input
  add_uint8.onnx         Add of two uint8 inputs
  quantize_axis_length.onnx, dequantize_scale_rank.onnx
                         a QuantizeLinear of x[2,3] on axis 1 with a scale
                         of 2 entries; a DequantizeLinear with a [1,1] scale
  quantize_scalar_per_axis.onnx, argmax_scalar.onnx
                         a QuantizeLinear of a scalar x with a scale of 2
                         entries on axis 0; an ArgMax of a scalar on axis 0
  cast_to_int8.onnx      Cast of x[2,3] to INT8
  clip_bound_type.onnx, batchnorm_stats.onnx, if_float_condition.onnx
                         a Clip bound of int64 for a float input,
                         BatchNormalization statistics of lengths 3, 2, 3, 3,
                         an If whose constant condition is float
  conv_3d.onnx, conv_groups.onnx, conv_rank.onnx, maxpool_indices.onnx
                         a Conv of a 3-D image, a Conv whose 2 groups do not
                         divide 3 channels, a Conv whose kernel has rank 4
                         for an input of rank 3 (ONNX's shape inference
                         reads out of bounds on it), a MaxPool with its
                         Indices output
                         -> AveragePool -> GlobalAveragePool -> y[N,4,1,1]
  loop_outputs.onnx      Loop naming more outputs than its body gives
  loop_body_yields_too_few.onnx  Loop carrying h whose body yields only its condition
  loop_negative_trips.onnx  Loop with a constant trip count of -3
  truncated.onnx         first 60% of the bytes of large_layer.onnx
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
IR_VERSION = 8
FLOAT = TensorProto.FLOAT


def arange_f32(shape, scale=1.0, offset=0.0):
    """Small distinct deterministic values: easy to spot in FileCheck output."""
    n = int(np.prod(shape))
    return ((np.arange(n, dtype=np.float32) * scale) + offset).reshape(shape) \
        .astype(np.float32)


def tensor(name, array):
    return numpy_helper.from_array(np.asarray(array), name=name)


def vi(name, elem_type, shape):
    return helper.make_tensor_value_info(name, elem_type, shape)


def model(nodes, name, inputs, outputs, initializers=(), opset=13):
    graph = helper.make_graph(nodes, name, inputs, outputs,
                              initializer=list(initializers))
    m = helper.make_model(graph, producer_name="cim-make_models",
                          opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = IR_VERSION
    onnx.checker.check_model(m, full_check=True)
    return m


def gemm_const():
    # Non-default alpha/beta so the importer must actually scale, not ignore them.
    w = arange_f32((3, 4), 0.1, -0.5)
    b = arange_f32((3,), 1.0, 1.0)
    return model(
        [helper.make_node("Gemm", ["x", "W", "b"], ["y"], name="gemm",
                          transB=1, alpha=0.5, beta=2.0)],
        "gemm_const",
        [vi("x", FLOAT, ["N", 4])], [vi("y", FLOAT, ["N", 3])],
        [tensor("W", w), tensor("b", b)])


def matmul_const():
    w = arange_f32((4, 3), 0.25, -1.0)
    b = arange_f32((3,), -0.5, 0.5)
    return model(
        [helper.make_node("MatMul", ["x", "W"], ["mm"], name="matmul"),
         helper.make_node("Add", ["mm", "bias"], ["biased"], name="add"),
         helper.make_node("Relu", ["biased"], ["y"], name="relu")],
        "matmul_const",
        [vi("x", FLOAT, [2, 4])], [vi("y", FLOAT, [2, 3])],
        [tensor("W", w), tensor("bias", b)])


def matmul_dynamic():
    # Neither operand is constant: cannot be mapped onto a crossbar as weights.
    return model(
        [helper.make_node("MatMul", ["a", "b"], ["y"], name="matmul")],
        "matmul_dynamic",
        [vi("a", FLOAT, [2, 4]), vi("b", FLOAT, [4, 3])],
        [vi("y", FLOAT, [2, 3])])


def activations():
    return model(
        [helper.make_node("Sigmoid", ["x"], ["s"], name="sigmoid"),
         helper.make_node("Tanh", ["s"], ["t"], name="tanh"),
         helper.make_node("Relu", ["t"], ["r"], name="relu"),
         helper.make_node("Softmax", ["r"], ["y"], name="softmax", axis=-1)],
        "activations",
        [vi("x", FLOAT, ["N", 6])], [vi("y", FLOAT, ["N", 6])])


def softmax_opset11():
    # Before opset 13 Softmax flattens to 2-D at `axis` ([2, 12] here) and
    # normalises over the trailing 12 values, not over dim 1 alone.
    return model(
        [helper.make_node("Softmax", ["x"], ["y"], name="softmax", axis=1)],
        "softmax_opset11",
        [vi("x", FLOAT, [2, 3, 4])], [vi("y", FLOAT, [2, 3, 4])],
        opset=11)


def shapes():
    # Two ways of supplying a Reshape shape: an initializer and a Constant
    # node; 0 in the second means "copy the input dim" (the symbolic N).
    shape_const = helper.make_tensor("shape2", TensorProto.INT64, [2], [0, 6])
    return model(
        [helper.make_node("Flatten", ["x"], ["flat"], name="flatten", axis=1),
         helper.make_node("Reshape", ["flat", "shape1"], ["r1"], name="reshape1"),
         helper.make_node("Constant", [], ["shape2"], name="shape2_const",
                          value=shape_const),
         helper.make_node("Reshape", ["r1", "shape2"], ["r2"], name="reshape2"),
         helper.make_node("Identity", ["r2"], ["y"], name="identity")],
        "shapes",
        [vi("x", FLOAT, ["N", 2, 3])], [vi("y", FLOAT, ["N", 6])],
        [tensor("shape1", np.array([-1, 3, 2], dtype=np.int64))])


def large_layer():
    # 200x300 spans several 128x128 crossbars in both dimensions (2 x 3 tiles),
    # with ragged edges (72 rows / 44 cols) in the last tiles.
    w = np.sin(np.arange(200 * 300, dtype=np.float64) * 0.01) \
        .astype(np.float32).reshape(200, 300)
    b = (np.cos(np.arange(200, dtype=np.float64) * 0.1) * 0.1).astype(np.float32)
    return model(
        [helper.make_node("Gemm", ["x", "W", "b"], ["y"], name="fc", transB=1)],
        "large_layer",
        [vi("x", FLOAT, ["N", 300])], [vi("y", FLOAT, ["N", 200])],
        [tensor("W", w), tensor("b", b)])


def unsupported_op():
    w = arange_f32((1, 1, 2, 2), 0.1)
    return model(
        [helper.make_node("ConvTranspose", ["x", "W"], ["y"], name="my_deconv",
                          kernel_shape=[2, 2])],
        "unsupported_op",
        [vi("x", FLOAT, [1, 1, 4, 4])], [vi("y", FLOAT, [1, 1, 5, 5])],
        [tensor("W", w)])


def unsupported_dtype():
    return model(
        [helper.make_node("Relu", ["x"], ["y"], name="relu")],
        "unsupported_dtype",
        [vi("x", TensorProto.DOUBLE, [2, 2])],
        [vi("y", TensorProto.DOUBLE, [2, 2])])


def two_outputs():
    return model(
        [helper.make_node("Relu", ["x"], ["y1"], name="relu"),
         helper.make_node("Sigmoid", ["x"], ["y2"], name="sigmoid")],
        "two_outputs",
        [vi("x", FLOAT, ["N", 3])],
        [vi("y1", FLOAT, ["N", 3]), vi("y2", FLOAT, ["N", 3])])


# --- op families of the importer (one model each, checked by lit) ---------

INT64 = TensorProto.INT64
BOOL = TensorProto.BOOL
mk = helper.make_node


def elementwise():
    nodes = [
        mk("Div", ["x", "y"], ["div"], name="div"),
        mk("Neg", ["div"], ["neg"], name="neg"),
        mk("Abs", ["neg"], ["abs"], name="abs"),
        mk("Exp", ["abs"], ["exp"], name="exp"),
        mk("LeakyRelu", ["x"], ["leaky"], name="leaky", alpha=0.1),
        mk("HardSigmoid", ["x"], ["hsig"], name="hsig", alpha=0.25, beta=0.4),
        mk("Clip", ["x", "lo", "hi"], ["clip"], name="clip"),
        mk("Sign", ["x"], ["sign"], name="sign"),
        mk("Greater", ["x", "y"], ["gt"], name="gt"),
        mk("Where", ["gt", "x", "y"], ["max"], name="where"),
        mk("Cast", ["x"], ["as_int"], name="cast", to=INT64),
    ]
    outs = ["exp", "leaky", "hsig", "clip", "sign", "max"]
    return model(nodes, "elementwise",
                 [vi("x", FLOAT, ["N", 4]), vi("y", FLOAT, ["N", 4])],
                 [vi(o, FLOAT, ["N", 4]) for o in outs] +
                 [vi("as_int", INT64, ["N", 4])],
                 [tensor("lo", np.float32(-0.5)), tensor("hi", np.float32(0.5))])


def logic():
    nodes = [
        mk("Less", ["a", "b"], ["lt"], name="lt"),
        mk("LessOrEqual", ["a", "b"], ["le"], name="le"),
        mk("Equal", ["a", "b"], ["eq"], name="eq"),
        mk("Not", ["eq"], ["ne"], name="ne"),
        mk("And", ["lt", "ne"], ["both"], name="and"),
    ]
    return model(nodes, "logic", [vi("a", INT64, [3]), vi("b", INT64, [1])],
                 [vi("le", BOOL, [3]), vi("both", BOOL, [3])])


def shape_ops():
    nodes = [
        mk("Unsqueeze", ["x", "ax0"], ["u"], name="unsqueeze"),           # [1,N,6]
        mk("Squeeze", ["u", "ax0"], ["sq"], name="squeeze"),              # [N,6]
        mk("Transpose", ["sq"], ["t"], name="transpose", perm=[1, 0]),    # [6,N]
        mk("Split", ["t", "parts"], ["s0", "s1"], name="split", axis=0),  # [2,N],[4,N]
        mk("Concat", ["s1", "s0"], ["c"], name="concat", axis=0),         # [6,N]
        mk("Slice", ["c", "st", "en", "ax0", "step"], ["sl"], name="slice"),  # [3,N]
        mk("Gather", ["sl", "idx"], ["g"], name="gather", axis=0),        # [2,N]
        mk("Expand", ["g", "eshape"], ["e"], name="expand"),              # [3,2,N]
    ]
    return model(nodes, "shape_ops", [vi("x", FLOAT, ["N", 6])],
                 [vi("e", FLOAT, [3, 2, "N"])],
                 [tensor("ax0", np.array([0], np.int64)),
                  tensor("parts", np.array([2, 4], np.int64)),
                  tensor("st", np.array([-1], np.int64)),
                  tensor("en", np.array([-7], np.int64)),
                  tensor("step", np.array([-2], np.int64)),
                  tensor("idx", np.array([2, -1], np.int64)),
                  tensor("eshape", np.array([3, 1, 1], np.int64))])


def shape_subgraph():
    """The initial-state pattern torch emits: Shape -> Gather -> Unsqueeze ->
    Concat -> ConstantOfShape. With a static input it folds to a constant;
    with the dynamic batch it must stay a run-time computation."""
    def chain(prefix, src):
        return [
            mk("Shape", [src], [prefix + "shape"], name=prefix + "shape"),
            mk("Gather", [prefix + "shape", "zero"], [prefix + "batch"],
               name=prefix + "gather", axis=0),
            mk("Unsqueeze", [prefix + "batch", "ax0"], [prefix + "b1"],
               name=prefix + "unsqueeze"),
            mk("Concat", ["one", prefix + "b1", "hidden"], [prefix + "dims"],
               name=prefix + "concat", axis=0),
            mk("ConstantOfShape", [prefix + "dims"], [prefix + "zeros"],
               name=prefix + "zeros",
               value=numpy_helper.from_array(np.array([0.0], np.float32))),
        ]
    return model(chain("s_", "fixed") + chain("d_", "x"), "shape_subgraph",
                 [vi("fixed", FLOAT, [2, 5]), vi("x", FLOAT, ["N", 5])],
                 [vi("s_zeros", FLOAT, [1, 2, 3]), vi("d_zeros", FLOAT, [1, "N", 3])],
                 [tensor("zero", np.array(0, np.int64)),
                  tensor("ax0", np.array([0], np.int64)),
                  tensor("one", np.array([1], np.int64)),
                  tensor("hidden", np.array([3], np.int64))])


def reductions():
    nodes = [
        mk("ArgMax", ["x"], ["am"], name="argmax", axis=1, keepdims=0),
        mk("ReduceSum", ["x", "ax1"], ["rs"], name="rsum", keepdims=1),
        mk("ReduceMean", ["x"], ["rm"], name="rmean", axes=[1], keepdims=0),
        mk("ReduceMax", ["x"], ["rx"], name="rmax", axes=[0, 1], keepdims=0),
        mk("LogSoftmax", ["x"], ["ls"], name="logsoftmax", axis=-1),
        mk("BatchNormalization", ["x", "sc", "bi", "me", "va"], ["bn"], name="bn",
           epsilon=1e-3),
    ]
    return model(nodes, "reductions", [vi("x", FLOAT, ["N", 3])],
                 [vi("am", INT64, ["N"]), vi("rs", FLOAT, ["N", 1]),
                  vi("rm", FLOAT, ["N"]), vi("rx", FLOAT, []),
                  vi("ls", FLOAT, ["N", 3]), vi("bn", FLOAT, ["N", 3])],
                 [tensor("ax1", np.array([1], np.int64)),
                  tensor("sc", np.array([1.0, 2.0, 0.5], np.float32)),
                  tensor("bi", np.array([0.0, 1.0, -1.0], np.float32)),
                  tensor("me", np.array([0.5, 0.0, 0.25], np.float32)),
                  tensor("va", np.array([1.0, 4.0, 0.25], np.float32))])


def recurrent():
    """A bidirectional LSTM with peepholes and clip, a GRU with
    linear_before_reset and custom activations, a reverse RNN."""
    rng = np.random.default_rng(0)
    f = lambda *shape: rng.uniform(-0.5, 0.5, shape).astype(np.float32)
    H, I = 3, 2
    nodes = [
        mk("LSTM", ["x", "lw", "lr", "lb", "", "", "", "lp"], ["ly", "lh", "lc"],
           name="lstm", hidden_size=H, direction="bidirectional", clip=5.0),
        mk("GRU", ["x", "gw", "gr"], ["gy", "gh"], name="gru", hidden_size=H,
           linear_before_reset=1, activations=["HardSigmoid", "LeakyRelu"],
           activation_alpha=[0.3, 0.05]),
        mk("RNN", ["x", "rw", "rr", "rb"], ["", "rh"], name="rnn", hidden_size=H,
           direction="reverse"),
    ]
    return model(nodes, "recurrent", [vi("x", FLOAT, [4, "N", I])],
                 [vi("ly", FLOAT, [4, 2, "N", H]), vi("lh", FLOAT, [2, "N", H]),
                  vi("lc", FLOAT, [2, "N", H]), vi("gy", FLOAT, [4, 1, "N", H]),
                  vi("gh", FLOAT, [1, "N", H]), vi("rh", FLOAT, [1, "N", H])],
                 [tensor("lw", f(2, 4 * H, I)), tensor("lr", f(2, 4 * H, H)),
                  tensor("lb", f(2, 8 * H)), tensor("lp", f(2, 3 * H)),
                  tensor("gw", f(1, 3 * H, I)), tensor("gr", f(1, 3 * H, H)),
                  tensor("rw", f(1, H, I)), tensor("rr", f(1, H, H)),
                  tensor("rb", f(1, 2 * H))], opset=14)


def control_flow():
    """A Loop with a tensor trip count (h <- h + 0.5 * tanh(h W), with a scan
    output), a Scan summing rows, and an If whose condition is a constant."""
    body = helper.make_graph(
        [mk("MatMul", ["h_in", "w"], ["hw"], name="body_matmul"),
         mk("Tanh", ["hw"], ["f"], name="body_tanh"),
         mk("Mul", ["f", "dt"], ["step"], name="body_mul"),
         mk("Add", ["h_in", "step"], ["h_out"], name="body_add"),
         mk("Identity", ["cond_in"], ["cond_out"], name="body_cond")],
        "euler_body",
        [vi("i", INT64, []), vi("cond_in", BOOL, []), vi("h_in", FLOAT, ["N", 2])],
        [vi("cond_out", BOOL, []), vi("h_out", FLOAT, ["N", 2]),
         vi("step", FLOAT, ["N", 2])])
    scan_body = helper.make_graph(
        [mk("Add", ["acc", "row"], ["acc_out"], name="scan_add"),
         mk("Identity", ["acc_out"], ["row_out"], name="scan_copy")],
        "sum_body", [vi("acc", FLOAT, [2]), vi("row", FLOAT, [2])],
        [vi("acc_out", FLOAT, [2]), vi("row_out", FLOAT, [2])])
    then_g = helper.make_graph([mk("Relu", ["x"], ["then_out"], name="then_relu")],
                               "then", [], [vi("then_out", FLOAT, ["N", 2])])
    else_g = helper.make_graph([mk("Neg", ["x"], ["else_out"], name="else_neg")],
                               "else", [], [vi("else_out", FLOAT, ["N", 2])])
    nodes = [
        mk("Loop", ["steps", "", "x"], ["h", "trace"], name="loop", body=body),
        mk("Scan", ["acc0", "rows"], ["total", "partials"], name="scan",
           body=scan_body, num_scan_inputs=1),
        mk("If", ["flag"], ["picked"], name="if", then_branch=then_g,
           else_branch=else_g),
    ]
    return model(nodes, "control_flow",
                 [vi("x", FLOAT, ["N", 2]), vi("steps", INT64, []),
                  vi("rows", FLOAT, [5, 2])],
                 [vi("h", FLOAT, ["N", 2]), vi("trace", FLOAT, [None, "N", 2]),
                  vi("total", FLOAT, [2]), vi("partials", FLOAT, [5, 2]),
                  vi("picked", FLOAT, ["N", 2])],
                 [tensor("w", np.array([[0.5, -1.0], [1.0, 0.25]], np.float32)),
                  tensor("dt", np.array(0.5, np.float32)),
                  tensor("acc0", np.zeros(2, np.float32)),
                  tensor("flag", np.array(True))])



def out_of_scope_attr():
    """BatchNormalization in training mode: in scope only for inference."""
    c = lambda name, v: tensor(name, np.full(2, v, np.float32))
    return model([mk("BatchNormalization", ["x", "s", "b", "m", "v"],
                     ["y", "rm", "rv"], name="bn", training_mode=1)],
                 "out_of_scope_attr", [vi("x", FLOAT, [3, 2])],
                 [vi("y", FLOAT, [3, 2]), vi("rm", FLOAT, [2]), vi("rv", FLOAT, [2])],
                 [c("s", 1.0), c("b", 0.0), c("m", 0.0), c("v", 1.0)], opset=15)


def runtime_if():
    """If whose condition is a graph input."""
    branch = lambda n, op: helper.make_graph(
        [mk(op, ["x"], [n + "_out"], name=n)], n, [], [vi(n + "_out", FLOAT, [2])])
    return model([mk("If", ["c"], ["y"], name="if",
                     then_branch=branch("then", "Relu"),
                     else_branch=branch("else", "Neg"))],
                 "runtime_if", [vi("c", BOOL, []), vi("x", FLOAT, [2])],
                 [vi("y", FLOAT, [2])])


def if_branch_shapes():
    """If with a run-time condition whose branches yield [2] and [4]."""
    then_g = helper.make_graph([mk("Relu", ["x"], ["t"], name="then")], "then",
                               [], [vi("t", FLOAT, [2])])
    else_g = helper.make_graph([mk("Concat", ["x", "x"], ["e"], name="else",
                                   axis=0)], "else", [], [vi("e", FLOAT, [4])])
    return model([mk("If", ["c"], ["y"], name="if", then_branch=then_g,
                     else_branch=else_g)],
                 "if_branch_shapes", [vi("c", BOOL, [1]), vi("x", FLOAT, [2])],
                 [vi("y", FLOAT, ["n"])])


def if_branch_ranks():
    """If with a run-time condition whose branches yield ranks 1 and 2."""
    then_g = helper.make_graph([mk("Relu", ["x"], ["t"], name="then")], "then",
                               [], [vi("t", FLOAT, [2])])
    else_g = helper.make_graph([mk("Unsqueeze", ["x", "ax"], ["e"],
                                   name="else")], "else", [],
                               [vi("e", FLOAT, [1, 2])],
                               [tensor("ax", np.array([0], np.int64))])
    return model([mk("If", ["c"], ["y"], name="if", then_branch=then_g,
                     else_branch=else_g)],
                 "if_branch_ranks", [vi("c", BOOL, []), vi("x", FLOAT, [2])],
                 [vi("y", FLOAT, [2])])



def runtime_axes():
    """Squeeze, Unsqueeze, ReduceSum and Split whose axes and sizes are graph
    inputs: x[2,1,3] -> Squeeze(sq_axes[1]) -> s; x -> Unsqueeze(un_axes[2])
    -> u; x -> ReduceSum(rs_axes[1], keepdims=0) -> r; x -> Split(sizes[2],
    axis=2) -> p0, p1."""
    return model([mk("Squeeze", ["x", "sq_axes"], ["s"], name="squeeze"),
                  mk("Unsqueeze", ["x", "un_axes"], ["u"], name="unsqueeze"),
                  mk("ReduceSum", ["x", "rs_axes"], ["r"], name="sum",
                     keepdims=0),
                  mk("Split", ["x", "sizes"], ["p0", "p1"], name="split",
                     axis=2)],
                 "runtime_axes",
                 [vi("x", FLOAT, [2, 1, 3]), vi("sq_axes", INT64, [1]),
                  vi("un_axes", INT64, [2]), vi("rs_axes", INT64, [1]),
                  vi("sizes", INT64, [2])],
                 [vi("s", FLOAT, ["a", "b"]),
                  vi("u", FLOAT, ["a", "b", "c", "d", "e"]),
                  vi("r", FLOAT, ["a", "b"]), vi("p0", FLOAT, [2, 1, "c"]),
                  vi("p1", FLOAT, [2, 1, "d"])])


def runtime_axes_dynamic():
    """Squeeze whose run-time axes have no static length."""
    return model([mk("Squeeze", ["x", "axes"], ["s"], name="squeeze")],
                 "runtime_axes_dynamic",
                 [vi("x", FLOAT, [2, 1, 3]), vi("axes", INT64, ["k"])],
                 [vi("s", FLOAT, ["a"])])

def dynamic_quant_matmul():
    """ONNX Runtime's dynamic quantisation of a MatMul: x[N,3] ->
    DynamicQuantizeLinear -> (q, s, z); MatMulInteger(q, W int8[3,2], z) ->
    Cast float -> Mul(s) -> Mul(0.5, W's scale) -> y[N,2]; s and z are also
    outputs."""
    w = np.array([[1, -1], [2, 0], [0, 3]], np.int8)
    return model([mk("DynamicQuantizeLinear", ["x"], ["q", "s", "z"],
                     name="dql"),
                  mk("MatMulInteger", ["q", "w", "z"], ["acc"], name="mmi"),
                  mk("Cast", ["acc"], ["accf"], name="cast", to=FLOAT),
                  mk("Mul", ["accf", "s"], ["scaled"], name="rescale"),
                  mk("Mul", ["scaled", "wscale"], ["y"], name="wscale_mul")],
                 "dynamic_quant_matmul", [vi("x", FLOAT, ["N", 3])],
                 [vi("y", FLOAT, ["N", 2]), vi("s", FLOAT, []),
                  vi("z", TensorProto.UINT8, [])],
                 [tensor("w", w), tensor("wscale", np.float32(0.5))])

def macro_256x32():
    """One MatMul that fills a 256x256 array of 8-bit weights in 2-bit cells
    (256 rows x 32 weights x 4 slices x 2 cells): the configuration the
    tempo-cim-40nm cost figures are calibrated at."""
    rng = np.random.default_rng(0)
    w = rng.uniform(-1, 1, (256, 32)).astype(np.float32)
    return model([mk("MatMul", ["x", "w"], ["y"], name="macro")], "macro",
                 [vi("x", FLOAT, ["N", 256])], [vi("y", FLOAT, ["N", 32])],
                 [tensor("w", w)])


def zero_membrane(x, width, out):
    """Nodes that make `out`, zeros of shape [batch of `x`, `width`] (a 1-D
    int64 initializer), as torch.zeros(x.shape[0], N) exports; they read
    the initializers zero_i (0) and axes ([0])."""
    return [mk("Shape", [x], [f"{out}_xs"], name=f"{out}_shape"),
            mk("Gather", [f"{out}_xs", "zero_i"], [f"{out}_n"], name=f"{out}_batch",
               axis=0),
            mk("Unsqueeze", [f"{out}_n", "axes"], [f"{out}_n1"], name=f"{out}_batch1"),
            mk("Concat", [f"{out}_n1", width], [f"{out}_dims"], name=f"{out}_dims",
               axis=0),
            mk("ConstantOfShape", [f"{out}_dims"], [out], name=out,
               value=helper.make_tensor("value", FLOAT, [1], [0.0]))]


def spike_count(spikes, out):
    """Nodes that sum the spike tensors `spikes` (a chain of Adds) into
    `out`."""
    nodes, count = [], spikes[0]
    for t, s in enumerate(spikes[1:], 1):
        nodes.append(mk("Add", [count, s], [f"{out}_c{t}"], name=f"{out}_count{t}"))
        count = f"{out}_c{t}"
    return nodes + [mk("Identity", [count], [out], name=f"{out}_spikes")]


def lif_256x32(steps=4):
    """A LIF layer whose product fills one tempo-cim-40nm array (256 inputs,
    32 neurons of 8-bit weights), unrolled over `steps` time steps with a
    constant input current, its spikes summed."""
    rng = np.random.default_rng(0)
    w = rng.uniform(-0.1, 0.1, (256, 32)).astype(np.float32)
    # The zero membrane as torch's zeros_like exports it.
    nodes = [mk("MatMul", ["x", "w"], ["i"], name="fc"),
             mk("Shape", ["i"], ["shape"], name="shape"),
             mk("ConstantOfShape", ["shape"], ["v0"], name="v0",
                value=helper.make_tensor("value", FLOAT, [1], [0.0]))]
    v = "v0"
    for t in range(steps):
        nodes += [
            mk("Mul", [v, "beta"], [f"leak{t}"], name=f"leak{t}"),
            mk("Add", [f"leak{t}", "i"], [f"v{t}_in"], name=f"integrate{t}"),
            mk("Greater", [f"v{t}_in", "theta"], [f"g{t}"], name=f"fire{t}"),
            mk("Cast", [f"g{t}"], [f"s{t}"], name=f"spike{t}", to=FLOAT),
            mk("Sub", [f"v{t}_in", f"s{t}"], [f"v{t + 1}"], name=f"reset{t}"),
        ]
        v = f"v{t + 1}"
    nodes += spike_count([f"s{t}" for t in range(steps)], "y")
    return model(nodes, "lif", [vi("x", FLOAT, ["N", 256])],
                 [vi("y", FLOAT, ["N", 32])],
                 [tensor("w", w), tensor("beta", np.float32(0.9)),
                  tensor("theta", np.float32(1.0))])


SNN2_STEPS = 4


def snn_two_layers_weights():
    rng = np.random.default_rng(5)
    return (rng.uniform(-0.6, 0.6, (12, 16)).astype(np.float32),
            rng.uniform(-0.1, 0.3, (1, 16)).astype(np.float32),
            rng.uniform(-0.5, 0.7, (16, 5)).astype(np.float32))


def snn_two_layers():
    """Two spiking layers as an unrolled export writes them: the first
    integrates a constant current (a Gemm with bias of the input), the
    second the first one's spikes at every step, with another leak,
    threshold, comparison and reset."""
    w1, b1, w2 = snn_two_layers_weights()
    zero = helper.make_tensor("value", FLOAT, [1], [0.0])
    nodes = [mk("Gemm", ["x", "w1", "b1"], ["i1"], name="fc1"),
             mk("Shape", ["i1"], ["s1shape"], name="shape1"),
             mk("ConstantOfShape", ["s1shape"], ["v1_0"], name="zeros1", value=zero),
             *zero_membrane("x", "five", "v2_0")]
    v1, v2 = "v1_0", "v2_0"
    for t in range(SNN2_STEPS):
        nodes += [
            mk("Mul", [v1, "beta1"], [f"l1_{t}"], name=f"leak1_{t}"),
            mk("Add", [f"l1_{t}", "i1"], [f"u1_{t}"], name=f"integrate1_{t}"),
            mk("Greater", [f"u1_{t}", "theta1"], [f"g1_{t}"], name=f"fire1_{t}"),
            mk("Cast", [f"g1_{t}"], [f"s1_{t}"], name=f"spike1_{t}", to=FLOAT),
            mk("Mul", [f"s1_{t}", "theta1"], [f"d1_{t}"], name=f"drop1_{t}"),
            mk("Sub", [f"u1_{t}", f"d1_{t}"], [f"v1_{t + 1}"], name=f"reset1_{t}"),
            mk("MatMul", [f"s1_{t}", "w2"], [f"i2_{t}"], name=f"fc2_{t}"),
            mk("Mul", [v2, "beta2"], [f"l2_{t}"], name=f"leak2_{t}"),
            mk("Add", [f"l2_{t}", f"i2_{t}"], [f"u2_{t}"], name=f"integrate2_{t}"),
            mk("GreaterOrEqual", [f"u2_{t}", "theta2"], [f"g2_{t}"], name=f"fire2_{t}"),
            mk("Cast", [f"g2_{t}"], [f"s2_{t}"], name=f"spike2_{t}", to=FLOAT),
            mk("Where", [f"g2_{t}", "fzero", f"u2_{t}"], [f"v2_{t + 1}"], name=f"reset2_{t}"),
        ]
        v1, v2 = f"v1_{t + 1}", f"v2_{t + 1}"
    nodes += spike_count([f"s2_{t}" for t in range(SNN2_STEPS)], "y")
    return model(nodes, "snn_two_layers", [vi("x", FLOAT, ["N", 12])],
                 [vi("y", FLOAT, ["N", 5])],
                 [tensor("w1", w1), tensor("b1", b1.reshape(16)), tensor("w2", w2),
                  tensor("beta1", np.float32(0.9)), tensor("theta1", np.float32(1.0)),
                  tensor("beta2", np.float32(0.75)), tensor("theta2", np.float32(0.5)),
                  tensor("fzero", np.float32(0.0)), tensor("zero_i", np.int64(0)),
                  tensor("axes", np.array([0], np.int64)),
                  tensor("five", np.array([5], np.int64))])


def snn_two_layers_data():
    """Inputs for snn_two_layers and its spike counts by the definition
    (numpy float32, one rounding per operation)."""
    rng = np.random.default_rng(6)
    x = rng.uniform(0, 1, (16, 12)).astype(np.float32)
    w1, b1, w2 = snn_two_layers_weights()
    f = np.float32
    i1 = (x @ w1 + b1).astype(f)
    v1 = np.zeros((16, 16), f)
    v2 = np.zeros((16, 5), f)
    count = np.zeros((16, 5), f)
    for _ in range(SNN2_STEPS):
        u1 = v1 * f(0.9) + i1
        s1 = (u1 > f(1.0)).astype(f)
        v1 = u1 - s1 * f(1.0)
        i2 = (s1 @ w2).astype(f)
        u2 = v2 * f(0.75) + i2
        g2 = u2 >= f(0.5)
        v2 = np.where(g2, f(0.0), u2).astype(f)
        count = count + g2.astype(f)
    return x, count


LIF_LOOP_STEPS, LIF_LOOP_BETA, LIF_LOOP_THETA = 5, 0.8, 1.0


def lif_loop_weights():
    rng = np.random.default_rng(3)
    return rng.uniform(-0.5, 0.5, (6, 4)).astype(np.float32)


def lif_loop():
    """A LIF layer as a scripted loop exports it: an ONNX Loop over a
    constant trip count carrying the membrane (v = beta v + x w; a spike
    where v > theta; reset by subtraction), the spikes a scan output."""
    body = helper.make_graph(
        [mk("MatMul", ["x", "w"], ["i"], name="body_fc"),
         mk("Mul", ["v_in", "beta"], ["leak"], name="body_leak"),
         mk("Add", ["leak", "i"], ["v"], name="body_integrate"),
         mk("Greater", ["v", "theta"], ["g"], name="body_fire"),
         mk("Cast", ["g"], ["s"], name="body_spike", to=FLOAT),
         mk("Mul", ["s", "theta"], ["drop"], name="body_drop"),
         mk("Sub", ["v", "drop"], ["v_out"], name="body_reset"),
         mk("Identity", ["cond_in"], ["cond_out"], name="body_cond")],
        "lif_body",
        [vi("t", INT64, []), vi("cond_in", BOOL, []), vi("v_in", FLOAT, ["N", 4])],
        [vi("cond_out", BOOL, []), vi("v_out", FLOAT, ["N", 4]),
         vi("s", FLOAT, ["N", 4])])
    nodes = [*zero_membrane("x", "four", "v0"),
             mk("Loop", ["steps", "", "v0"], ["v", "spikes"], name="lif",
                body=body)]
    return model(nodes, "lif_loop", [vi("x", FLOAT, ["N", 6])],
                 [vi("v", FLOAT, ["N", 4]), vi("spikes", FLOAT, [LIF_LOOP_STEPS, "N", 4])],
                 [tensor("w", lif_loop_weights()),
                  tensor("beta", np.float32(LIF_LOOP_BETA)),
                  tensor("theta", np.float32(LIF_LOOP_THETA)),
                  tensor("steps", np.int64(LIF_LOOP_STEPS)),
                  tensor("zero_i", np.int64(0)),
                  tensor("axes", np.array([0], np.int64)),
                  tensor("four", np.array([4], np.int64))])


def lif_loop_data():
    """Inputs for lif_loop and its outputs by the definition (numpy float32,
    one rounding per operation)."""
    rng = np.random.default_rng(4)
    x = rng.uniform(0, 1, (8, 6)).astype(np.float32)
    w = lif_loop_weights()
    i = (x @ w).astype(np.float32)
    v = np.zeros((8, 4), np.float32)
    spikes = []
    for _ in range(LIF_LOOP_STEPS):
        v = (v * np.float32(LIF_LOOP_BETA)).astype(np.float32) + i
        s = (v > np.float32(LIF_LOOP_THETA)).astype(np.float32)
        v = v - s * np.float32(LIF_LOOP_THETA)
        spikes.append(s)
    return x, v, np.stack(spikes)


def binary_weights():
    """Weights binarised in the graph, as BNN exports write them: Sign of
    latent float weights (one of them 0, which Sign keeps at 0) and
    Where(v > 0, 1, -1)."""
    latent = np.array([[0.3, -0.2, 0.0], [-0.7, 0.1, 0.5], [0.05, -0.05, 0.9],
                       [-0.4, 0.6, -0.1]], np.float32)
    v = np.array([[0.2, -0.3], [-0.5, 0.4], [0.1, 0.0]], np.float32)
    nodes = [
        mk("Sign", ["latent"], ["w1"], name="sign"),
        mk("MatMul", ["x", "w1"], ["h"], name="fc1"),
        mk("Greater", ["v", "zero"], ["positive"], name="positive"),
        mk("Where", ["positive", "one", "minus_one"], ["w2"], name="binarise"),
        mk("MatMul", ["h", "w2"], ["y"], name="fc2"),
    ]
    return model(nodes, "binary_weights", [vi("x", FLOAT, ["N", 4])],
                 [vi("y", FLOAT, ["N", 2])],
                 [tensor("latent", latent), tensor("v", v),
                  tensor("zero", np.array(0.0, np.float32)),
                  tensor("one", np.array(1.0, np.float32)),
                  tensor("minus_one", np.array(-1.0, np.float32))])


# The binary layer of bnn_layer.onnx: its latent weights (signs of a
# fixed +-1 pattern) and BatchNormalization (mean 0, var 1, epsilon 0, so
# that its scale is gamma exactly): column 0 reaches v = 0 at q = -2,
# column 1 has gamma < 0, column 2 reaches v = 0 at q = 0.
BNN_LATENT = 0.3 * np.array([[1, -1, 1], [1, 1, -1], [-1, 1, 1], [1, -1, 1]],
                            np.float32)
BNN_GAMMA = np.array([0.5, -2.0, 1.0], np.float32)
BNN_BETA = np.array([1.0, 3.0, 0.0], np.float32)


def bnn_layer():
    """A binarized layer as BNN exports write it: the input binarised by
    Where(x > 0.5, 1, -1), Sign of latent weights, BatchNormalization (one
    gamma negative) and Sign."""
    nodes = [
        mk("Greater", ["x", "half"], ["on"], name="binarise_in"),
        mk("Where", ["on", "one", "minus_one"], ["xb"], name="where"),
        mk("Sign", ["latent"], ["w"], name="sign_w"),
        mk("MatMul", ["xb", "w"], ["q"], name="fc"),
        mk("BatchNormalization", ["q", "gamma", "beta", "mean", "var"], ["v"],
           name="bn", epsilon=0.0),
        mk("Sign", ["v"], ["y"], name="sign"),
    ]
    return model(nodes, "bnn_layer", [vi("x", FLOAT, ["N", 4])],
                 [vi("y", FLOAT, ["N", 3])],
                 [tensor("half", np.array(0.5, np.float32)),
                  tensor("one", np.array(1.0, np.float32)),
                  tensor("minus_one", np.array(-1.0, np.float32)),
                  tensor("latent", BNN_LATENT), tensor("gamma", BNN_GAMMA),
                  tensor("beta", BNN_BETA),
                  tensor("mean", np.zeros(3, np.float32)),
                  tensor("var", np.ones(3, np.float32))])


def bnn_layer_data():
    """Every input pattern of bnn_layer and its output by the ONNX formulas
    (numpy, float32): Sign((q - mean) / sqrt(var + eps) * gamma + beta)."""
    x = np.array([[(k >> r) & 1 for r in range(4)] for k in range(16)],
                 np.float32)
    xb = np.where(x > 0.5, 1.0, -1.0).astype(np.float32)
    q = xb @ np.sign(BNN_LATENT)
    v = (q - 0) / np.sqrt(np.float32(1) + np.float32(0)) * BNN_GAMMA + BNN_BETA
    return x, np.sign(v).astype(np.float32)


def conv_pool():
    """x[N,2,6,6] -> Conv(W[4,2,3,3], B[4], pads 1, group 2) -> Relu ->
    MaxPool(2x2, stride 2) -> AveragePool(2x2, stride 1, pads 1) ->
    GlobalAveragePool -> y[N,4,1,1]."""
    w = arange_f32((4, 1, 3, 3), scale=0.1, offset=-1.0)
    b = np.array([0.5, -0.5, 0.25, 0.0], np.float32)
    nodes = [
        mk("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1],
           group=2, kernel_shape=[3, 3]),
        mk("Relu", ["c"], ["r"], name="relu"),
        mk("MaxPool", ["r"], ["m"], name="max", kernel_shape=[2, 2],
           strides=[2, 2]),
        mk("AveragePool", ["m"], ["a"], name="avg", kernel_shape=[2, 2],
           pads=[1, 1, 1, 1]),
        mk("GlobalAveragePool", ["a"], ["y"], name="global"),
    ]
    return model(nodes, "conv_pool", [vi("x", FLOAT, ["N", 2, 6, 6])],
                 [vi("y", FLOAT, ["N", 4, 1, 1])],
                 [tensor("w", w), tensor("b", b)])


VALID = [
    ("bnn_layer.onnx", bnn_layer),
    ("gemm_const.onnx", gemm_const),
    ("matmul_const.onnx", matmul_const),
    ("matmul_dynamic.onnx", matmul_dynamic),
    ("activations.onnx", activations),
    ("softmax_opset11.onnx", softmax_opset11),
    ("shapes.onnx", shapes),
    ("large_layer.onnx", large_layer),
    ("unsupported_op.onnx", unsupported_op),
    ("unsupported_dtype.onnx", unsupported_dtype),
    ("two_outputs.onnx", two_outputs),
    ("elementwise.onnx", elementwise),
    ("logic.onnx", logic),
    ("shape_ops.onnx", shape_ops),
    ("shape_subgraph.onnx", shape_subgraph),
    ("reductions.onnx", reductions),
    ("recurrent.onnx", recurrent),
    ("control_flow.onnx", control_flow),
    ("out_of_scope_attr.onnx", out_of_scope_attr),
    ("runtime_if.onnx", runtime_if),
    ("if_branch_shapes.onnx", if_branch_shapes),
    ("if_branch_ranks.onnx", if_branch_ranks),
    ("runtime_axes.onnx", runtime_axes),
    ("dynamic_quant_matmul.onnx", dynamic_quant_matmul),
    ("runtime_axes_dynamic.onnx", runtime_axes_dynamic),
    ("macro_256x32.onnx", macro_256x32),
    ("lif_256x32.onnx", lif_256x32),
    ("lif_loop.onnx", lif_loop),
    ("snn_two_layers.onnx", snn_two_layers),
    ("binary_weights.onnx", binary_weights),
    ("conv_pool.onnx", conv_pool),
]


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    print(f"wrote {path} ({len(data)} bytes)")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Generate importer test models.")
    parser.add_argument("--out", default=HERE,
                        help="output directory (default: this script's directory)")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    serialized = {}
    for name, build in VALID:
        m = build()
        # Shape inference must agree with the declared output shapes, so the
        # expected shapes in the lit tests are the ONNX-defined ones.
        onnx.shape_inference.infer_shapes(m, check_type=True, strict_mode=True)
        serialized[name] = m.SerializeToString()
        write(os.path.join(args.out, name), serialized[name])

    write(os.path.join(args.out, "not_onnx.onnx"), b"this is not an onnx model\n")

    x, y = bnn_layer_data()
    data = os.path.join(args.out, "bnn_layer_data")
    os.makedirs(data, exist_ok=True)
    write(os.path.join(data, "input_0.pb"),
          numpy_helper.from_array(x, "x").SerializeToString())
    write(os.path.join(data, "output_0.pb"),
          numpy_helper.from_array(y, "y").SerializeToString())

    x, v, spikes = lif_loop_data()
    data = os.path.join(args.out, "lif_loop_data")
    os.makedirs(data, exist_ok=True)
    write(os.path.join(data, "input_0.pb"),
          numpy_helper.from_array(x, "x").SerializeToString())
    write(os.path.join(data, "output_0.pb"),
          numpy_helper.from_array(v, "v").SerializeToString())
    write(os.path.join(data, "output_1.pb"),
          numpy_helper.from_array(spikes, "spikes").SerializeToString())

    x, y = snn_two_layers_data()
    data = os.path.join(args.out, "snn_two_layers_data")
    os.makedirs(data, exist_ok=True)
    write(os.path.join(data, "input_0.pb"),
          numpy_helper.from_array(x, "x").SerializeToString())
    write(os.path.join(data, "output_0.pb"),
          numpy_helper.from_array(y, "y").SerializeToString())

    # External data: the Gemm weight of gemm_const in a side file (after 16
    # bytes of padding, so the offset matters), and two broken references.
    ext = gemm_const()
    weight = next(t for t in ext.graph.initializer if t.name == "W")
    payload = weight.raw_data or numpy_helper.to_array(weight).tobytes()
    write(os.path.join(args.out, "external_data.bin"), b"\0" * 16 + payload)
    def externalize(m, location, length):
        w = next(t for t in m.graph.initializer if t.name == "W")
        w.ClearField("raw_data")
        w.ClearField("float_data")
        w.data_location = TensorProto.EXTERNAL
        del w.external_data[:]
        for k, v in (("location", location), ("offset", "16"), ("length", str(length))):
            e = w.external_data.add()
            e.key, e.value = k, v
        return m.SerializeToString()
    write(os.path.join(args.out, "external_data.onnx"),
          externalize(ext, "external_data.bin", len(payload)))
    write(os.path.join(args.out, "external_missing.onnx"),
          externalize(gemm_const(), "no_such_file.bin", len(payload)))
    write(os.path.join(args.out, "external_escape.onnx"),
          externalize(gemm_const(), "../external_data.bin", len(payload)))
    write(os.path.join(args.out, "external_short.onnx"),
          externalize(gemm_const(), "external_data.bin", 4 * len(payload)))

    # A well-formed protobuf that the ONNX checker refuses: the node reads a
    # value nothing defines.
    bad = helper.make_model(
        helper.make_graph(
            [helper.make_node("Relu", ["nowhere"], ["y"], name="relu")],
            "invalid_model", [vi("x", TensorProto.FLOAT, [2])],
            [vi("y", TensorProto.FLOAT, [2])]),
        opset_imports=[helper.make_opsetid("", 13)])
    bad.ir_version = 8
    write(os.path.join(args.out, "invalid_model.onnx"), bad.SerializeToString())

    # Concats that shape inference lets through and the importer refuses:
    # a scalar input, and inputs whose other dimensions differ.
    def concat(name, a, b, shape):
        m = helper.make_model(
            helper.make_graph(
                [helper.make_node("Constant", [], ["a"], value=tensor("a", a)),
                 helper.make_node("Constant", [], ["b"], value=tensor("b", b)),
                 helper.make_node("Concat", ["a", "b"], ["y"], name="cat",
                                  axis=0)],
                name, [], [vi("y", TensorProto.FLOAT, shape)]),
            opset_imports=[helper.make_opsetid("", 13)])
        m.ir_version = 8
        write(os.path.join(args.out, name + ".onnx"), m.SerializeToString())
    concat("concat_scalar", np.array(1, np.float32), np.ones([1], np.float32),
           [2])
    concat("concat_mismatch", np.ones([2, 3], np.float32),
           np.ones([2, 2], np.float32), [4, 3])

    # Splits the importer refuses: of a scalar, and into sizes that do
    # not add up to the axis.
    def split(name, x, sizes, shapes):
        nodes = [helper.make_node("Constant", [], ["x"], value=tensor("x", x))]
        inputs = ["x"]
        if sizes is not None:
            nodes.append(helper.make_node(
                "Constant", [], ["s"],
                value=tensor("s", np.array(sizes, np.int64))))
            inputs.append("s")
        outputs = ["y%d" % i for i in range(len(shapes))]
        nodes.append(helper.make_node("Split", inputs, outputs, name="split",
                                      axis=0))
        m = helper.make_model(
            helper.make_graph(nodes, name, [],
                              [vi(o, TensorProto.FLOAT, s)
                               for o, s in zip(outputs, shapes)]),
            opset_imports=[helper.make_opsetid("", 13)])
        m.ir_version = 8
        write(os.path.join(args.out, name + ".onnx"), m.SerializeToString())
    split("split_scalar", np.array(1, np.float32), None, [[1]])
    split("split_sizes", np.ones([4], np.float32), [3, 3], [[3], [3]])

    # Loops over h <- h + 1 (a scan output of each step): with more outputs
    # than the body gives (refused), with a body that yields its condition
    # but not the carried h (refused), and with a constant trip count of -3
    # (no iteration, an empty scan output).
    def loop(name, trips, outputs, yields=3):
        body = helper.make_graph(
            [helper.make_node("Add", ["h_in", "one"], ["h_out"], name="step"),
             helper.make_node("Identity", ["h_out"], ["trace_out"],
                              name="trace"),
             helper.make_node("Identity", ["cond_in"], ["cond_out"],
                              name="keep")],
            "body", [vi("i", TensorProto.INT64, []),
                     vi("cond_in", TensorProto.BOOL, []),
                     vi("h_in", TensorProto.FLOAT, [2])],
            [vi("cond_out", TensorProto.BOOL, []),
             vi("h_out", TensorProto.FLOAT, [2]),
             vi("trace_out", TensorProto.FLOAT, [2])][:yields])
        m = helper.make_model(
            helper.make_graph(
                [helper.make_node("Loop", ["trips", "", "x"], outputs,
                                  name="loop", body=body)],
                name, [vi("x", TensorProto.FLOAT, [2])],
                [vi(o, TensorProto.FLOAT, ["T", 2] if o == "trace" else [2])
                 for o in outputs],
                [tensor("trips", np.array(trips, np.int64)),
                 tensor("one", np.ones([2], np.float32))]),
            opset_imports=[helper.make_opsetid("", 13)])
        m.ir_version = 8
        write(os.path.join(args.out, name + ".onnx"), m.SerializeToString())
    loop("loop_outputs", 3, ["h", "trace", "extra"])
    loop("loop_body_yields_too_few", 3, ["h"], yields=1)
    loop("loop_negative_trips", -3, ["h", "trace"])

    # Convolutions and pools the importer refuses: a 3-D image, a group
    # count that does not divide the channels, MaxPool's Indices output.
    def image_op(name, op, x_shape, outputs, y_shape, w=None, **attrs):
        inits = [tensor("w", w)] if w is not None else []
        m = helper.make_model(
            helper.make_graph(
                [helper.make_node(op, ["x"] + (["w"] if w is not None else []),
                                  outputs, name="op", **attrs)],
                name, [vi("x", TensorProto.FLOAT, x_shape)],
                [vi(outputs[0], TensorProto.FLOAT, y_shape)], inits),
            opset_imports=[helper.make_opsetid("", 13)])
        m.ir_version = 8
        write(os.path.join(args.out, name + ".onnx"), m.SerializeToString())
    # A Mul of an int64 and a float tensor (ONNX's checker lets it pass).
    m = helper.make_model(
        helper.make_graph(
            [helper.make_node("Mul", ["n", "x"], ["y"], name="mixed")],
            "mixed_types", [vi("x", TensorProto.FLOAT, [1])],
            [vi("y", TensorProto.INT64, [1])],
            [tensor("n", np.array([5], np.int64))]),
        opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    write(os.path.join(args.out, "mixed_types.onnx"), m.SerializeToString())

    # Constant operands of the wrong element type or size, which ONNX's
    # checker and shape inference let through: a Clip bound of int64 for a
    # float input, BatchNormalization statistics of different lengths, an
    # If whose constant condition is float.
    def one_node(name, node, inits, y_shape=(2, 3), x_shape=(2, 3),
                 y_type=TensorProto.FLOAT):
        m = helper.make_model(
            helper.make_graph([node], name,
                              [vi("x", TensorProto.FLOAT, list(x_shape))],
                              [vi("y", y_type, list(y_shape))], inits),
            opset_imports=[helper.make_opsetid("", 13)])
        m.ir_version = 8
        write(os.path.join(args.out, name + ".onnx"), m.SerializeToString())
    one_node("clip_bound_type",
             helper.make_node("Clip", ["x", "lo"], ["y"], name="clip"),
             [tensor("lo", np.array(0, np.int64))])
    one_node("batchnorm_stats",
             helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"],
                              ["y"], name="bn"),
             [tensor("s", np.ones(3, np.float32)), tensor("b", np.zeros(2, np.float32)),
              tensor("m", np.zeros(3, np.float32)), tensor("v", np.ones(3, np.float32))])
    branch = lambda value: helper.make_graph(
        [helper.make_node("Constant", [], ["r"], value=tensor("c", np.array([value], np.float32)))],
        "branch", [], [vi("r", TensorProto.FLOAT, [1])])
    one_node("if_float_condition",
             helper.make_node("If", ["c"], ["y"], name="choose",
                              then_branch=branch(1.0), else_branch=branch(2.0)),
             [tensor("c", np.array(1.0, np.float32))], y_shape=[1])

    # 8-bit arithmetic and a Cast to int8, both refused.
    m = helper.make_model(
        helper.make_graph(
            [helper.make_node("Add", ["a", "b"], ["y"], name="add")], "add_uint8",
            [vi("a", TensorProto.UINT8, [3]), vi("b", TensorProto.UINT8, [3])],
            [vi("y", TensorProto.UINT8, [3])]),
        opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    write(os.path.join(args.out, "add_uint8.onnx"), m.SerializeToString())
    one_node("cast_to_int8",
             helper.make_node("Cast", ["x"], ["y"], name="cast", to=TensorProto.INT8), [],
             y_type=TensorProto.INT8)

    # A per-axis QuantizeLinear whose scale has 3 entries for an axis of 4,
    # and a DequantizeLinear whose scale has rank 2.
    one_node("quantize_axis_length",
             helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"], name="quant",
                              axis=1),
             [tensor("s", np.ones(2, np.float32)), tensor("z", np.zeros(2, np.uint8))],
             y_type=TensorProto.UINT8)
    # An axis of a scalar: ONNX's shape inference lets both through.
    one_node("quantize_scalar_per_axis",
             helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"], name="quant",
                              axis=0),
             [tensor("s", np.ones(2, np.float32)), tensor("z", np.zeros(2, np.uint8))],
             x_shape=(), y_shape=(), y_type=TensorProto.UINT8)
    one_node("argmax_scalar",
             helper.make_node("ArgMax", ["x"], ["y"], name="argmax", axis=0,
                              keepdims=0),
             [], x_shape=(), y_shape=(), y_type=TensorProto.INT64)
    m = helper.make_model(
        helper.make_graph(
            [helper.make_node("DequantizeLinear", ["q", "s"], ["y"], name="dequant")],
            "dequantize_scale_rank", [vi("q", TensorProto.INT8, [2, 3])],
            [vi("y", TensorProto.FLOAT, [2, 3])],
            [tensor("s", np.ones((1, 1), np.float32))]),
        opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    write(os.path.join(args.out, "dequantize_scale_rank.onnx"), m.SerializeToString())

    image_op("conv_3d", "Conv", [1, 2, 4, 4, 4], ["y"], [1, 3, 3, 3, 3],
             w=np.ones([3, 2, 2, 2, 2], np.float32))
    image_op("conv_groups", "Conv", [1, 3, 4, 4], ["y"], [1, 4, 3, 3],
             w=np.ones([4, 1, 2, 2], np.float32), group=2)
    image_op("conv_rank", "Conv", [1, 4, 4], ["y"], [1, 4, 3],
             w=np.ones([4, 1, 2, 2], np.float32), group=2)
    image_op("maxpool_indices", "MaxPool", [1, 2, 4, 4], ["y", "i"], [1, 2, 3, 3],
             kernel_shape=[2, 2])

    big = serialized["large_layer.onnx"]
    truncated = big[: len(big) * 6 // 10]
    # The cut must land inside the weight data so parsing fails; make sure.
    try:
        onnx.load_model_from_string(truncated)
    except Exception:
        pass
    else:
        print("error: truncated.onnx unexpectedly parses", file=sys.stderr)
        return 1
    write(os.path.join(args.out, "truncated.onnx"), truncated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
