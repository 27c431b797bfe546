#!/usr/bin/python3
"""Accuracy of the plain float-trained models with stuck cells, with and without spare lines.

For each model of examples/fashion-plain (default: mlp), compiles
NAME/model.onnx for a copy of the generic-rram target (RRAM arrays of 128 x
128 cells of 4 bits, 1 to 40 uS, 8-bit DAC and ADC) without spares and with
--spares N spare rows and N spare columns per array, and runs the test
images in this process with the `cim` package on the quantised simulator,
under the rram-nominal noise preset with its stuck-cell rates replaced:
stuck_on_rate = stuck_off_rate = rate / 2 for each rate of --stuck, and 0
(the same noise without stuck cells), with and without stuck_compensation,
for each of --seeds seeds (0 .. seeds-1). Prints the mean top-1 accuracy
over the seeds, its drop from the same target and noise without stuck
cells, and the mean faulty lines remapped per tile, as a Markdown table.

  PYTHONPATH=build/python /usr/bin/python3 python/scripts/spares_accuracy.py
      [--models mlp,lstm,gru,ode] [--spares 8] [--stuck 0.005,0.01,0.02]
      [--seeds 5] [--test-images N] [--json results.json]

--test-images N scores on the first N images of Debian's Fashion-MNIST test
set instead of the 1000 shipped in examples/fashion-plain/data/test.

Exit status 0, or 1 with `error: ...` when a compile or run fails.
"""

import argparse
import json
import os
import sys
import tempfile

import numpy as np

import cim
from common import fashion_test_inputs, read_tensor

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLES = os.path.join(REPO, "examples", "fashion-plain")


def target_file(work, spares):
    """The generic-rram geometry with `spares` spare rows and columns."""
    path = os.path.join(work, f"spares{spares}.json")
    array = {"rows": 128, "cols": 128, "bits_per_cell": 4, "count": 1024,
             "conductance_us": [1, 40]}
    if spares:
        array.update(spare_rows=spares, spare_cols=spares)
    with open(path, "w") as f:
        json.dump({"name": f"generic-rram-spares{spares}", "array": array,
                   "dac": {"bits": 8}, "adc": {"bits": 8}}, f)
    return path


def evaluate(artifact, noise, seeds, images, labels, work):
    """Mean top-1 accuracy over the seeds, and the mean rows and columns
    remapped per tile."""
    path = os.path.join(work, "noise.json")
    noise.save(path)
    accuracy, remaps = [], []
    for seed in range(seeds):
        session = cim.Session(artifact, noise=path, seed=seed)
        logits = next(iter(session.run({"x": images}).values()))
        accuracy.append(float(np.mean(np.argmax(logits, axis=1) == labels)))
        tiles = session.stats()["tile_reports"]
        remaps.append(sum(t["row_remaps"] + t["col_remaps"] for t in tiles) /
                      max(1, len(tiles)))
    return float(np.mean(accuracy)), float(np.std(accuracy)), float(np.mean(remaps))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="mlp")
    ap.add_argument("--spares", type=int, default=8)
    ap.add_argument("--stuck", default="0.005,0.01,0.02")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--test-images", type=int)
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    rates = [float(r) for r in args.stuck.split(",")]
    base = cim.NoiseModel.preset("rram-nominal")
    rows = []
    with tempfile.TemporaryDirectory(prefix="cim-spares-") as work:
        inputs, labels, described = fashion_test_inputs(args.test_images, work)
        images = read_tensor(inputs)[0]
        labels = np.asarray(labels).astype(np.int64).reshape(-1)
        for model in args.models.split(","):
            onnx = os.path.join(EXAMPLES, model, "model.onnx")
            for spares in (0, args.spares):
                try:
                    artifact = cim.compile(onnx, target_file(work, spares))
                except cim.Error as e:
                    sys.exit(f"error: {model}, {spares} spares: {e}")
                for compensation in (True, False):
                    row = {"model": model, "spares": spares,
                           "stuck_compensation": compensation, "points": []}
                    for rate in [0.0] + rates:
                        noise = base.replace(stuck_on_rate=rate / 2,
                                             stuck_off_rate=rate / 2,
                                             stuck_compensation=compensation)
                        mean, std, remaps = evaluate(artifact, noise,
                                                     args.seeds, images,
                                                     labels, work)
                        row["points"].append({"stuck": rate, "accuracy": mean,
                                              "std": std,
                                              "remaps_per_tile": remaps})
                        print(f"{model} spares {spares} compensation "
                              f"{compensation} stuck {rate:g}: {100 * mean:.2f}"
                              f" +- {100 * std:.2f}, {remaps:.1f} remaps per "
                              "tile", file=sys.stderr)
                    rows.append(row)
    print(f"Top-1 accuracy (%, mean of {args.seeds} seeds) on {described}, "
          "rram-nominal noise with the stuck-cell rates replaced (half on, "
          "half off); in brackets the drop from the same target and noise "
          "without stuck cells, and the mean faulty lines remapped per tile.\n")
    header = "| model | spares per array | stuck compensation | no stuck cells | " + \
        " | ".join(f"{100 * r:g}% stuck" for r in rates) + " |"
    print(header)
    print("|" + "---|" * (3 + 1 + len(rates)))
    for row in rows:
        ref = row["points"][0]["accuracy"]
        cells = [f"{100 * ref:.2f}"]
        for p in row["points"][1:]:
            cell = f"{100 * p['accuracy']:.2f} ({100 * (p['accuracy'] - ref):+.2f}"
            if row["spares"]:
                cell += f"; {p['remaps_per_tile']:.1f} remaps"
            cells.append(cell + ")")
        spares = (f"{row['spares']} rows + {row['spares']} columns"
                  if row["spares"] else "none")
        print(f"| {row['model']} | {spares} | "
              f"{'on' if row['stuck_compensation'] else 'off'} | " +
              " | ".join(cells) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
