#!/usr/bin/python3
"""Writes a per-tensor variant of the QDQ MLP: every weight requantised to
one int8 scale for its whole tensor (its largest |w| / (127 - |ZP|)) and
zero point ZP, as quantisation tools export per-tensor models.

  make_qdq_variant.py MODEL.onnx OUT.onnx ZP
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper as h


def main():
    src, dst, zp = sys.argv[1], sys.argv[2], int(sys.argv[3])
    m = onnx.load(src)
    inits = {t.name: t for t in m.graph.initializer}
    for name in ("fc1", "fc2"):
        q = h.to_array(inits[name + ".weight_quantized"]).astype(np.float64)
        s = h.to_array(inits[name + ".weight_scale"]).astype(np.float64)
        w = q * s[:, None]
        scale = np.abs(w).max() / (127 - abs(zp))
        levels = np.clip(np.round(w / scale) + zp, -128, 127).astype(np.int8)
        for suffix, value in (("weight_quantized", levels),
                              ("weight_scale", np.array(scale, np.float32)),
                              ("weight_zero_point", np.array(zp, np.int8))):
            inits[f"{name}.{suffix}"].CopyFrom(h.from_array(value, f"{name}.{suffix}"))
    for node in m.graph.node:  # per-tensor: no axis
        if node.op_type == "DequantizeLinear" and node.input[0].endswith("weight_quantized"):
            del node.attribute[:]
    onnx.checker.check_model(m)
    onnx.save(m, dst)


if __name__ == "__main__":
    main()
