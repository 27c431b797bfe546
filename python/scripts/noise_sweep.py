#!/usr/bin/python3
"""Accuracy of a classifier against read-noise level and ADC bits.

Compiles the model once per ADC resolution (a copy of the generic-rram
target with that many ADC bits), runs it with cim-run on the quantised
simulator under a read-noise model of each sigma (several seeds), and
prints the top-1 accuracy as a table (mean and standard deviation over the
seeds). With --svg, also draws the table as a line plot.

  /usr/bin/python3 python/scripts/noise_sweep.py --bin build/bin \\
      --model examples/digits-mlp/model.onnx \\
      --data examples/digits-mlp/test_data_set_0 \\
      --labels examples/digits-mlp/labels.pb \\
      --adc-bits 4,5,6,8 --read-sigma 0,0.01,0.02,0.05,0.1 --seeds 3 \\
      --work /tmp/sweep [--svg docs/images/noise-sweep.svg] [--markdown]
      [--json results.json]

Exit status: 0 on success, 1 on a failed compile or run (its message on
stderr).
"""

import argparse
import json
import os
import sys

import numpy as np

from common import read_tensor, run, svg_lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True, help="dir with input_0.pb")
    ap.add_argument("--labels", required=True)
    ap.add_argument("--adc-bits", default="4,5,6,8")
    ap.add_argument("--read-sigma", default="0,0.01,0.02,0.05,0.1")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--work", required=True)
    ap.add_argument("--svg")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--json", help="also write {adc_bits: [[mean, std], ...]}")
    args = ap.parse_args()

    compiler = os.path.join(args.bin, "cim-compile")
    runner = os.path.join(args.bin, "cim-run")
    os.makedirs(args.work, exist_ok=True)
    labels, _ = read_tensor(args.labels)
    bits_list = [int(b) for b in args.adc_bits.split(",")]
    sigmas = [float(s) for s in args.read_sigma.split(",")]
    table = {}
    for bits in bits_list:
        target = os.path.join(args.work, f"adc{bits}.json")
        with open(target, "w") as f:
            json.dump({"name": f"generic-rram-adc{bits}",
                       "array": {"rows": 128, "cols": 128, "bits_per_cell": 4,
                                 "conductance_us": [1, 40]},
                       "dac": {"bits": 8}, "adc": {"bits": bits}}, f)
        model = os.path.join(args.work, f"adc{bits}.cimx")
        run([compiler, args.model, "--target", target, "-o", model])
        row = []
        for sigma in sigmas:
            noise = os.path.join(args.work, f"read{sigma:g}.json")
            with open(noise, "w") as f:
                json.dump({"name": f"read-{sigma:g}", "read_sigma": sigma}, f)
            accs = []
            for seed in range(1, args.seeds + 1):
                out = os.path.join(args.work, f"out-{bits}-{sigma:g}-{seed}")
                run([runner, model, "--noise", noise, "--seed", str(seed),
                     "--input", "x=" + os.path.join(args.data, "input_0.pb"),
                     "--output-dir", out, "--quiet"])
                logits, _ = read_tensor(os.path.join(out, "output_0.pb"))
                accs.append(float(np.mean(np.argmax(logits, axis=1) == labels)))
            row.append((float(np.mean(accs)), float(np.std(accs))))
        table[bits] = row

    header = "| ADC bits | " + " | ".join(f"sigma {s:g}" for s in sigmas) + " |"
    if args.markdown:
        print(header)
        print("|---" * (len(sigmas) + 1) + "|")
    else:
        print(f"accuracy (mean +- std over {args.seeds} seeds) by ADC bits "
              f"and read sigma")
        print(header)
    for bits, row in table.items():
        print(f"| {bits} | " + " | ".join(f"{100 * m:.2f} +- {100 * s:.2f}"
                                          for m, s in row) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"read_sigma": sigmas,
                       "accuracy": {str(b): row for b, row in table.items()}},
                      f, indent=1)
    if args.svg:
        svg_lines(args.svg, sigmas,
                  {f"{bits}-bit ADC": row for bits, row in table.items()},
                  f"accuracy vs read noise ({args.seeds} seeds)",
                  "read noise sigma (fraction of G_max)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
