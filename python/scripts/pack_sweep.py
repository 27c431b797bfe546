"""Packs MLPs of many layer shapes onto several targets and checks the result.

usage: pack_sweep.py --bin BUILD/bin --work DIR [--target T ...] [--seed N]
                     [--models N] [--max-ratio R]

For each target and each random MLP (1 to 3 Gemm layers of random sizes),
compiles the model with cim-compile and checks, from the tiled IR and the
cost report:
  - no two tiles overlap and every tile lies inside its array;
  - arrays used against the lower bound (weight cells / cells per array);
  - the artifact computes the model in ideal simulation (cim-run against a
    float64 numpy reference, within float32 rounding: 1e-5 of the output
    scale).
Prints one line per model and the total arrays over the total bound; exits
non-zero if a check fails or the total ratio exceeds --max-ratio.
"""
import argparse
import json
import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

TILE_RE = re.compile(
    r"cim\.program_tile .*\{array = (\d+) : i64, array_col = (\d+) : i64, "
    r"array_row = (\d+) : i64, encoding = #cim<encoding (\w+)>.*"
    r"-> <(\d+)x(\d+), (\w+)>")
ARRAY_RE = re.compile(
    r"#cim\.array<name = \"[^\"]*\", cell = (\w+), rows = (\d+), cols = (\d+), "
    r"bits_per_cell = (\d+), count = \d+, encoding = \w+(?:, weight_bits = (\d+))?")


def make_mlp(rng, sizes, path):
    """An MLP of Gemm layers (relu between them) with random weights."""
    nodes, inits = [], []
    prev = "x"
    for i, (k, n) in enumerate(zip(sizes[:-1], sizes[1:])):
        w = rng.uniform(-1, 1, size=(n, k)).astype(np.float32)
        b = rng.uniform(-0.5, 0.5, size=(n,)).astype(np.float32)
        inits += [numpy_helper.from_array(w, f"fc{i}.weight"),
                  numpy_helper.from_array(b, f"fc{i}.bias")]
        out = "y" if i == len(sizes) - 2 else f"h{i}"
        nodes.append(helper.make_node(
            "Gemm", [prev, f"fc{i}.weight", f"fc{i}.bias"],
            [out if i == len(sizes) - 2 else f"g{i}"], name=f"fc{i}", transB=1))
        if i != len(sizes) - 2:
            nodes.append(helper.make_node("Relu", [f"g{i}"], [out],
                                          name=f"relu{i}"))
        prev = out
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", sizes[0]])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", sizes[-1]])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(model, path)
    return model


def reference(model, x):
    w = {t.name: numpy_helper.to_array(t).astype(np.float64)
         for t in model.graph.initializer}
    h = x.astype(np.float64)
    gemms = [n for n in model.graph.node if n.op_type == "Gemm"]
    for i, node in enumerate(gemms):
        h = h @ w[node.input[1]].T + w[node.input[2]]
        if i != len(gemms) - 1:
            h = np.maximum(h, 0)
    return h.astype(np.float32)


def physical_cols(cols, encoding, slices):
    return 2 * cols * slices if encoding == "differential" else cols * slices + 1


def check_overlaps(tiled_ir):
    """Returns (arrays used per cell kind, error or None)."""
    kinds = {m.group(1): (int(m.group(2)), int(m.group(3)), int(m.group(4)),
                          int(m.group(5) or 0))
             for m in ARRAY_RE.finditer(tiled_ir)}
    occupied = {}
    for m in TILE_RE.finditer(tiled_ir):
        array, col, row = int(m.group(1)), int(m.group(2)), int(m.group(3))
        encoding, rows, cols, cell = m.group(4), int(m.group(5)), int(m.group(6)), m.group(7)
        arows, acols, bits, wbits = kinds[cell]
        slices = -(-wbits // bits) if wbits > bits else 1
        pcols = physical_cols(cols, encoding, slices)
        if row + rows > arows or col + pcols > acols:
            return None, (f"tile {rows}x{cols} at ({row}, {col}) leaves "
                          f"{cell} array {array} ({arows}x{acols})")
        grid = occupied.setdefault((cell, array), np.zeros((arows, acols), bool))
        if grid[row:row + rows, col:col + pcols].any():
            return None, f"tile {rows}x{cols} at ({row}, {col}) overlaps in {cell} array {array}"
        grid[row:row + rows, col:col + pcols] = True
    return len(occupied), None


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--target", action="append")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--models", type=int, default=12)
    ap.add_argument("--max-ratio", type=float, default=1.05)
    args = ap.parse_args()
    compiler = os.path.join(args.bin, "cim-compile")
    runner = os.path.join(args.bin, "cim-run")
    os.makedirs(args.work, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    failures, total_arrays, total_bound = 0, 0, 0
    for target in args.target or ["generic-rram"]:
        for m in range(args.models):
            layers = int(rng.integers(1, 4))
            sizes = [int(s) for s in rng.integers(8, 600, size=layers + 1)]
            base = os.path.join(args.work, f"{os.path.basename(target)}-{m}")
            model = make_mlp(rng, sizes, base + ".onnx")
            tiled = run([compiler, base + ".onnx", "--target", target,
                         "--emit=tiled", "-o", base + ".mlir"])
            built = run([compiler, base + ".onnx", "--target", target,
                         "-o", base + ".cimx", "--report", base + ".json"])
            if tiled.returncode or built.returncode:
                print(f"FAIL {target} {sizes}: {tiled.stderr}{built.stderr}")
                failures += 1
                continue
            used, error = check_overlaps(open(base + ".mlir").read())
            report = json.load(open(base + ".json"))["total"]
            arrays, bound = report["arrays"], report["arrays_lower_bound"]
            if error or used != arrays:
                print(f"FAIL {target} {sizes}: {error or 'report counts ' + str(arrays)}")
                failures += 1
                continue
            data = base + ".data"
            os.makedirs(data, exist_ok=True)
            x = rng.uniform(-1, 1, size=(3, sizes[0])).astype(np.float32)
            for name, array, path in (("x", x, "input_0.pb"),
                                      ("y", reference(model, x), "output_0.pb")):
                with open(os.path.join(data, path), "wb") as f:
                    f.write(numpy_helper.from_array(array, name).SerializeToString())
            # float32 GEMMs: errors scale with the outputs' magnitude.
            atol = 1e-5 * max(1.0, float(np.abs(reference(model, x)).max()))
            ran = run([runner, base + ".cimx", "--test-data", data,
                       "--rtol", "1e-5", "--atol", f"{atol:g}"])
            exact = ran.returncode == 0
            failures += not exact
            total_arrays += arrays
            total_bound += bound
            print(f"{'ok  ' if exact else 'FAIL'} {target} layers {sizes}: "
                  f"{arrays} arrays, bound {bound}, tiles "
                  f"{open(base + '.mlir').read().count('cim.program_tile')}"
                  + ("" if exact else "\n" + ran.stdout + ran.stderr))
    ratio = total_arrays / max(total_bound, 1)
    print(f"total: {total_arrays} arrays, bound {total_bound}, ratio {ratio:.3f}")
    if ratio > args.max_ratio:
        print(f"FAIL: ratio {ratio:.3f} above {args.max_ratio}")
        failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
