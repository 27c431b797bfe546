"""Helpers shared by the evaluation, calibration and training scripts.

Run a tool and stop with its message if it fails, read and write ONNX
TensorProto files, and load Debian's Fashion-MNIST
(dataset-fashion-mnist). Numpy and onnx only, so the scripts that need no
torch stay free of it.
"""

import gzip
import os
import subprocess
import sys

import numpy as np
from onnx import TensorProto, numpy_helper

FASHION_MNIST = "/usr/share/datasets/fashion-mnist"


def run(cmd):
    """Runs `cmd`; on failure prints `error: CMD: STDERR` and exits 1."""
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(f"error: {' '.join(cmd)}: {result.stderr.strip()}\n")
        sys.exit(1)
    return result


def read_tensor(path):
    """The tensor of a TensorProto file, and its name."""
    tensor = TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    return numpy_helper.to_array(tensor), tensor.name


def write_tensor(path, array, name):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(array, name).SerializeToString())


def load_idx(name):
    """One gzipped IDX file of the Fashion-MNIST package."""
    with gzip.open(os.path.join(FASHION_MNIST, name), "rb") as f:
        data = f.read()
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(data[3])]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def load_fashion(split, limit=None):
    """Images of a split ("train" or "t10k") as float32 [N, 784] in [0, 1],
    and their int64 labels; the first `limit` only if given."""
    images = load_idx(f"{split}-images-idx3-ubyte.gz")[:limit]
    labels = load_idx(f"{split}-labels-idx1-ubyte.gz")[:limit].astype(np.int64)
    return images.reshape(len(images), 784).astype(np.float32) / 255.0, labels
