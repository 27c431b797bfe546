#!/usr/bin/python3
"""Recurrent layers on arrays against their digital kernels, over attributes.

Builds ONNX RNN, GRU and LSTM models (constant random weights) over the
attribute space: every direction, both layouts, sequence lengths (some
shorter than the input, one zero), given or missing initial states, clip,
every activation with alpha and beta, GRU's linear_before_reset, LSTM
peepholes and input_forget, a static or dynamic batch. Each model is
compiled twice: with --rnn-on-arrays (each gate a product on arrays, the
rest digital) and with --rnn-on-arrays=false (the layer's digital kernel, which passes ONNX's
and torch's tests). Both run on the ideal simulator with the same input;
every output must agree within --atol + --rtol times its largest finite
magnitude (the two orders of rounding differ, and models whose states
explode to 1e35 cancel them into their small elements), and the lowered IR
must not keep the recurrent op.

  /usr/bin/python3 python/scripts/rnn_variants.py --bin build/bin --work /tmp/rv \\
      [--models 60] [--seed 1] [--target NAME] [--compile-arg ARG]...

Prints one line per model (PASS/FAIL, its attributes, the largest
difference) and a summary; exit status 1 if any model fails.
"""

import argparse
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from common import read_tensor, write_tensor

ACTIVATIONS = ["Relu", "Tanh", "Sigmoid", "Affine", "LeakyRelu",
               "ThresholdedRelu", "ScaledTanh", "HardSigmoid", "Elu",
               "Softsign", "Softplus"]
TAKE_ALPHA = {"Affine", "LeakyRelu", "ThresholdedRelu", "ScaledTanh",
              "HardSigmoid", "Elu"}
TAKE_BETA = {"Affine", "ScaledTanh", "HardSigmoid"}
GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}
PER_DIRECTION = {"RNN": 1, "GRU": 2, "LSTM": 3}
DEFAULTS = {"RNN": ["Tanh"], "GRU": ["Sigmoid", "Tanh"],
            "LSTM": ["Sigmoid", "Tanh", "Tanh"]}


