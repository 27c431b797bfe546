#!/usr/bin/env python3
"""Where a cim-run process spends its time, on 1000 Fashion-MNIST images.

A benchmark, not a test: compiles the plain MLP of examples/fashion-plain,
runs `cim-run --timing` on its 1000 test images several times, and prints
the whole process's wall time (measured here, start-up included) beside
the session's own run time and the other phases cim-run reports, with the
ratio of the two. The best of the repetitions is kept for each.

  /usr/bin/python3 python/scripts/bench_cim_run.py --bin build/bin [--repeat 7]
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="directory of cim-compile and cim-run")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--device", default="sim://ideal")
    args = ap.parse_args()
    model = os.path.join(ROOT, "examples", "fashion-plain", "mlp", "model.onnx")
    images = os.path.join(ROOT, "examples", "fashion-plain", "data", "test",
                          "input_0.pb")
    with tempfile.TemporaryDirectory() as work:
        artifact = os.path.join(work, "mlp.cimx")
        subprocess.run([os.path.join(args.bin, "cim-compile"), model, "-o",
                        artifact], check=True, capture_output=True)
        best = None
        for _ in range(args.repeat):
            start = time.perf_counter()
            p = subprocess.run([os.path.join(args.bin, "cim-run"), artifact,
                                "--input", "x=" + images, "--device",
                                args.device, "--quiet", "--timing"],
                               capture_output=True, text=True, check=True)
            wall = 1e3 * (time.perf_counter() - start)
            m = re.search(r"timing: ([0-9.]+) ms in main: ([0-9.]+) ms loading "
                          r"the model and programming the device, ([0-9.]+) ms "
                          r"reading inputs, ([0-9.]+) ms in the session's runs, "
                          r"([0-9.]+) ms comparing and writing", p.stderr)
            if not m:
                sys.exit("cim-run printed no timing line:\n" + p.stderr)
            row = [wall] + [float(g) for g in m.groups()]
            best = row if best is None else [min(a, b) for a, b in zip(best, row)]
    wall, main_ms, setup, reading, run, rest = best
    print("cim-run on 1000 images of %s (%s), best of %d:" % (
        os.path.relpath(model, ROOT), args.device, args.repeat))
    print("  whole process %.1f ms (in main %.1f ms: loading and programming "
          "%.1f, reading inputs %.1f, session runs %.1f, writing %.1f; "
          "start-up and exit %.1f)" % (wall, main_ms, setup, reading, run, rest,
                                       wall - main_ms))
    print("  process / session run: %.1fx; process / (programming + run): %.1fx"
          % (wall / run, wall / (setup + run)))


if __name__ == "__main__":
    main()
