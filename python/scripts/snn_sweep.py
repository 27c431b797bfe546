#!/usr/bin/python3
"""Spiking network on LIF-neuron macros: accuracy under device noise, and
spikes, pulses and energy per inference by input coding.

Compiles the model for the target (on --macros macros) once per input
coding (latency, rate, dac), runs the latency-coded artifact on the
quantised simulator without noise and with each named noise preset over
several seeds, with and without the device's calibration (calibrate=1:
IR-drop pre-compensation at programming), and runs every coding on the
ideal simulator with --stats-json for its spikes, input pulses, energy and
dense-equivalent TOPS/W per inference at the images' activity. Prints the
tables (accuracy mean and standard deviation over the seeds, in %) and the
float accuracy from the model's float_accuracy.json.

  /usr/bin/python3 python/scripts/snn_sweep.py --bin build/bin \\
      [--model examples/fashion-snn/model.onnx] [--target tempo-cim-40nm] \\
      [--macros 26] [--compile-flags=--active-rows=128] \\
      [--test-images N] [--presets rram-nominal] \\
      [--seeds 5] [--work DIR] [--jobs 2] [--markdown] [--json FILE]

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

from common import fashion_test_inputs, run, top1_on_device

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CODINGS = ("latency", "rate", "dac")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--model",
                    default=os.path.join(REPO, "examples/fashion-snn/model.onnx"))
    ap.add_argument("--target", default="tempo-cim-40nm")
    ap.add_argument("--macros", type=int, default=26)
    ap.add_argument("--compile-flags", default="",
                    help="more cim-compile flags, space-separated")
    ap.add_argument("--test-images", type=int)
    ap.add_argument("--presets", default="rram-nominal")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--work", default=None)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="cim-snn-sweep-")
    os.makedirs(work, exist_ok=True)
    compiler = os.path.join(args.bin, "cim-compile")
    runner = os.path.join(args.bin, "cim-run")

    inputs, labels, images = fashion_test_inputs(args.test_images, work)

    artifacts = {}
    for coding in CODINGS:
        artifacts[coding] = os.path.join(work, f"{coding}.cimx")
        run([compiler, args.model, "--target", args.target, "--macros",
             str(args.macros), f"--input-coding={coding}", "-o",
             artifacts[coding]] + args.compile_flags.split())

    # Accuracy of the latency-coded artifact.
    jobs = {("ideal", 0, False): "sim://ideal",
            ("quantized", 0, False): "sim://quantized"}
    presets = [p for p in args.presets.split(",") if p]
    for preset in presets:
        for seed in range(1, args.seeds + 1):
            for calibrate in (False, True):
                jobs[(preset, seed, calibrate)] = (
                    f"sim://quantized?noise={preset}&seed={seed}"
                    + ("&calibrate=1" if calibrate else ""))
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {key: pool.submit(top1_on_device, runner, artifacts["latency"], dev,
                                    inputs, labels, work)
                   for key, dev in jobs.items()}
        acc = {key: f.result() for key, f in futures.items()}

    # Activity and energy per inference of each coding (ideal device).
    activity = {}
    for coding in CODINGS:
        stats = os.path.join(work, f"{coding}.json")
        run([runner, artifacts[coding], "--input", f"x={inputs}",
             "--output-dir", tempfile.mkdtemp(dir=work), "--quiet",
             "--stats-json", stats])
        with open(stats) as f:
            activity[coding] = json.load(f)

    float_acc = None
    float_file = os.path.join(os.path.dirname(args.model), "float_accuracy.json")
    if os.path.exists(float_file):
        with open(float_file) as f:
            snn = json.load(f).get("snn", {})
        float_acc = snn.get("test1000" if not args.test_images else "test10k")
        if args.test_images and args.test_images != 10000:
            float_acc = None

    out = {"images": images, "target": args.target, "macros": args.macros,
           "float": float_acc, "ideal": acc[("ideal", 0, False)],
           "quantized": acc[("quantized", 0, False)], "presets": {},
           "codings": {}}
    for preset in presets:
        for calibrate in (False, True):
            values = [acc[(preset, s, calibrate)] for s in range(1, args.seeds + 1)]
            out["presets"][preset + (" calibrated" if calibrate else "")] = {
                "mean": float(np.mean(values)), "std": float(np.std(values)),
                "seeds": values}
    for coding, s in activity.items():
        out["codings"][coding] = {
            k: s[k] for k in ("spikes", "input_pulses", "dac_conversions",
                              "adc_conversions", "synaptic_ops", "tops_per_w")}
        out["codings"][coding]["energy_pj"] = s["energy_pj"]

    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)
    pct = lambda v: f"{100 * v:.2f}"
    print(f"{args.target} on {args.macros} macros {args.compile_flags}, "
          f"{images}")
    print()
    print("| device | top-1 (%) |")
    print("|---|---|")
    if float_acc is not None:
        print(f"| float (torch) | {pct(float_acc)} |")
    print(f"| sim://ideal | {pct(out['ideal'])} |")
    print(f"| sim://quantized (no noise) | {pct(out['quantized'])} |")
    for name, v in out["presets"].items():
        print(f"| {name}, seeds 1-{args.seeds} | {pct(v['mean'])} +- "
              f"{pct(v['std'])} |")
    print()
    print("| input coding | spikes | input pulses | DAC conversions | "
          "energy (pJ) | of which pulses / DAC | TOPS/W at this activity |")
    print("|---|---|---|---|---|---|---|")
    for coding, c in out["codings"].items():
        e = c["energy_pj"]
        print(f"| {coding} | {c['spikes']:.1f} | {c['input_pulses']:.0f} | "
              f"{c['dac_conversions']:.0f} | {e['total']:.1f} | "
              f"{e.get('pulse', 0):.1f} / {e.get('dac', 0):.1f} | "
              f"{c['tops_per_w']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
