#!/usr/bin/python3
"""Accuracy of the Fashion-MNIST LSTM on arrays, by ramp-ADC resolution.

Compiles examples/fashion-lstm/lstm with --rnn-on-arrays for rram-ramp-adc
with each ramp resolution (the gates' biases and activations fused into
ramp readouts), and once unfused (the target's 5-bit ADC plus digital
activations). Runs the test images on the ideal simulator and on the
quantised one with a noise preset over several seeds, and prints top-1
accuracy next to torch's float accuracy, with the cost report's energy
per image.

  /usr/bin/python3 python/cim/eval_rnn.py --bin build/bin --work /tmp/rnn \\
      [--images 10000] [--seeds 3] [--noise rram-nominal] [--bits 4,5,6,8]
      [--markdown]

Exit status 0, or 1 with `error: ...` on a failed compile or run.
"""

import argparse
import json
import os
import sys

import numpy as np

from common import load_fashion, read_tensor, run, write_tensor

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--images", type=int, default=10000)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--noise", default="rram-nominal")
    ap.add_argument("--bits", default="4,5,6,8")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    compiler = os.path.join(args.bin, "cim-compile")
    runner = os.path.join(args.bin, "cim-run")
    os.makedirs(args.work, exist_ok=True)
    x, labels = load_fashion("t10k", args.images)
    xpath = os.path.join(args.work, "x.pb")
    write_tensor(xpath, x, "x")
    model = os.path.join(REPO, "examples", "fashion-lstm", "lstm", "model.onnx")
    with open(os.path.join(REPO, "examples", "fashion-lstm", "float_accuracy.json")) as f:
        float_acc = json.load(f)["accuracy"]["lstm"]

    configs = [(f"ramp {b} bits", ["--ramp-bits", b]) for b in args.bits.split(",")]
    configs.append(("5-bit ADC + digital", ["--fuse-activations=off"]))
    rows = []
    for label, extra in configs:
        base = os.path.join(args.work, label.replace(" ", "_").replace("+", ""))
        run([compiler, model, "--rnn-on-arrays", "--target", "rram-ramp-adc",
             *extra, "-o", base + ".cimx", "--report", base + ".json"])
        with open(base + ".json") as f:
            energy = json.load(f)["total"]["energy_pj"]["total"]

        def accuracy(more, tag):
            out = f"{base}-{tag}"
            run([runner, base + ".cimx", "--input", "x=" + xpath,
                 "--output-dir", out, "--quiet", *more])
            logits, _ = read_tensor(os.path.join(out, "output_0.pb"))
            return float(np.mean(np.argmax(logits, axis=1) == labels))

        ideal = accuracy([], "ideal")
        quant = accuracy(["--device", "sim://quantized"], "quant")
        noisy = [accuracy(["--noise", args.noise, "--seed", str(s)], f"s{s}")
                 for s in range(1, args.seeds + 1)]
        rows.append((label, ideal, quant, float(np.mean(noisy)),
                     float(np.std(noisy)), energy))
    if args.markdown:
        print(f"| readout | ideal | quantised | {args.noise} ({args.seeds} "
              f"seeds) | energy pJ per image (report) |")
        print("|---|---|---|---|---|")
    else:
        print(f"LSTM on {args.images} Fashion-MNIST test images; float "
              f"(torch) {100 * float_acc:.2f}%")
    for label, ideal, quant, mean, std, energy in rows:
        if args.markdown:
            print(f"| {label} | {100 * ideal:.2f} | {100 * quant:.2f} | "
                  f"{100 * mean:.2f} ± {100 * std:.2f} | {energy:.1f} |")
        else:
            print(f"{label:22s} ideal {100 * ideal:.2f}  quantised "
                  f"{100 * quant:.2f}  {args.noise} {100 * mean:.2f} +- "
                  f"{100 * std:.2f}  energy {energy:.1f} pJ")
    if args.markdown:
        print(f"\nfloat (torch): {100 * float_acc:.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
