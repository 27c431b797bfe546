#!/usr/bin/python3
"""Binarized network: RRAM bridges against current summing, under device
variation and IR drop.

Compiles the model twice for the target (--bnn-mapping=bridge and
--bnn-mapping=current-sum), then runs each on the quantised simulator with
a noise model that has only conductance variation (prog_sigma_rel, each
level of --variation) or only IR drop (ir_drop, each level of --ir-drop),
over several seeds, and at the named presets (--presets) in full. Prints
top-1 accuracy tables (mean and standard deviation over the seeds, in %),
the ideal and float accuracy, and each mapping's energy per inference from
the compiler's report. With --svg-variation / --svg-ir, draws the tables.

  /usr/bin/python3 python/scripts/bnn_sweep.py --bin build/bin \\
      [--model examples/fashion-bnn/model.onnx] [--target rram-bridge-bnn] \\
      [--test-images N] [--calibration-data DIR] \\
      [--variation 0,0.05,0.1,0.2,0.3] \\
      [--ir-drop 0,4e-5,1.2e-4,4e-4,1.2e-3] [--presets rram-nominal] \\
      [--seeds 5] [--work DIR] [--jobs 2] [--markdown] \\
      [--svg-variation FILE] [--svg-ir FILE] [--json FILE]

Without --test-images it scores the 1000 test images shipped in
examples/fashion-plain/data/test; --test-images N uses the first N of
Debian's Fashion-MNIST test set (dataset-fashion-mnist) instead.

Exit status: 0 on success, 1 on a failed compile or run (its message on
stderr).
"""

import argparse
import concurrent.futures
import json
import os
import sys
import tempfile

import numpy as np

from common import fashion_test_inputs, run, svg_lines, top1_on_device

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAPPINGS = ("bridge", "current-sum")


def noise_file(work, name, fields):
    path = os.path.join(work, f"{name}.json")
    with open(path, "w") as f:
        json.dump(dict(name=name, **fields), f)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--model",
                    default=os.path.join(REPO, "examples", "fashion-bnn", "model.onnx"))
    ap.add_argument("--target", default="rram-bridge-bnn")
    ap.add_argument("--test-images", type=int)
    ap.add_argument("--variation", default="0,0.05,0.1,0.2,0.3",
                    help="prog_sigma_rel levels (fraction of each cell's G)")
    ap.add_argument("--ir-drop", default="0,4e-5,1.2e-4,4e-4,1.2e-3",
                    help="ir_drop levels (wire resistance x G_max)")
    ap.add_argument("--presets", default="rram-nominal",
                    help="noise presets or files to run in full "
                         "(comma-separated; each may add device options, "
                         "e.g. rram-nominal&calibrate=1)")
    ap.add_argument("--calibration-data",
                    help="compile both mappings with cim-compile "
                         "--calibration-data DIR")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--work", default=None)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--svg-variation")
    ap.add_argument("--svg-ir")
    ap.add_argument("--json")
    args = ap.parse_args()

    work = args.work or tempfile.mkdtemp(prefix="bnn-sweep-")
    os.makedirs(work, exist_ok=True)
    compiler = os.path.join(args.bin, "cim-compile")
    runner = os.path.join(args.bin, "cim-run")
    inputs, labels, _ = fashion_test_inputs(args.test_images, work)

    artifacts, energy = {}, {}
    for mapping in MAPPINGS:
        artifacts[mapping] = os.path.join(work, f"{mapping}.cimx")
        report = os.path.join(work, f"{mapping}.json")
        data = ["--calibration-data", args.calibration_data] \
            if args.calibration_data else []
        run([compiler, args.model, "--target", args.target,
             f"--bnn-mapping={mapping}", "--report", report,
             "-o", artifacts[mapping]] + data)
        with open(report) as f:
            energy[mapping] = json.load(f)["total"]["energy_pj"]
    ideal = top1_on_device(runner, artifacts["bridge"], "sim://ideal", inputs, labels, work)

    sweeps = {
        "variation": [float(v) for v in args.variation.split(",")],
        "ir_drop": [float(v) for v in args.ir_drop.split(",")],
    }
    field = {"variation": "prog_sigma_rel", "ir_drop": "ir_drop"}
    jobs = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for sweep, levels in sweeps.items():
            for level in levels:
                noise = noise_file(work, f"{sweep}-{level:g}", {field[sweep]: level})
                for mapping in MAPPINGS:
                    for seed in range(1, args.seeds + 1):
                        device = f"sim://quantized?noise={noise}&seed={seed}"
                        jobs[(sweep, level, mapping, seed)] = pool.submit(
                            top1_on_device, runner, artifacts[mapping], device, inputs,
                            labels, work)
        presets = [p for p in args.presets.split(",") if p]
        for preset in presets:
            for mapping in MAPPINGS:
                for seed in range(1, args.seeds + 1):
                    device = f"sim://quantized?noise={preset}&seed={seed}"
                    jobs[("preset", preset, mapping, seed)] = pool.submit(
                        top1_on_device, runner, artifacts[mapping], device, inputs,
                        labels, work)

    def stats(sweep, level, mapping):
        acc = [jobs[(sweep, level, mapping, s)].result()
               for s in range(1, args.seeds + 1)]
        return float(np.mean(acc)), float(np.std(acc))

    results = {"ideal": ideal, "images": int(len(labels)), "seeds": args.seeds,
               "energy_pj": energy}
    sep = " | " if args.markdown else "  "
    print(f"{len(labels)} test images, {args.seeds} seeds per point; "
          f"ideal (= the ONNX model) {100 * ideal:.2f}%")
    for sweep, levels in list(sweeps.items()) + [("preset", presets)]:
        table = {m: [stats(sweep, level, m) for level in levels] for m in MAPPINGS}
        results[sweep] = {"levels": levels, **table}
        head = [field.get(sweep, "noise model"), "bridge %", "current-sum %"]
        if args.markdown:
            print("\n| " + " | ".join(head) + " |\n|" + "---|" * len(head))
        else:
            print("\n" + sep.join(f"{h:>16}" for h in head))
        for i, level in enumerate(levels):
            name = f"{level:g}" if sweep != "preset" else level
            if sweep == "preset" and "/" in name:  # a noise file
                name = os.path.basename(name)
            cells = [name] + [
                f"{100 * table[m][i][0]:.2f} ± {100 * table[m][i][1]:.2f}"
                for m in MAPPINGS]
            if args.markdown:
                print("| " + " | ".join(cells) + " |")
            else:
                print(sep.join(f"{c:>16}" for c in cells))
        svg = {"variation": args.svg_variation, "ir_drop": args.svg_ir}.get(sweep)
        if svg:
            svg_lines(svg, levels, table,
                      f"{args.model.split('/')[-2]} on {args.target} "
                      f"({args.seeds} seeds)", field[sweep])
    print()
    for mapping in MAPPINGS:
        e = energy[mapping]
        parts = ", ".join(f"{k} {v:.1f}" for k, v in sorted(e.items())
                          if k != "total" and v > 0)
        print(f"energy per inference, {mapping}: {e['total']:.1f} pJ ({parts})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
