#!/usr/bin/python3
"""Train a small MLP on sklearn's bundled 8x8 digits and export it to ONNX.

Produces the end-to-end example in examples/digits-mlp/ that the cim compiler
and runtime are tested against:

  model.onnx                     Gemm/MatMul/Relu MLP, input `x` [N, 64] float32,
                                 output `logits` [N, 10] float32
  test_data_set_0/input_0.pb     the whole test split, [360, 64] float32 (name 'x')
  test_data_set_0/output_0.pb    reference float32 logits, [360, 10] (name 'logits')
  labels.pb                      int64 ground-truth labels, [360]
  README.md                      provenance and float accuracy

Preprocessing (NOT part of the model): pixel values 0..16 are divided by 16, so
the model input is float32 in [0, 1], flattened row-major to 64 features.

Run from the repository root:

  /usr/bin/python3 python/scripts/models/train_digits_mlp.py [--out examples/digits-mlp]

Needs only numpy, onnx (1.12) and scikit-learn (1.2); no network access: the
digits data set ships with scikit-learn. Everything is seeded, so rerunning
reproduces the same files.
"""

import argparse
import os
import sys
import warnings

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DEFAULT_OUT = os.path.join(REPO_ROOT, "examples", "digits-mlp")
REGEN_CMD = "/usr/bin/python3 python/scripts/models/train_digits_mlp.py"

OPSET = 13
IR_VERSION = 8
HIDDEN = (64, 32)
MAX_ITER = 500
SEED = 0


def load_split():
    """Return (x_train, x_test, y_train, y_test) with pixels scaled to [0, 1]."""
    digits = load_digits()
    # Scale before splitting: the division is elementwise, so the order does
    # not matter, and float32 is what the model consumes.
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    return train_test_split(x, y, test_size=0.2, random_state=SEED, stratify=y)


def train(x_train, y_train):
    clf = MLPClassifier(hidden_layer_sizes=HIDDEN, activation="relu",
                        max_iter=MAX_ITER, random_state=SEED)
    # Adam may stop at max_iter without meeting `tol`; the accuracy is what
    # matters here, so the warning is only noise.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(x_train, y_train)
    return clf


def build_model(clf):
    """Build the ONNX graph from the trained weights.

    The three layers deliberately use three different encodings of a dense
    layer so that the importer's Gemm and MatMul+Add paths are all exercised:
      fc1: Gemm with transB=1 (weight stored [out, in], PyTorch style)
      fc2: MatMul + Add      (weight stored [in, out])
      fc3: Gemm with transB=0 (weight stored [in, out])
    """
    w1, w2, w3 = (w.astype(np.float32) for w in clf.coefs_)      # [in, out]
    b1, b2, b3 = (b.astype(np.float32) for b in clf.intercepts_)

    inits = {
        "fc1.weight": np.ascontiguousarray(w1.T),  # [64, 64] as [out, in]
        "fc1.bias": b1,
        "fc2.weight": w2,                          # [64, 32] as [in, out]
        "fc2.bias": b2,
        "fc3.weight": w3,                          # [32, 10] as [in, out]
        "fc3.bias": b3,
    }
    nodes = [
        helper.make_node("Gemm", ["x", "fc1.weight", "fc1.bias"], ["fc1.out"],
                         name="fc1", transB=1),
        helper.make_node("Relu", ["fc1.out"], ["relu1.out"], name="relu1"),
        helper.make_node("MatMul", ["relu1.out", "fc2.weight"], ["fc2.matmul"],
                         name="fc2.matmul"),
        helper.make_node("Add", ["fc2.matmul", "fc2.bias"], ["fc2.out"],
                         name="fc2.add"),
        helper.make_node("Relu", ["fc2.out"], ["relu2.out"], name="relu2"),
        helper.make_node("Gemm", ["relu2.out", "fc3.weight", "fc3.bias"],
                         ["logits"], name="fc3"),
    ]
    n_in = w1.shape[0]
    n_out = w3.shape[1]
    graph = helper.make_graph(
        nodes, "digits_mlp",
        inputs=[helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", n_in])],
        outputs=[helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                               ["N", n_out])],
        initializer=[numpy_helper.from_array(v, name=k) for k, v in inits.items()],
    )
    model = helper.make_model(graph, producer_name="cim-train_digits_mlp",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    model.doc_string = ("MLP 64-64-32-10 on sklearn digits; input is pixels/16 "
                        "as float32 [N, 64]; output is unnormalised logits.")
    onnx.checker.check_model(model, full_check=True)
    return model


def reference_logits(model, x):
    """Evaluate the exported graph with numpy, reading weights back from the
    ONNX initializers, so the reference checks the file rather than sklearn.

    The float32 weights and inputs are evaluated in float64 and the result is
    rounded to float32 once: a reference free of float32 accumulation error,
    so comparisons at tight tolerances measure the simulator, not numpy."""
    w = {t.name: numpy_helper.to_array(t).astype(np.float64)
         for t in model.graph.initializer}
    relu = lambda v: np.maximum(v, 0.0)
    h = relu(x.astype(np.float64) @ w["fc1.weight"].T + w["fc1.bias"])
    h = relu(h @ w["fc2.weight"] + w["fc2.bias"])
    out = h @ w["fc3.weight"] + w["fc3.bias"]
    return out.astype(np.float32)


def save_tensor(array, name, path):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(array, name=name).SerializeToString())


