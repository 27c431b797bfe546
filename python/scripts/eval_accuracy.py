#!/usr/bin/python3
"""Compute classification accuracy of a model output against ground-truth labels.

Reads logits (an ONNX TensorProto .pb, shape [N, C]) and int labels ([N]) and
prints the top-1 accuracy. With --reference, also prints the accuracy of a
reference output (e.g. the float model) and how many argmax predictions differ
between the two, which is the usual way to judge a quantized/CIM run.

  /usr/bin/python3 python/scripts/eval_accuracy.py --outputs DIR_OR_FILE \\
      --labels labels.pb [--reference output_0.pb] [--min-accuracy X]

If --outputs (or --reference) is a directory, DIR/output_0.pb is read, matching
the ONNX test_data_set_N layout. Exit status: 0 on success; 1 on bad input
(message `error: FILE: ...` on stderr) or if accuracy is below --min-accuracy.

Example:
  /usr/bin/python3 python/scripts/eval_accuracy.py \\
      --outputs examples/digits-mlp/test_data_set_0 \\
      --labels examples/digits-mlp/labels.pb --min-accuracy 0.95
"""

import argparse
import os
import sys

import numpy as np
from onnx import TensorProto, numpy_helper


class InputError(Exception):
    """Bad input file; str() is the full `FILE: reason` message."""


def resolve(path):
    if os.path.isdir(path):
        return os.path.join(path, "output_0.pb")
    return path


def read_tensor(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise InputError(f"{path}: {e.strerror or e}")
    tensor = TensorProto()
    try:
        tensor.ParseFromString(data)
    except Exception as e:  # protobuf raises DecodeError, message varies by version
        raise InputError(f"{path}: not a serialized onnx TensorProto ({e})")
    # An arbitrary byte string can parse as an empty TensorProto; insist on a
    # real data type so garbage is reported instead of read as a 0-d tensor.
    if tensor.data_type == TensorProto.UNDEFINED:
        raise InputError(f"{path}: not a serialized onnx TensorProto "
                         f"(no data type)")
    try:
        return numpy_helper.to_array(tensor)
    except Exception as e:
        raise InputError(f"{path}: cannot decode tensor ({e})")


def read_logits(path, n_labels):
    arr = read_tensor(path)
    if arr.ndim != 2:
        raise InputError(f"{path}: expected logits of rank 2 [N, C], "
                         f"got shape {list(arr.shape)}")
    if not np.issubdtype(arr.dtype, np.number):
        raise InputError(f"{path}: expected numeric logits, got {arr.dtype}")
    if arr.shape[0] != n_labels:
        raise InputError(f"{path}: {arr.shape[0]} rows but labels have "
                         f"{n_labels} entries")
    if arr.shape[1] == 0:
        raise InputError(f"{path}: logits have zero classes")
    if np.issubdtype(arr.dtype, np.floating) and not np.all(np.isfinite(arr)):
        # NaN makes argmax meaningless; report rather than silently score it.
        raise InputError(f"{path}: logits contain NaN or Inf")
    return arr


def read_labels(path):
    arr = read_tensor(path)
    if not np.issubdtype(arr.dtype, np.integer):
        raise InputError(f"{path}: expected integer labels, got {arr.dtype}")
    # Accept [N] or [N, 1] (some exporters keep a trailing unit dim).
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise InputError(f"{path}: expected labels of shape [N], "
                         f"got {list(arr.shape)}")
    if arr.size == 0:
        raise InputError(f"{path}: no labels")
    return arr.astype(np.int64)


def check_label_range(labels, n_classes, labels_path):
    if labels.min() < 0 or labels.max() >= n_classes:
        raise InputError(f"{labels_path}: labels outside [0, {n_classes}) "
                         f"(min {labels.min()}, max {labels.max()})")


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Top-1 accuracy of logits [N, C] against labels [N].")
    parser.add_argument("--outputs", required=True,
                        help="output .pb, or a directory holding output_0.pb")
    parser.add_argument("--labels", required=True, help="labels .pb (int, [N])")
    parser.add_argument("--reference",
                        help="reference output .pb (or directory) to compare with")
    parser.add_argument("--min-accuracy", type=float, default=None,
                        help="exit 1 if accuracy is below this value (0..1)")
    args = parser.parse_args(argv)

    try:
        labels = read_labels(args.labels)
        out_path = resolve(args.outputs)
        logits = read_logits(out_path, labels.size)
        check_label_range(labels, logits.shape[1], args.labels)
        ref = None
        if args.reference:
            ref_path = resolve(args.reference)
            ref = read_logits(ref_path, labels.size)
            if ref.shape != logits.shape:
                raise InputError(f"{ref_path}: shape {list(ref.shape)} differs "
                                 f"from outputs {list(logits.shape)}")
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

    n = labels.size
    pred = logits.argmax(axis=1)
    correct = int((pred == labels).sum())
    acc = correct / n
    print(f"accuracy: {acc:.4f} ({correct}/{n})")

    if ref is not None:
        ref_pred = ref.argmax(axis=1)
        ref_correct = int((ref_pred == labels).sum())
        print(f"reference accuracy: {ref_correct / n:.4f} ({ref_correct}/{n})")
        differ = int((pred != ref_pred).sum())
        print(f"argmax differs from reference: {differ}/{n}")

    if args.min_accuracy is not None and acc < args.min_accuracy:
        print(f"error: accuracy {acc:.4f} is below --min-accuracy "
              f"{args.min_accuracy:.4f}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
