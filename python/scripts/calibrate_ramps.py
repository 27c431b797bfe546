#!/usr/bin/python3
"""Calibrate the ranges of fused activations from sample data.

A fused activation's ramp ADC spreads its 2^bits levels over the
pre-activation range. Without data the compiler takes the worst case
(every input at its bound), which wastes most levels; this script measures
the ranges instead:

  1. compiles the model with --expose-preactivations (and no fusion), so
     every fusable activation's input is an output named preact:NAME;
  2. runs it on the sample inputs in ideal simulation;
  3. writes {NAME: [min, max]} to --out, for cim-compile --ramp-ranges.

  /usr/bin/python3 python/scripts/calibrate_ramps.py --bin build/bin \\
      --model model.onnx --input x=calib.pb --target rram-ramp-adc \\
      --work /tmp/cal --out ranges.json [--compile-arg=--rnn-on-arrays]

Activations inside a recurrent layer's time loop (--rnn-on-arrays) are
measured over every time step; each gate has its own name (LAYER:GATE).

Exit status 0, or 1 with `error: ...` on a failed compile or run.
"""

import argparse
import json
import os
import shutil
import sys

from common import read_tensor, run


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--input", action="append", required=True,
                    help="NAME=FILE.pb (repeatable), as for cim-run")
    ap.add_argument("--target", default="rram-ramp-adc")
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--compile-arg", action="append", default=[],
                    help="an option for cim-compile (repeatable)")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    artifact = os.path.join(args.work, "exposed.cimx")
    run([os.path.join(args.bin, "cim-compile"), args.model, "--target",
         args.target, "--fuse-activations=off", "--expose-preactivations",
         *args.compile_arg, "-o", artifact])
    outdir = os.path.join(args.work, "outputs")
    if os.path.isdir(outdir):
        shutil.rmtree(outdir)
    inputs = [a for spec in args.input for a in ("--input", spec)]
    run([os.path.join(args.bin, "cim-run"), artifact, *inputs, "--output-dir",
         outdir, "--quiet"])
    ranges = {}
    for file in sorted(os.listdir(outdir)):
        values, name = read_tensor(os.path.join(outdir, file))
        if not name.startswith("preact:"):
            continue
        name = name[len("preact:"):]
        lo, hi = float(values.min()), float(values.max())
        if not lo < hi:
            hi = lo + 1e-6
        ranges[name] = [lo, hi]
        print(f"{name}: [{lo:.6g}, {hi:.6g}] over {values.size} values")
    if not ranges:
        sys.stderr.write("error: the model has no fusable activations\n")
        return 1
    with open(args.out, "w") as f:
        json.dump(ranges, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
