#!/usr/bin/env python3
"""Throughput of the simulator and the runtime, against numpy float32.

A benchmark, not a test: prints figures and ratios measured in one
invocation on one machine.

1. `cim-bench`: the simulator's MVMs (ideal, quantized, rram-nominal and
   rram-nominal with conductance-proportional read noise) at tiles 256 and
   1024, batch 1 and 256, against OpenBLAS (sgemv for one vector, sgemm for
   a batch) in the same process; and the same shapes through numpy float32
   here (`x @ W`; numpy picks GEMV for one vector), with the ratio.
2. The digital LSTM: the Fashion-MNIST LSTM of examples/fashion-plain
   compiled with `--rnn-on-arrays=false` (its recurrent layer in the
   digital unit) on sim://ideal, against the same LSTM written in numpy
   float32 on the same 1000 images (the outputs are compared too).
3. End to end, per shipped example: inferences per second of the session
   alone (`cim-run --timing`: the session's runs) and of the whole cim-run
   process, on sim://ideal and on rram-nominal.

Each timing is the best of --repeat runs.

  /usr/bin/python3 python/scripts/bench.py --bin build/bin [--repeat 5]
      [--min-time 3] [--threads N] [--skip-mvm] [--skip-examples]
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

# numpy's BLAS gets the simulator's threads (set before numpy loads it).
for _i, _a in enumerate(sys.argv):
    if _a == "--threads" and _i + 1 < len(sys.argv) and sys.argv[_i + 1] != "0":
        os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[_i + 1]
    elif _a.startswith("--threads=") and _a != "--threads=0":
        os.environ["OPENBLAS_NUM_THREADS"] = _a.split("=", 1)[1]

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import numpy_helper  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import read_tensor  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EX = os.path.join(ROOT, "examples")
FASHION_TEST = os.path.join(EX, "fashion-plain", "data", "test", "input_0.pb")

# Shipped examples: (label, model, target and flags, inputs). Inputs: None
# for the model's test_data_set_0, else a tensor file for the model's first
# input.
EXAMPLES = [
    ("digits-mlp", "digits-mlp/model.onnx", "generic-rram", None),
    ("fashion mlp", "fashion-plain/mlp/model.onnx", "generic-rram", FASHION_TEST),
    ("fashion mlp-qdq", "fashion-plain/mlp-qdq/model.onnx", "generic-rram", FASHION_TEST),
    ("fashion cnn", "fashion-plain/cnn/model.onnx", "generic-rram", FASHION_TEST),
    ("fashion rescnn", "fashion-plain/rescnn/model.onnx", "generic-rram", FASHION_TEST),
    ("fashion lstm", "fashion-plain/lstm/model.onnx", "rram-ramp-adc", FASHION_TEST),
    ("fashion gru", "fashion-plain/gru/model.onnx", "rram-ramp-adc", FASHION_TEST),
    ("fashion ode", "fashion-plain/ode/model.onnx", "rram-ode-40nm", FASHION_TEST),
    ("fashion bnn", "fashion-bnn/model.onnx", "rram-bridge-bnn", None),
    ("fashion snn", "fashion-snn/model.onnx", "tempo-cim-40nm --macros 26", None),
    ("rebranch rank 4", "fashion-rebranch/branch4/model.onnx", "rom-sram-hybrid", None),
]

TIMING = re.compile(r"timing: ([0-9.]+) ms in main: ([0-9.]+) ms loading the "
                    r"model and programming the device, ([0-9.]+) ms reading "
                    r"inputs, ([0-9.]+) ms in the session's runs")


def best_of(n, fn):
    return min(fn() for _ in range(n))


def run_timed(cmd):
    """(wall ms, session-run ms) of one cim-run process."""
    start = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = 1e3 * (time.perf_counter() - start)
    if p.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), p.stderr))
    m = TIMING.search(p.stderr)
    if not m:
        sys.exit("cim-run printed no timing line:\n" + p.stderr)
    return wall, float(m.group(4))


def mvm_table(args):
    cmd = [os.path.join(args.bin, "cim-bench"), "--min-time", str(args.min_time)]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        m = re.match(r"(.+?)\s+(\d+)\s+(\d+)\s+([0-9.]+)\s+([0-9.]+)\s+(sgemv|sgemm)\s+([0-9.]+)$",
                     line)
        if m:
            rows.append((m.group(1).strip(), int(m.group(2)), int(m.group(3)),
                         float(m.group(4)), float(m.group(5)), m.group(6),
                         float(m.group(7))))
    if not rows:
        sys.exit("cim-bench printed no rows:\n" + out)
    print(out.splitlines()[0])
    rng = np.random.default_rng(1)
    numpy_gmacs = {}
    for n in sorted({r[1] for r in rows}):
        w = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        for batch in sorted({r[2] for r in rows}):
            x = rng.uniform(-1, 1, (batch, n)).astype(np.float32)
            v = x[0]
            if batch == 1:
                call = lambda: v @ w  # noqa: E731  (GEMV)
            else:
                call = lambda: x @ w  # noqa: E731
            reps = max(1, int(2e8 / (batch * n * n)))

            def timed():
                t = time.perf_counter()
                for _ in range(reps):
                    call()
                return (time.perf_counter() - t) / reps
            secs = best_of(args.repeat, timed)
            numpy_gmacs[(n, batch)] = batch * n * n / secs * 1e-9
    print("| mode | tile | batch | sim GMAC/s | BLAS GMAC/s | BLAS | sim / BLAS "
          "| numpy GMAC/s | sim / numpy |")
    print("|---|---|---|---|---|---|---|---|---|")
    for mode, n, batch, sim, blas, kind, ratio in rows:
        npg = numpy_gmacs[(n, batch)]
        print("| %s | %d | %d | %.2f | %.2f | %s | %.2f | %.2f | %.2f |" % (
            mode, n, batch, sim, blas, kind, ratio, npg, sim / npg))


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def numpy_lstm(model_path, x):
    """The Fashion-MNIST LSTM (one LSTM over the 28 rows, a Gemm head on the
    last step) in numpy float32, from the ONNX file's weights."""
    m = onnx.load(model_path)
    init = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    lstm = next(n for n in m.graph.node if n.op_type == "LSTM")
    gemm = next(n for n in m.graph.node if n.op_type == "Gemm")
    W, R, B = (init[lstm.input[i]][0] for i in (1, 2, 3))
    hw, hb = init[gemm.input[1]], init[gemm.input[2]]
    H = R.shape[1]
    WT, RT = W.T.copy(), R.T.copy()
    bias = (B[:4 * H] + B[4 * H:]).astype(np.float32)
    steps = x.shape[1] // W.shape[1]

    def run():
        n = x.shape[0]
        xs = x.reshape(n, steps, -1).transpose(1, 0, 2)
        xw = (xs.reshape(steps * n, -1) @ WT + bias).reshape(steps, n, 4 * H)
        h = np.zeros((n, H), np.float32)
        c = np.zeros((n, H), np.float32)
        for t in range(steps):
            g = xw[t] + h @ RT
            i, o = sigmoid(g[:, :H]), sigmoid(g[:, H:2 * H])
            f, cc = sigmoid(g[:, 2 * H:3 * H]), np.tanh(g[:, 3 * H:])
            c = f * c + i * cc
            h = o * np.tanh(c)
        return h @ hw.T + hb
    return run