def configs(count, rng):
    """Attribute sets: every activation at least once, the rest random."""
    out = []
    for k in range(count):
        cell = ["RNN", "GRU", "LSTM"][k % 3]
        c = {
            "cell": cell,
            "direction": ["forward", "reverse", "bidirectional"][(k // 3) % 3],
            "layout": int(rng.integers(2)),
            "lens": bool(rng.integers(2)),
            "initial": bool(rng.integers(2)),
            "clip": float(rng.choice([0.0, 0.0, 0.8, 2.5])),
            "dynamic_batch": bool(rng.integers(2)),
            "hidden": int(rng.integers(2, 9)),
            "input": int(rng.integers(1, 7)),
            "seq": int(rng.integers(1, 6)),
            "batch": int(rng.integers(1, 4)),
            "lbr": int(rng.integers(2)),
            "peepholes": bool(rng.integers(2)),
            "input_forget": int(rng.integers(4) == 0),
        }
        dirs = 2 if c["direction"] == "bidirectional" else 1
        n = PER_DIRECTION[cell] * dirs
        if k < 2 * len(ACTIVATIONS):
            # The first models cycle through every activation in every slot.
            acts = [ACTIVATIONS[(k + j) % len(ACTIVATIONS)] for j in range(n)]
        elif rng.integers(2):
            acts = DEFAULTS[cell] * dirs
        else:
            acts = [str(rng.choice(ACTIVATIONS)) for _ in range(n)]
        c["activations"] = acts
        # ONNX consumes alpha and beta in order, by the functions that take them.
        c["alpha"] = [float(rng.uniform(0.1, 1.5)) for a in acts if a in TAKE_ALPHA]
        c["beta"] = [float(rng.uniform(-0.5, 1.5)) for a in acts if a in TAKE_BETA]
        out.append(c)
    return out


def build(c, rng):
    """The model and one input per graph input (name -> array)."""
    cell, H, I = c["cell"], c["hidden"], c["input"]
    S, B, G = c["seq"], c["batch"], GATES[cell]
    D = 2 if c["direction"] == "bidirectional" else 1
    f32 = np.float32
    inits = [numpy_helper.from_array(rng.normal(0, 0.6, (D, G * H, I)).astype(f32), "W"),
             numpy_helper.from_array(rng.normal(0, 0.6, (D, G * H, H)).astype(f32), "R"),
             numpy_helper.from_array(rng.normal(0, 0.3, (D, 2 * G * H)).astype(f32), "B")]
    batch_dim = "batch" if c["dynamic_batch"] else B
    x_shape = [batch_dim, S, I] if c["layout"] else [S, batch_dim, I]
    state_shape = [batch_dim, D, H] if c["layout"] else [D, batch_dim, H]
    inputs = [helper.make_tensor_value_info("X", TensorProto.FLOAT, x_shape)]
    feeds = {"X": rng.normal(0, 1, [B, S, I] if c["layout"] else [S, B, I]).astype(f32)}
    names = ["X", "W", "R", "B", "", ""]
    if c["lens"]:
        lens = rng.integers(0, S + 1, B).astype(np.int64)
        lens[0] = S
        if B > 2:
            lens[2] = 0
        inputs.append(helper.make_tensor_value_info("lens", TensorProto.INT64, [batch_dim]))
        feeds["lens"] = lens
        names[4] = "lens"
    states = ["h0", "c0"] if cell == "LSTM" else ["h0"]
    if c["initial"]:
        for k, s in enumerate(states):
            inputs.append(helper.make_tensor_value_info(s, TensorProto.FLOAT, state_shape))
            feeds[s] = rng.normal(0, 0.5, [B, D, H] if c["layout"] else [D, B, H]).astype(f32)
            if k == 0:
                names[5] = s
            else:
                names.append(s)
    elif cell == "LSTM":
        names.append("")
    if cell == "LSTM" and c["peepholes"]:
        inits.append(numpy_helper.from_array(rng.normal(0, 0.5, (D, 3 * H)).astype(f32), "P"))
        names.append("P")
    while names and names[-1] == "":
        names.pop()
    attrs = {"direction": c["direction"], "hidden_size": H, "layout": c["layout"],
             "activations": c["activations"]}
    if c["alpha"]:
        attrs["activation_alpha"] = c["alpha"]
    if c["beta"]:
        attrs["activation_beta"] = c["beta"]
    if c["clip"] > 0:
        attrs["clip"] = c["clip"]
    if cell == "GRU":
        attrs["linear_before_reset"] = c["lbr"]
    if cell == "LSTM":
        attrs["input_forget"] = c["input_forget"]
    outs = ["Y", "Y_h"] + (["Y_c"] if cell == "LSTM" else [])
    node = helper.make_node(cell, names, outs, **attrs)
    y_shape = [batch_dim, S, D, H] if c["layout"] else [S, D, batch_dim, H]
    outputs = [helper.make_tensor_value_info(o, TensorProto.FLOAT,
                                             y_shape if o == "Y" else state_shape)
               for o in outs]
    graph = helper.make_graph([node], "rnn", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    return model, feeds


def describe(c):
    parts = [c["cell"], c["direction"], f"layout {c['layout']}",
             f"seq {c['seq']} batch {c['batch']}{' (dynamic)' if c['dynamic_batch'] else ''}",
             f"in {c['input']} hidden {c['hidden']}",
             "/".join(c["activations"])]
    if c["lens"]:
        parts.append("lens")
    if not c["initial"]:
        parts.append("no initial state")
    if c["clip"]:
        parts.append(f"clip {c['clip']}")
    if c["cell"] == "GRU":
        parts.append(f"lbr {c['lbr']}")
    if c["cell"] == "LSTM":
        if c["peepholes"]:
            parts.append("peepholes")
        if c["input_forget"]:
            parts.append("input_forget")
    return ", ".join(parts)


def run(command):
    p = subprocess.run(command, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(" ".join(command) + ":\n" + p.stderr.strip())
    return p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--models", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--target", default="generic-rram")
    ap.add_argument("--compile-arg", action="append", default=[])
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--atol", type=float, default=1e-5)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    compiler = os.path.join(args.bin, "cim-compile")
    runner = os.path.join(args.bin, "cim-run")
    failed = 0
    for k, c in enumerate(configs(args.models, rng)):
        base = os.path.join(args.work, f"m{k}")
        model, feeds = build(c, rng)
        onnx.checker.check_model(model)
        onnx.save(model, base + ".onnx")
        inputs = []
        for name, value in feeds.items():
            write_tensor(f"{base}-{name}.pb", value, name)
            inputs += ["--input", f"{name}={base}-{name}.pb"]
        try:
            ir = run([compiler, base + ".onnx", "--rnn-on-arrays", "--target",
                      args.target, *args.compile_arg, "--emit=tiled"])
            kept = [op for op in ("cim.rnn", "cim.gru", "cim.lstm") if op + "(" in ir]
            results = {}
            for tag, extra in (("arrays", ["--rnn-on-arrays", *args.compile_arg]),
                               ("digital", ["--rnn-on-arrays=false"])):
                run([compiler, base + ".onnx", "--target", args.target, *extra,
                     "-o", f"{base}-{tag}.cimx"])
                run([runner, f"{base}-{tag}.cimx", *inputs, "--quiet",
                     "--output-dir", f"{base}-{tag}"])
                results[tag] = [read_tensor(os.path.join(f"{base}-{tag}", f"output_{i}.pb"))[0]
                                for i in range(len(model.graph.output))]
        except RuntimeError as e:
            failed += 1
            print(f"FAIL m{k} ({describe(c)}): {e}")
            continue
        worst, ok = 0.0, not kept
        for a, d in zip(results["arrays"], results["digital"]):
            if a.shape != d.shape:
                ok = False
                worst = float("inf")
                continue
            # Equal infinities (an exploding relu) agree; NaN never does.
            same = a == d
            with np.errstate(invalid="ignore"):
                diff = np.where(same, 0.0, np.abs(a.astype(np.float64) - d))
            if diff.size:
                worst = max(worst, float(diff.max()))
            finite = np.abs(d[np.isfinite(d)])
            scale = float(finite.max()) if finite.size else 0.0
            ok &= bool(np.all(same | (diff <= args.atol + args.rtol * scale)))
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'} m{k} ({describe(c)}): max |diff| "
              f"{worst:.2g}{'; kept ' + ', '.join(kept) if kept else ''}")
    print(f"{args.models - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
