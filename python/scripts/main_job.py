#!/usr/bin/env python3
"""One model of each family, compiled for its target and run on the macro.

The README's first command (scripts/run-example.sh) runs this. For each
shipped family:
- compiles the model with cim-compile for the target its hardware asks for;
- runs it with cim-run on the first 1000 Fashion-MNIST test images, on
  sim://ideal, sim://quantized and with the rram-nominal noise model
  (seed 1);
- prints one table: model, target, arrays used (and the lower bound),
  float / ideal / quantized / nominal top-1 accuracy (cim-run --labels),
  and energy and latency per inference on the nominal device
  (cim-run --stats-json).

The families are:
- the MLP, LSTM and ODE-Net, trained in plain float and compiled with
  calibration data;
- the binarized MLP on RRAM bridges;
- the spiking MLP on LIF neurons.

  /usr/bin/python3 python/scripts/main_job.py --bin build/bin --work build/example
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = "examples/fashion-plain/data"
CAL = ["--calibration-data", DATA + "/calibration"]

# (name, model, float accuracy (file, key), target, compile options)
MODELS = [
    ("MLP", "examples/fashion-plain/mlp",
     ("examples/fashion-plain/float_accuracy.json", "mlp"), "generic-rram", CAL),
    ("LSTM", "examples/fashion-plain/lstm",
     ("examples/fashion-plain/float_accuracy.json", "lstm"), "rram-ramp-adc", CAL),
    ("ODE-Net", "examples/fashion-plain/ode",
     ("examples/fashion-plain/float_accuracy.json", "ode"), "rram-ode-40nm", CAL),
    ("BNN", "examples/fashion-bnn",
     ("examples/fashion-bnn/float_accuracy.json", "bnn"), "rram-bridge-bnn", []),
    ("SNN", "examples/fashion-snn",
     ("examples/fashion-snn/float_accuracy.json", "snn"), "tempo-cim-40nm",
     ["--macros", "26"]),
]

DEVICES = [
    ("ideal", ["--device", "sim://ideal"]),
    ("quantized", ["--device", "sim://quantized"]),
    ("nominal", ["--noise", "rram-nominal", "--seed", "1"]),
]


def run(cmd):
    p = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit("error: %s failed (exit %d):\n%s%s" % (
            " ".join(cmd), p.returncode, p.stdout, p.stderr))
    return p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="directory of cim-compile and cim-run")
    ap.add_argument("--work", required=True, help="where artifacts and reports go")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    compile_ = os.path.join(args.bin, "cim-compile")
    cim_run = os.path.join(args.bin, "cim-run")
    images = os.path.join(DATA, "test", "input_0.pb")
    labels = os.path.join(DATA, "test", "labels.pb")
    start = time.time()
    rows = []
    for name, model, (float_file, key), target, options in MODELS:
        stem = os.path.join(args.work, name.lower())
        report = stem + ".report.json"
        artifact = stem + ".cimx"
        print("== %s: cim-compile %s/model.onnx --target %s %s -o %s" % (
            name, model, target, " ".join(options), os.path.relpath(artifact, ROOT)),
            flush=True)
        run([compile_, os.path.join(model, "model.onnx"), "--target", target,
             "--report", report, "-o", artifact] + options)
        with open(os.path.join(ROOT, report)) as f:
            total = json.load(f)["total"]
        with open(os.path.join(ROOT, float_file)) as f:
            float_acc = 100 * json.load(f)[key]["test1000"]
        row = {"model": name, "target": target, "arrays": total["arrays"],
               "bound": total["arrays_lower_bound"], "float": float_acc}
        for device, flags in DEVICES:
            stats = stem + "." + device + ".stats.json"
            out = run([cim_run, artifact, "--input", "x=" + images,
                       "--labels", labels, "--stats-json", stats] + flags)
            m = re.search(r"top-1 accuracy ([0-9.]+)%", out)
            if not m:
                sys.exit("error: cim-run printed no accuracy:\n" + out)
            row[device] = float(m.group(1))
            if device == "nominal":
                with open(os.path.join(ROOT, stats)) as f:
                    s = json.load(f)
                row["energy_nj"] = s["energy_pj"]["total"] / 1e3
                row["latency_us"] = s["latency_ns"] / 1e3
        rows.append(row)
    print()
    print("Top-1 accuracy on the first 1000 Fashion-MNIST test images; energy "
          "and latency per inference at rram-nominal (seed 1)")
    header = ("model", "target", "arrays", "float %", "ideal %", "quant. %",
              "nominal %", "energy nJ", "latency us")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print("| %s | %s | %d (bound %d) | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f |"
              % (r["model"], r["target"], r["arrays"], r["bound"], r["float"],
                 r["ideal"], r["quantized"], r["nominal"], r["energy_nj"],
                 r["latency_us"]))
    print("\n%.0f s; artifacts, reports and cost files in %s" % (
        time.time() - start, os.path.relpath(args.work, ROOT)))


if __name__ == "__main__":
    main()
