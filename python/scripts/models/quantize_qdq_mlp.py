#!/usr/bin/python3
"""A QDQ export of the plain Fashion-MNIST MLP, as post-training quantisation
tools write one: int8 weights with per-output-channel scales (symmetric,
scale = max|w| / 127), int32 biases at the input scale times the weight's,
uint8 activations (the input and the hidden layer) with per-tensor scales
from the calibration images, each as QuantizeLinear -> DequantizeLinear
pairs around the float Gemms.

  /usr/bin/python3 python/scripts/models/quantize_qdq_mlp.py \\
      [--model examples/fashion-plain/mlp/model.onnx] \\
      [--calibration examples/fashion-plain/data/calibration/input_0.pb] \\
      [--out examples/fashion-plain/mlp-qdq]

Writes OUT/model.onnx and OUT/test_data_set_0 (the MLP's test inputs and
the QDQ model's own outputs on them, by ONNX's formulas in numpy), and
prints the QDQ model's top-1 accuracy on the 1000 test images next to the
float model's. Needs onnx and numpy only.
"""
import argparse
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PLAIN = os.path.join(REPO, "examples", "fashion-plain")


def read(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def quantize(x, scale, lo, hi):
    """ONNX QuantizeLinear with zero point 0: float32 division, rounding
    half to even, saturation."""
    return np.clip(np.rint(np.float32(x) / np.float32(scale)), lo, hi)


def forward(x, layers, qdq):
    """The MLP (Gemm, Relu, Gemm) in float32; with `qdq`, each Gemm's input
    goes through QuantizeLinear/DequantizeLinear (uint8) and its weight and
    bias are the dequantised integers."""
    for i, layer in enumerate(layers):
        if qdq:
            x = quantize(x, layer["sx"], 0, 255).astype(np.float32) * layer["sx"]
            w = layer["wq"].astype(np.float32) * layer["sw"][:, None]
            b = layer["bq"].astype(np.float32) * layer["sb"]
        else:
            w, b = layer["w"], layer["b"]
        x = (x @ w.T + b).astype(np.float32)
        if i + 1 < len(layers):
            x = np.maximum(x, 0)
    return x


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=os.path.join(PLAIN, "mlp", "model.onnx"))
    ap.add_argument("--calibration",
                    default=os.path.join(PLAIN, "data", "calibration", "input_0.pb"))
    ap.add_argument("--out", default=os.path.join(PLAIN, "mlp-qdq"))
    args = ap.parse_args()

    model = onnx.load(args.model)
    graph = model.graph
    inits = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    gemms = [n for n in graph.node if n.op_type == "Gemm"]
    if len(gemms) != 2 or any(
            next((a.i for a in n.attribute if a.name == "transB"), 0) != 1
            for n in gemms):
        sys.exit("error: expected two Gemm nodes with transB=1 (the plain MLP)")

    # Activation ranges on the calibration images: the input and the hidden
    # layer after Relu, by the float model itself.
    calib = read(args.calibration).astype(np.float32).reshape(-1, 784)
    layers = [{"w": inits[n.input[1]], "b": inits[n.input[2]]} for n in gemms]
    ranges, h = {}, calib
    for i, (n, layer) in enumerate(zip(gemms, layers)):
        ranges[n.input[0]] = float(np.max(h))
        h = np.maximum(h @ layer["w"].T + layer["b"], 0).astype(np.float32)

    nodes, new_inits = [], []
    for node in graph.node:
        layer = layers[gemms.index(node)] if node in gemms else None
        if node.op_type != "Gemm":
            nodes.append(node)
            continue
        x, w, b = node.input
        name = node.name
        # uint8 activation, zero point 0 (inputs and Relu outputs are >= 0).
        sx = np.float32(ranges[x] / 255.0)
        new_inits += [numpy_helper.from_array(np.array(sx, np.float32), f"{x}_scale"),
                      numpy_helper.from_array(np.array(0, np.uint8), f"{x}_zero_point")]
        nodes += [helper.make_node("QuantizeLinear", [x, f"{x}_scale", f"{x}_zero_point"],
                                   [f"{x}_quantized"], name=f"{name}/quantize_input"),
                  helper.make_node("DequantizeLinear", [f"{x}_quantized", f"{x}_scale",
                                                        f"{x}_zero_point"],
                                   [f"{x}_dequantized"], name=f"{name}/dequantize_input")]
        # int8 weight, symmetric per output channel (axis 0 of [out, in]).
        wf = inits[w]
        sw = (np.max(np.abs(wf), axis=1) / 127.0).astype(np.float32)
        sw[sw == 0] = 1
        wq = np.clip(np.rint(wf / sw[:, None]), -127, 127).astype(np.int8)
        new_inits += [numpy_helper.from_array(wq, f"{w}_quantized"),
                      numpy_helper.from_array(sw, f"{w}_scale"),
                      numpy_helper.from_array(np.zeros(len(sw), np.int8), f"{w}_zero_point")]
        nodes.append(helper.make_node("DequantizeLinear", [f"{w}_quantized", f"{w}_scale",
                                                          f"{w}_zero_point"],
                                      [f"{w}_dequantized"], name=f"{name}/dequantize_weight",
                                      axis=0))
        # int32 bias at scale sx * sw.
        sb = (sx * sw).astype(np.float32)
        bq = np.rint(inits[b] / sb).astype(np.int32)
        layer.update(sx=sx, wq=wq, sw=sw, bq=bq, sb=sb)
        new_inits += [numpy_helper.from_array(bq, f"{b}_quantized"),
                      numpy_helper.from_array(sb, f"{b}_scale")]
        nodes.append(helper.make_node("DequantizeLinear", [f"{b}_quantized", f"{b}_scale"],
                                      [f"{b}_dequantized"], name=f"{name}/dequantize_bias",
                                      axis=0))
        gemm = helper.make_node("Gemm", [f"{x}_dequantized", f"{w}_dequantized",
                                         f"{b}_dequantized"], list(node.output), name=name)
        gemm.attribute.extend(node.attribute)
        nodes.append(gemm)

    qdq = helper.make_graph(nodes, graph.name + "_qdq", list(graph.input), list(graph.output),
                            new_inits)
    out_model = helper.make_model(qdq, opset_imports=[helper.make_opsetid("", 13)],
                                  producer_name="quantize_qdq_mlp.py")
    out_model.ir_version = model.ir_version
    onnx.checker.check_model(out_model)
    os.makedirs(args.out, exist_ok=True)
    onnx.save(out_model, os.path.join(args.out, "model.onnx"))

    # Test data: the MLP's inputs and the QDQ model's reference outputs.
    src = os.path.join(os.path.dirname(args.model), "test_data_set_0")
    dst = os.path.join(args.out, "test_data_set_0")
    os.makedirs(dst, exist_ok=True)
    shutil.copy(os.path.join(src, "input_0.pb"), os.path.join(dst, "input_0.pb"))
    images = read(os.path.join(src, "input_0.pb")).astype(np.float32)
    flat = images.reshape(len(images), -1)
    qdq_out = forward(flat, layers, qdq=True)
    float_out = forward(flat, layers, qdq=False)
    out_tensor = numpy_helper.from_array(qdq_out.astype(np.float32), graph.output[0].name)
    with open(os.path.join(dst, "output_0.pb"), "wb") as f:
        f.write(out_tensor.SerializeToString())
    test = os.path.join(PLAIN, "data", "test")
    if os.path.exists(os.path.join(test, "labels.pb")):
        labels = read(os.path.join(test, "labels.pb"))
        x = read(os.path.join(test, "input_0.pb")).astype(np.float32).reshape(len(labels), -1)
        top1 = [100 * np.mean(np.argmax(forward(x, layers, q), 1) == labels)
                for q in (False, True)]
        print(f"top-1 on the first {len(labels)} test images: float MLP {top1[0]:.1f}%, "
              f"QDQ MLP {top1[1]:.1f}%")
    print(f"wrote {os.path.join(args.out, 'model.onnx')} and {dst}")


if __name__ == "__main__":
    main()
