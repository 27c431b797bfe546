#!/usr/bin/python3
"""Accuracy of the Fashion-MNIST ODE-Nets under the analog and digital schedules.

For each export (examples/fashion-ode/ode_euler, ode_rk4, ode_loop) and
each ODE schedule, compiles the model for the rram-ode-40nm target
(cim-compile --ode-schedule), runs the test images on the ideal simulator
and on the quantised simulator with a noise preset over several seeds, and
prints top-1 accuracy (mean and std over the seeds) next to torch's float
accuracy (examples/fashion-ode/float_accuracy.json), plus the conversions
and energy of both schedules from the cost report.

  /usr/bin/python3 python/scripts/eval_ode.py --bin build/bin --work /tmp/ode \\
      [--images 10000] [--seeds 5] [--noise rram-nominal] [--target rram-ode-40nm]
      [--models ode_euler,ode_rk4,ode_loop] [--markdown]

Images come from Debian's dataset-fashion-mnist. Exit status 0, or 1 with
`error: ...` on a failed compile or run.
"""

import argparse
import json
import os
import sys

import numpy as np

from common import load_fashion, read_tensor, run, write_tensor

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
STEPS = 8  # the trip count of ode_loop's `steps` input (as trained)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--images", type=int, default=10000)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--noise", default="rram-nominal")
    ap.add_argument("--target", default="rram-ode-40nm")
    ap.add_argument("--models", default="ode_euler,ode_rk4,ode_loop")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    compiler = os.path.join(args.bin, "cim-compile")
    runner = os.path.join(args.bin, "cim-run")
    os.makedirs(args.work, exist_ok=True)

    x, labels = load_fashion("t10k", args.images)
    xpath = os.path.join(args.work, "x.pb")
    write_tensor(xpath, x, "x")
    spath = os.path.join(args.work, "steps.pb")
    write_tensor(spath, np.array(STEPS, dtype=np.int64), "steps")
    with open(os.path.join(REPO, "examples", "fashion-ode", "float_accuracy.json")) as f:
        float_acc = json.load(f)["accuracy"]

    rows = []
    for name in args.models.split(","):
        model = os.path.join(REPO, "examples", "fashion-ode", name, "model.onnx")
        inputs = ["--input", "x=" + xpath]
        if name == "ode_loop":
            inputs += ["--input", "steps=" + spath]
        reports = {}
        for schedule in ("analog", "digital"):
            base = os.path.join(args.work, f"{name}-{schedule}")
            run([compiler, model, "--target", args.target, "--ode-schedule",
                 schedule, "-o", base + ".cimx", "--report", base + ".json"])
            with open(base + ".json") as f:
                reports[schedule] = json.load(f)["total"]

            def accuracy(extra, tag):
                out = f"{base}-{tag}"
                run([runner, base + ".cimx", *inputs, "--output-dir", out,
                     "--quiet", *extra])
                logits, _ = read_tensor(os.path.join(out, "output_0.pb"))
                return float(np.mean(np.argmax(logits, axis=1) == labels))

            ideal = accuracy([], "ideal")
            noisy = [accuracy(["--noise", args.noise, "--seed", str(s)], f"seed{s}")
                     for s in range(1, args.seeds + 1)]
            rows.append((name, schedule, float_acc[name], ideal,
                         float(np.mean(noisy)), float(np.std(noisy)),
                         reports[schedule]))
    if args.markdown:
        print(f"| model | schedule | float (torch) | ideal | {args.noise} "
              f"({args.seeds} seeds) | DAC+ADC per image | energy pJ per image |")
        print("|---|---|---|---|---|---|---|")
    else:
        print(f"accuracy on {args.images} Fashion-MNIST test images, target "
              f"{args.target}")
    for name, schedule, fl, ideal, mean, std, rep in rows:
        conversions = rep["dac_conversions"] + rep["adc_conversions"]
        energy = rep["energy_pj"]["total"]
        if args.markdown:
            print(f"| {name} | {schedule} | {100 * fl:.2f} | {100 * ideal:.2f} | "
                  f"{100 * mean:.2f} +- {100 * std:.2f} | {conversions} | {energy:.1f} |")
        else:
            print(f"{name:10s} {schedule:8s} float {100 * fl:.2f}  ideal "
                  f"{100 * ideal:.2f}  {args.noise} {100 * mean:.2f} +- "
                  f"{100 * std:.2f}  conversions {conversions}  energy "
                  f"{energy:.1f} pJ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