def write_readme(path, clf, n_train, n_test, n_correct, accuracy):
    text = f"""# digits-mlp

A small multilayer perceptron for scikit-learn's bundled 8x8 handwritten digits
(`sklearn.datasets.load_digits`, 1797 images, 10 classes), exported to ONNX. It
is cim's end-to-end example: small enough to map onto a few crossbar arrays,
real enough that accuracy is meaningful.

## Files

| file | contents |
|------|----------|
| `model.onnx` | opset {OPSET}, IR version {IR_VERSION}; input `x` float32 [N, 64], output `logits` float32 [N, 10] |
| `test_data_set_0/input_0.pb` | TensorProto `x`, float32 [{n_test}, 64]: the whole test split |
| `test_data_set_0/output_0.pb` | TensorProto `logits`, float32 [{n_test}, 10]: float reference outputs |
| `labels.pb` | TensorProto `labels`, int64 [{n_test}]: ground-truth digits |

## Model

`x -> Gemm(fc1, transB=1) -> Relu -> MatMul+Add(fc2) -> Relu -> Gemm(fc3) -> logits`

Layer sizes 64 -> {HIDDEN[0]} -> {HIDDEN[1]} -> 10. The three dense layers are encoded
three different ways (Gemm with transposed weight, MatMul+Add, plain Gemm) so
the importer's paths are all exercised. Initializers are named `fc1.weight`,
`fc1.bias`, ... `fc3.bias`. `fc1.weight` is stored [out, in]; `fc2.weight` and
`fc3.weight` are stored [in, out].

## Preprocessing

Pixel values (integers 0..16) are divided by 16 and cast to float32; the 8x8
image is flattened row-major into 64 features. This is done outside the model.

## How it was made

- split: `train_test_split(test_size=0.2, random_state={SEED}, stratify=y)`
  -> {n_train} train / {n_test} test samples
- `MLPClassifier(hidden_layer_sizes={HIDDEN}, activation='relu', max_iter={MAX_ITER}, random_state={SEED})`
  ({clf.n_iter_} iterations)
- reference logits computed with numpy from the exported float32
  initializers, evaluated in float64 and rounded to float32 once; their argmax matches `predict_proba`'s argmax on every sample.

Float test accuracy: **{accuracy:.4f}** ({n_correct}/{n_test}).

Check an output file against the labels with:

    /usr/bin/python3 python/scripts/eval_accuracy.py --outputs examples/digits-mlp/test_data_set_0 --labels examples/digits-mlp/labels.pb

## Regenerate

From the repository root:

    {REGEN_CMD}

The script is deterministic (fixed seeds), but the exact weights may change
with a different scikit-learn/numpy version (made with scikit-learn
{__import__('sklearn').__version__}, numpy {np.__version__}, onnx {onnx.__version__}).
"""
    with open(path, "w") as f:
        f.write(text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_OUT,
                        help="output directory (default: examples/digits-mlp)")
    args = parser.parse_args(argv)

    x_train, x_test, y_train, y_test = load_split()
    clf = train(x_train, y_train)
    model = build_model(clf)

    logits = reference_logits(model, x_test)
    pred = logits.argmax(axis=1)
    sk_pred = clf.predict_proba(x_test).argmax(axis=1)
    mismatches = int((pred != sk_pred).sum())
    if mismatches:
        print(f"error: numpy reference disagrees with sklearn on {mismatches} "
              f"samples", file=sys.stderr)
        return 1

    n_test = len(y_test)
    n_correct = int((pred == y_test).sum())
    accuracy = n_correct / n_test

    os.makedirs(os.path.join(args.out, "test_data_set_0"), exist_ok=True)
    onnx.save(model, os.path.join(args.out, "model.onnx"))
    save_tensor(x_test, "x", os.path.join(args.out, "test_data_set_0", "input_0.pb"))
    save_tensor(logits, "logits",
                os.path.join(args.out, "test_data_set_0", "output_0.pb"))
    save_tensor(y_test.astype(np.int64), "labels", os.path.join(args.out, "labels.pb"))
    write_readme(os.path.join(args.out, "README.md"), clf, len(y_train), n_test,
                 n_correct, accuracy)

    print(f"wrote {args.out}")
    print(f"float test accuracy: {accuracy:.4f} ({n_correct}/{n_test})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
