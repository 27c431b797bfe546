"""ONNX conformance runner: compiles and runs ONNX's own tests through
cim-compile and cim-run (ideal mode), for every test whose ops and types are
all in the importer's scope.

usage: conformance.py --bin BUILD/bin --data DIR [--data DIR ...]
                      [--xfail FILE] [--work DIR] [--report FILE] [-j N]

Each DIR holds test_*/ directories with model.onnx and test_data_set_*/
(libonnx-testdata's node/, pytorch-converted/, pytorch-operator/). A test is
in scope when every op of the model, its subgraphs included, is in SCOPE,
every graph input and output has a supported element type, the default-domain
opset is 7..17, and every Cast targets a supported type. The runner prints
one FAILED line per failing test and then `N passed, M failed` (plus the
expected failures listed in --xfail and the number out of scope). It exits 1
if a test fails that is not an expected failure, or an expected failure
passes. --report writes the out-of-scope tests with their first reason.
"""
import argparse
import concurrent.futures
import os
import subprocess
import sys

import onnx
from onnx import TensorProto

SCOPE = {
    "MatMul", "Gemm", "Add", "Sub", "Mul", "Div", "Neg", "Abs", "Exp", "Relu",
    "LeakyRelu", "Sigmoid", "HardSigmoid", "Tanh", "Clip", "Sign", "Greater",
    "GreaterOrEqual", "Less", "LessOrEqual", "Equal", "Not", "And", "Or", "Xor",
    "Where", "Cast", "Constant", "ConstantOfShape", "Identity", "Reshape",
    "Flatten", "Squeeze", "Unsqueeze", "Transpose", "Concat", "Split", "Slice",
    "Gather", "Shape", "Expand", "Softmax", "LogSoftmax", "ArgMax",
    "ReduceSum", "ReduceMean", "ReduceMax", "BatchNormalization", "RNN",
    "LSTM", "GRU", "Loop", "Scan", "If",
}
MIN_OPSET = 7  # ONNX 1.12 opsets in scope: 7 to 17 (--min-opset widens it)
TYPES = {TensorProto.FLOAT, TensorProto.INT64, TensorProto.INT32,
         TensorProto.BOOL}


def graphs(graph):
    yield graph
    for node in graph.node:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                yield from graphs(attr.g)
            for g in attr.graphs:
                yield from graphs(g)


def out_of_scope(model):
    """The first reason the model is outside the importer's scope, or None."""
    opset = {o.domain: o.version for o in model.opset_import}
    version = opset.get("", opset.get("ai.onnx"))
    if version is None or not MIN_OPSET <= version <= 17:
        return f"opset {version}"
    top = model.graph
    for vi in list(top.input) + list(top.output):
        t = vi.type
        if not t.HasField("tensor_type"):
            return f"{vi.name}: not a tensor"
        if t.tensor_type.elem_type not in TYPES:
            return (f"{vi.name}: type "
                    f"{TensorProto.DataType.Name(t.tensor_type.elem_type)}")
    for g in graphs(top):
        for node in g.node:
            if node.domain not in ("", "ai.onnx"):
                return f"domain {node.domain}"
            if node.op_type not in SCOPE:
                return f"op {node.op_type}"
            if node.op_type == "Cast":
                to = next(a.i for a in node.attribute if a.name == "to")
                if to not in TYPES:
                    return f"Cast to {TensorProto.DataType.Name(to)}"
    return None


def run_test(bin_dir, test_dir, work):
    name = os.path.basename(test_dir)
    artifact = os.path.join(work, name + ".cimx")
    compile_ = subprocess.run(
        [os.path.join(bin_dir, "cim-compile"), os.path.join(test_dir, "model.onnx"),
         "-o", artifact], capture_output=True, text=True)
    if compile_.returncode != 0:
        return False, "compile: " + first_line(compile_.stderr)
    run = subprocess.run(
        [os.path.join(bin_dir, "cim-run"), artifact, "--test-data", test_dir],
        capture_output=True, text=True)
    if run.returncode != 0:
        lines = [l for l in (run.stdout + run.stderr).splitlines()
                 if "FAIL" in l or "error:" in l]
        return False, "run: " + (lines[0] if lines else first_line(run.stderr))
    return True, ""


def first_line(text):
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[0] if lines else "(no output)"


def read_xfail(path):
    xfail = {}
    if path:
        with open(path) as f:
            for line in f:
                line = line.split("#", 1)
                name = line[0].strip()
                if name:
                    xfail[name] = line[1].strip() if len(line) > 1 else ""
    return xfail


def main():
    global MIN_OPSET
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin", required=True)
    p.add_argument("--data", action="append", required=True)
    p.add_argument("--xfail")
    p.add_argument("--work", default="/tmp/cim-conformance")
    p.add_argument("--report")
    p.add_argument("-j", type=int, default=os.cpu_count() or 1)
    p.add_argument("--min-opset", type=int, default=7,
                   help="lowest default-domain opset in scope (default 7)")
    args = p.parse_args()
    MIN_OPSET = args.min_opset
    os.makedirs(args.work, exist_ok=True)
    xfail = read_xfail(args.xfail)

    in_scope, skipped = [], []
    for data in args.data:
        for name in sorted(os.listdir(data)):
            test_dir = os.path.join(data, name)
            model_path = os.path.join(test_dir, "model.onnx")
            if not os.path.isfile(model_path):
                continue
            try:
                reason = out_of_scope(onnx.load(model_path))
            except Exception as e:  # an unreadable model is a failure
                reason = None
                print(f"note: {name}: cannot inspect: {e}", file=sys.stderr)
            (skipped if reason else in_scope).append((name, test_dir, reason))

    with concurrent.futures.ThreadPoolExecutor(args.j) as pool:
        results = list(pool.map(
            lambda t: (t[0], *run_test(args.bin, t[1], args.work)), in_scope))

    passed = failed = expected = unexpected_pass = 0
    for name, ok, why in results:
        if name in xfail:
            if ok:
                unexpected_pass += 1
                print(f"UNEXPECTED PASS {name} (listed as expected failure: "
                      f"{xfail[name]})")
            else:
                expected += 1
        elif ok:
            passed += 1
        else:
            failed += 1
            print(f"FAILED {name}: {why}")
    if args.report:
        with open(args.report, "w") as f:
            for name, _, reason in skipped:
                f.write(f"{name}\t{reason}\n")
    print(f"out of scope: {len(skipped)}; expected failures: {expected}")
    print(f"{passed} passed, {failed + unexpected_pass} failed")
    return 0 if failed == 0 and unexpected_pass == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
