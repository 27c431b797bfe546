"""Makes a "fine-tuned" copy of the digits MLP for the ReBranch test.

usage: make_tuned_mlp.py BASE.onnx OUT_DIR

Every weight gets a rank-2 update (deterministic), so rank-2 residual
branches reproduce the tuned model exactly. Writes OUT_DIR/tuned.onnx and
OUT_DIR/test_data_set_0/{input_0,output_0}.pb: the base model's test
inputs (32 of them) and the tuned model's outputs, evaluated in float64.
"""
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def main():
    base_path, out = sys.argv[1], sys.argv[2]
    model = onnx.load(base_path)
    rng = np.random.default_rng(7)
    for t in model.graph.initializer:
        w = numpy_helper.to_array(t)
        if w.ndim != 2:
            continue
        u = rng.normal(0, 0.1, (w.shape[0], 2))
        v = rng.normal(0, 0.1, (2, w.shape[1]))
        t.CopyFrom(numpy_helper.from_array((w + u @ v).astype(np.float32), t.name))
    os.makedirs(os.path.join(out, "test_data_set_0"), exist_ok=True)
    onnx.save(model, os.path.join(out, "tuned.onnx"))

    data = os.path.join(os.path.dirname(base_path), "test_data_set_0", "input_0.pb")
    x = numpy_helper.to_array(onnx.load_tensor(data))[:32].astype(np.float64)
    w = {t.name: numpy_helper.to_array(t).astype(np.float64)
         for t in model.graph.initializer}
    relu = lambda v: np.maximum(v, 0.0)
    h = relu(x @ w["fc1.weight"].T + w["fc1.bias"])
    h = relu(h @ w["fc2.weight"] + w["fc2.bias"])
    y = (h @ w["fc3.weight"] + w["fc3.bias"]).astype(np.float32)
    for name, array, fname in (("x", x.astype(np.float32), "input_0.pb"),
                               ("logits", y, "output_0.pb")):
        with open(os.path.join(out, "test_data_set_0", fname), "wb") as f:
            f.write(numpy_helper.from_array(array, name).SerializeToString())


if __name__ == "__main__":
    main()
