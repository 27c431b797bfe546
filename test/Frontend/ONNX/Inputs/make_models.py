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
  unsupported_op.onnx    x[1,1,4,4] -> Conv 'my_conv' (W[1,1,3,3]) -> y[1,1,2,2]
  unsupported_dtype.onnx x double[2,2] -> Relu -> y double[2,2]
  invalid_model.onnx     Relu of an undefined value (the ONNX checker refuses it)
  two_outputs.onnx       x[N,3] -> Relu -> y1[N,3]; x -> Sigmoid -> y2[N,3]
  not_onnx.onnx          plain text, not a protobuf
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
    w = arange_f32((1, 1, 3, 3), 0.1)
    return model(
        [helper.make_node("Conv", ["x", "W"], ["y"], name="my_conv",
                          kernel_shape=[3, 3])],
        "unsupported_op",
        [vi("x", FLOAT, [1, 1, 4, 4])], [vi("y", FLOAT, [1, 1, 2, 2])],
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


VALID = [
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
