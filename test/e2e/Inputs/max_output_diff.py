#!/usr/bin/python3
"""Prints the largest |a - b| of two cim-run output folders' output_0.pb
and exits 1 if it is above LIMIT.

  max_output_diff.py DIR_A DIR_B LIMIT
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "python", "scripts"))
from common import read_tensor  # noqa: E402

a = read_tensor(os.path.join(sys.argv[1], "output_0.pb"))[0].astype(np.float64)
b = read_tensor(os.path.join(sys.argv[2], "output_0.pb"))[0].astype(np.float64)
diff = float(np.abs(a - b).max())
print(f"largest difference {diff:.4g}")
sys.exit(0 if diff <= float(sys.argv[3]) else 1)
