#!/usr/bin/python3
"""Accuracy of the Fashion-MNIST LSTM on arrays, by ramp-ADC resolution.

Compiles examples/fashion-lstm/lstm (or --cell gru: examples/fashion-gru/gru) with --rnn-on-arrays for rram-ramp-adc
with each ramp resolution (the gates' biases and activations fused into
ramp readouts), and once unfused (the target's 5-bit ADC plus digital
activations). Runs the test images on the ideal simulator and on the
quantised one with a noise preset over several seeds, and prints top-1
accuracy next to torch's float accuracy, with the cost report's energy
per image.

  /usr/bin/python3 python/scripts/eval_rnn.py --bin build/bin --work /tmp/rnn \\
      [--images 10000] [--seeds 3] [--noise rram-nominal] [--bits 4,5,6,8]
      [--markdown]

Exit status 0, or 1 with `error: ...` on a failed compile or run.
"""

import argparse
import json
import os
import sys

import numpy as np

from common import (load_fashion, print_readouts, readout_configs,
                    sweep_readouts, write_tensor)

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
    ap.add_argument("--ramp-ranges",
                    help="calibrated ramp ranges (calibrate_ramps.py with "
                         "--compile-arg=--rnn-on-arrays on training images)")
    ap.add_argument("--cell", choices=["lstm", "gru"], default="lstm",
                    help="examples/fashion-CELL (default lstm)")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    x, labels = load_fashion("t10k", args.images)
    xpath = os.path.join(args.work, "x.pb")
    write_tensor(xpath, x, "x")
    cell = args.cell
    model = os.path.join(REPO, "examples", f"fashion-{cell}", cell, "model.onnx")
    with open(os.path.join(REPO, "examples", f"fashion-{cell}", "float_accuracy.json")) as f:
        float_acc = json.load(f)["accuracy"][cell]

    rows = sweep_readouts(
        args.bin, args.work, model, {"x": xpath},
        lambda logits: float(np.mean(np.argmax(logits, axis=1) == labels)),
        readout_configs(args.bits, ranges=args.ramp_ranges), args.seeds,
        args.noise)
    if not args.markdown:
        print(f"{cell.upper()} on {args.images} Fashion-MNIST test images; float "
              f"(torch) {100 * float_acc:.2f}%")
    print_readouts(rows, args.noise, args.seeds, args.markdown,
                   lambda v: f"{100 * v:.2f}", "image")
    if args.markdown:
        print(f"\nfloat (torch): {100 * float_acc:.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
