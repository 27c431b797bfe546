#!/usr/bin/env python3
"""Read noise and ADC bits against accuracy, on a plain-trained MLP.

A notebook-style example of the cim Python package (cells marked `# %%`).
It compiles the plain Fashion-MNIST MLP of examples/fashion-plain with
calibration data, then sweeps the rram-nominal noise model's read noise
and the target's ADC bits over seeds. It writes the plot and prints the
table.

  PYTHONPATH=build/python /usr/bin/python3 examples/sweeps/read_noise_and_adc_bits.py \
      [--out DIR] [--images N] [--seeds S]
"""

# %% Setup
import argparse
import os

import numpy as np
import onnx
from onnx import numpy_helper

import cim

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--out", default=".", help="where the plot goes")
ap.add_argument("--images", type=int, default=1000)
ap.add_argument("--seeds", type=int, default=3)
args = ap.parse_args()


def tensor(path):
    return numpy_helper.to_array(onnx.load_tensor(os.path.join(ROOT, path)))


images = tensor("examples/fashion-plain/data/test/input_0.pb")[:args.images]
labels = tensor("examples/fashion-plain/data/test/labels.pb")[:args.images]
calibration = tensor("examples/fashion-plain/data/calibration/input_0.pb")

# %% Compile for the generic RRAM target, with calibration data
artifact = cim.compile(os.path.join(ROOT, "examples/fashion-plain/mlp/model.onnx"),
                       target="generic-rram", calibration_data=calibration,
                       report=True)
print("arrays:", artifact.report["total"]["arrays"],
      " energy per inference (pJ):", artifact.report["total"]["energy_pj"]["total"])

# %% Sweep read noise and ADC bits over seeds
rows = cim.sweep(artifact, {"x": images}, labels,
                 over={"read_sigma": [0.0, 0.01, 0.02, 0.04],
                       "target.adc_bits": [4, 6, 8]},
                 seeds=args.seeds, noise="rram-nominal")

# %% The table: mean accuracy over seeds
print("| read_sigma | ADC bits | top-1 %% (mean over %d seeds) |" % args.seeds)
print("|---|---|---|")
for sigma in sorted({r["read_sigma"] for r in rows}):
    for bits in sorted({r["target.adc_bits"] for r in rows}):
        acc = [r["accuracy"] for r in rows
               if r["read_sigma"] == sigma and r["target.adc_bits"] == bits]
        print("| %g | %d | %.2f |" % (sigma, bits, 100 * np.mean(acc)))

# %% The plot
path = os.path.join(args.out, "read_noise_and_adc_bits.png")
cim.plot_sweep(rows, x="read_sigma", hue="target.adc_bits", path=path)
print("wrote", path)
