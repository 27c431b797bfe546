#!/usr/bin/python3
"""Compares cim-compile --report's predicted output error with the measured one.

  check_predicted_error.py REPORT.json LAYER IDEAL_DIR DEVICE_DIR... [--term T]

Reads predicted_error.layers[LAYER][T] (default: total) from the report
and the relative RMS error ||y - y_ideal|| / ||y_ideal|| of every
DEVICE_DIR/output_0.pb against IDEAL_DIR/output_0.pb (their mean over the
directories), prints both, and exits 1 unless they agree within a factor
of 2.
"""

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "python", "scripts"))
from common import read_tensor  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("report")
    ap.add_argument("layer")
    ap.add_argument("ideal")
    ap.add_argument("devices", nargs="+")
    ap.add_argument("--term", default="total")
    args = ap.parse_args()
    with open(args.report) as f:
        predicted = json.load(f)["predicted_error"]["layers"][args.layer][args.term]
    ideal = read_tensor(os.path.join(args.ideal, "output_0.pb"))[0].astype(np.float64)
    measured = np.mean([
        np.linalg.norm(read_tensor(os.path.join(d, "output_0.pb"))[0] - ideal) /
        np.linalg.norm(ideal) for d in args.devices])
    ratio = predicted / measured
    print(f"{args.layer} {args.term}: predicted {predicted:.4g}, measured "
          f"{measured:.4g}, ratio {ratio:.2f}")
    return 0 if 0.5 <= ratio <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
