"""Energy of a large fine-tuned layer on ROM + SRAM residual branches
versus all-SRAM compute-in-memory (the comparison YOLoC makes).

usage: /usr/bin/python3 python/scripts/sram_vs_rom.py --bin build/bin [--size N]
           [--rank R] [--reuse 1,16,256] [--work DIR]

Builds a base N x N Gemm and a fine-tuned copy (a rank-R update), derives
the residual branches with rebranch.py, and compiles:
  hybrid: the base weight on ROM, the branches on SRAM (rom-sram-hybrid);
  sram:   the fine-tuned weight on SRAM only (rom-sram-hybrid's SRAM kind
          as the whole target, 16 arrays), time-shared with --allow-reload
          because it does not fit, so its weights come from off-chip memory
          at every load.
For each reuse (input vectors per load of the weights) it prints the
energy per vector of both and their ratio, from cim-compile --report.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))

SRAM_TARGET = {
    "name": "all-sram",
    "array": {"cell": "sram", "rows": 256, "cols": 256, "bits_per_cell": 1,
              "count": 16, "weight_bits": 8},
    "dac": {"bits": 8}, "adc": {"bits": 8},
}


def gemm_model(w, path):
    n = w.shape[0]
    g = helper.make_graph(
        [helper.make_node("Gemm", ["x", "fc.weight"], ["y"], name="fc")], "fc",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", n])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", n])],
        [numpy_helper.from_array(w, "fc.weight")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    onnx.save(m, path)


def run(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        sys.exit(f"error: {cmd[0]}: {e.strerror}")
    if r.returncode:
        sys.exit(f"error: {' '.join(cmd)}: {r.stderr.strip()}")
    return r.stdout


def energy(bin_dir, model, target, extra, reuse, work):
    report = os.path.join(work, "report.json")
    run([os.path.join(bin_dir, "cim-compile"), model, "--target", target,
         "-o", os.path.join(work, "m.cimx"), "--report", report,
         "--reuse", str(reuse)] + extra)
    with open(report) as f:
        return json.load(f)["total"]["energy_pj"]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin", required=True)
    p.add_argument("--size", type=int, default=1024)
    p.add_argument("--rank", type=int, default=8)
    p.add_argument("--reuse", default="1,16,256,4096")
    p.add_argument("--work", default="/tmp/cim-sram-vs-rom")
    args = p.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rng = np.random.default_rng(0)
    n, r = args.size, args.rank
    base = rng.uniform(-1, 1, (n, n)).astype(np.float32)
    tuned = (base + rng.normal(0, 0.05, (n, r)) @ rng.normal(0, 0.05, (r, n))
             ).astype(np.float32)
    paths = {k: os.path.join(args.work, k + ".onnx")
             for k in ("base", "tuned", "rebranch")}
    gemm_model(base, paths["base"])
    gemm_model(tuned, paths["tuned"])
    run([sys.executable, os.path.join(HERE, "rebranch.py"), paths["base"],
         paths["tuned"], "--rank", str(r), "-o", paths["rebranch"]])
    sram_target = os.path.join(args.work, "all-sram.json")
    with open(sram_target, "w") as f:
        json.dump(SRAM_TARGET, f)

    print(f"{n}x{n} layer, rank-{r} fine-tuning; energy per input vector (pJ)")
    print(f"{'reuse':>6} {'ROM+SRAM':>12} {'all-SRAM':>12} {'ratio':>8}")
    ratios = []
    for reuse in (int(v) for v in args.reuse.split(",")):
        hybrid = energy(args.bin, paths["rebranch"], "rom-sram-hybrid",
                        ["--tunable", r".*\.rebranch_[ab]"], reuse, args.work)
        sram = energy(args.bin, paths["tuned"], sram_target, ["--allow-reload"],
                      reuse, args.work)
        ratios.append(sram["total"] / hybrid["total"])
        print(f"{reuse:>6} {hybrid['total']:>12.1f} {sram['total']:>12.1f} "
              f"{ratios[-1]:>8.2f}")
    # The direction YOLoC reports: ROM + SRAM wins, by less as reuse grows.
    if not all(a > b for a, b in zip(ratios, ratios[1:])) or ratios[0] <= 1:
        print("error: the ratio does not fall with reuse from above 1",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
