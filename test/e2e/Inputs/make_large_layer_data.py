"""Writes ONNX test data (input_0.pb, output_0.pb) for a one-Gemm model.

usage: make_large_layer_data.py MODEL.onnx OUT_DIR BATCH

The reference y = x @ W.T + b is computed in float64 from the model's own
initializers and rounded to float32 once.
"""
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def main():
    model_path, out_dir, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
    model = onnx.load(model_path)
    w = {t.name: numpy_helper.to_array(t).astype(np.float64)
         for t in model.graph.initializer}
    gemm = model.graph.node[0]
    weight, bias = w[gemm.input[1]], w[gemm.input[2]]
    rng = np.random.default_rng(batch)
    x = rng.uniform(-1, 1, size=(batch, weight.shape[1])).astype(np.float32)
    y = (x.astype(np.float64) @ weight.T + bias).astype(np.float32)
    os.makedirs(out_dir, exist_ok=True)
    for name, array, path in (("x", x, "input_0.pb"), ("y", y, "output_0.pb")):
        with open(os.path.join(out_dir, path), "wb") as f:
            f.write(numpy_helper.from_array(array, name).SerializeToString())


if __name__ == "__main__":
    main()