def digital_lstm(args, work):
    model = os.path.join(EX, "fashion-plain", "lstm", "model.onnx")
    artifact = os.path.join(work, "lstm-digital.cimx")
    subprocess.run([os.path.join(args.bin, "cim-compile"), model,
                    "--rnn-on-arrays=false", "-o", artifact], check=True,
                   capture_output=True)
    x = read_tensor(FASHION_TEST)[0].astype(np.float32)
    out = os.path.join(work, "lstm-out")
    cmd = [os.path.join(args.bin, "cim-run"), artifact, "--input",
           "x=" + FASHION_TEST, "--device", "sim://ideal", "--timing",
           "--quiet", "--output-dir", out, "--output-format", "npy"]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    session = min(run_timed(cmd)[1] for _ in range(args.repeat))
    run = numpy_lstm(model, x)

    def timed():
        t = time.perf_counter()
        run()
        return 1e3 * (time.perf_counter() - t)
    numpy_ms = best_of(args.repeat, timed)
    diff = float(np.max(np.abs(np.load(os.path.join(out, "output_0.npy")) - run())))
    print("\nDigital LSTM (examples/fashion-plain/lstm, --rnn-on-arrays=false, "
          "sim://ideal), %d images:" % x.shape[0])
    print("| | ms | images/s |")
    print("|---|---|---|")
    print("| cim session | %.1f | %.0f |" % (session, x.shape[0] / session * 1e3))
    print("| numpy float32 | %.1f | %.0f |" % (numpy_ms, x.shape[0] / numpy_ms * 1e3))
    print("cim / numpy time: %.2fx; largest |logit difference|: %.2g" % (
        session / numpy_ms, diff))


def batch_of(model, inputs):
    if inputs:
        return read_tensor(inputs)[0].shape[0]
    first = os.path.join(os.path.dirname(model), "test_data_set_0", "input_0.pb")
    return read_tensor(first)[0].shape[0]


def examples_table(args, work):
    print("\nEnd to end: inferences per second of the session's runs and of "
          "the whole cim-run process (best of %d)" % args.repeat)
    print("| example | target | batch | device | session inf/s | cim-run inf/s |")
    print("|---|---|---|---|---|---|")
    for label, rel, target, inputs in EXAMPLES:
        model = os.path.join(EX, rel)
        artifact = os.path.join(work, re.sub(r"\W+", "-", label) + ".cimx")
        subprocess.run([os.path.join(args.bin, "cim-compile"), model, "--target"]
                       + target.split() + ["-o", artifact], check=True,
                       capture_output=True)
        batch = batch_of(model, inputs)
        if inputs:
            name = onnx.load(model, load_external_data=False).graph.input[0].name
            feed = ["--input", name + "=" + inputs]
        else:
            feed = ["--test-data", os.path.join(os.path.dirname(model), "test_data_set_0"),
                    "--rtol", "1", "--atol", "1e9"]
        for device in ("sim://ideal", "rram-nominal"):
            dev = (["--device", device] if device.startswith("sim://")
                   else ["--noise", device, "--seed", "1"])
            cmd = [os.path.join(args.bin, "cim-run"), artifact, "--timing",
                   "--quiet"] + feed + dev
            if args.threads:
                cmd += ["--threads", str(args.threads)]
            runs = [run_timed(cmd) for _ in range(args.repeat)]
            wall = min(r[0] for r in runs)
            session = min(r[1] for r in runs)
            print("| %s | %s | %d | %s | %.0f | %.0f |" % (
                label, target, batch, device, batch / session * 1e3,
                batch / wall * 1e3))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--min-time", type=float, default=3.0,
                    help="cim-bench's --min-time per row")
    ap.add_argument("--threads", type=int, default=0,
                    help="simulator and numpy BLAS threads (default: all cores)")
    ap.add_argument("--skip-mvm", action="store_true")
    ap.add_argument("--skip-examples", action="store_true")
    args = ap.parse_args()
    if not args.skip_mvm:
        mvm_table(args)
    with tempfile.TemporaryDirectory() as work:
        digital_lstm(args, work)
        if not args.skip_examples:
            examples_table(args, work)


if __name__ == "__main__":
    main()
