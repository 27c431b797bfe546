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
passes. --report writes the out-of-scope tests, grouped by their first
reason, as a Markdown page; --check-report compares that page with a file
(for the copy kept in docs/) and --scope-only skips running the tests.

Recurrent layers on arrays: --filter REGEX keeps the tests whose name
matches; --compile-arg and --run-arg pass options to cim-compile and
cim-run; --freeze-weights turns the weight, bias and peephole inputs of
every RNN, GRU and LSTM node into initializers holding the test data's
values (arrays hold constant weights; ONNX's node tests feed them as
inputs); --forbid OP fails a test whose compiled IR (--emit=tiled) still
contains OP; --measure prints each test's largest absolute and RMS error
against the expected outputs instead of applying the tolerance, and fails
a test whose largest error exceeds --max-error; --ramp-range-from-inputs
sets cim-compile's --ramp-input-range to the test's largest |input| (at
least 1), as a user sets it from their data.
"""
import argparse
import concurrent.futures
import os
import subprocess
import sys

import re

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper

SCOPE = {
    "MatMul", "Gemm", "Add", "Sub", "Mul", "Div", "Neg", "Abs", "Exp", "Relu",
    "LeakyRelu", "Sigmoid", "HardSigmoid", "Tanh", "Clip", "Sign", "Greater",
    "GreaterOrEqual", "Less", "LessOrEqual", "Equal", "Not", "And", "Or", "Xor",
    "Where", "Cast", "Constant", "ConstantOfShape", "Identity", "Reshape",
    "Flatten", "Squeeze", "Unsqueeze", "Transpose", "Concat", "Split", "Slice",
    "Gather", "Shape", "Expand", "Softmax", "LogSoftmax", "ArgMax",
    "ReduceSum", "ReduceMean", "ReduceMax", "BatchNormalization", "RNN",
    "LSTM", "GRU", "Loop", "Scan", "If", "Conv", "MaxPool", "AveragePool",
    "GlobalAveragePool", "GlobalMaxPool", "QuantizeLinear", "DequantizeLinear",
    "DynamicQuantizeLinear", "MatMulInteger", "ConvInteger", "QLinearMatMul", "QLinearConv",
}
# Ops over images: 1-D and 2-D ones (inputs of rank 3 and 4) are in scope.
IMAGE_OPS = {"Conv", "ConvInteger", "QLinearConv", "MaxPool", "AveragePool",
             "GlobalAveragePool", "GlobalMaxPool"}
MIN_OPSET = 7  # ONNX 1.12 opsets in scope: 7 to 17 (--min-opset widens it)
TYPES = {TensorProto.FLOAT, TensorProto.INT64, TensorProto.INT32,
         TensorProto.BOOL, TensorProto.INT8, TensorProto.UINT8}
# 8-bit tensors are in scope for the quantisation ops and the ops that move,
# compare or select elements (arithmetic on them would have to wrap).
EIGHT_BIT = {TensorProto.INT8, TensorProto.UINT8}
EIGHT_BIT_OPS = {
    "ArgMax", "Cast", "Clip", "Concat", "Constant", "ConstantOfShape",
    "ConvInteger", "DequantizeLinear", "DynamicQuantizeLinear", "Equal", "Expand", "Flatten", "Gather",
    "Greater", "GreaterOrEqual", "Identity", "If", "Less",
    "LessOrEqual", "Loop", "MatMulInteger", "MaxPool", "QLinearConv",
    "QLinearMatMul", "QuantizeLinear", "ReduceMax", "Relu", "Reshape", "Scan",
    "Shape", "Sign", "Slice", "Split", "Squeeze", "Transpose", "Unsqueeze",
    "Where"}


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
    eight_bit = any(vi.type.tensor_type.elem_type in EIGHT_BIT
                    for vi in list(top.input) + list(top.output))
    ranks = {vi.name: len(vi.type.tensor_type.shape.dim) for vi in top.input
             if vi.type.tensor_type.HasField("shape")}
    for g in graphs(top):
        for node in g.node:
            if node.domain not in ("", "ai.onnx"):
                return f"domain {node.domain}"
            if node.op_type not in SCOPE:
                return f"op {node.op_type}"
            if node.op_type in IMAGE_OPS and node.input[0] in ranks and \
                    ranks[node.input[0]] not in (3, 4):
                return f"{node.op_type} of a {ranks[node.input[0]] - 2}-D image"
            if node.op_type == "MaxPool" and len(node.output) > 1 and node.output[1]:
                return "MaxPool's Indices output"
            if eight_bit and node.op_type not in EIGHT_BIT_OPS:
                return f"{node.op_type} on 8-bit integers"
            if node.op_type == "Cast":
                to = next(a.i for a in node.attribute if a.name == "to")
                if to not in TYPES or to in EIGHT_BIT:
                    return f"Cast to {TensorProto.DataType.Name(to)}"
    return None


# Inputs of the recurrent ops that hold weights: W, R, B (and LSTM's P).
WEIGHT_INPUTS = {"RNN": (1, 2, 3), "GRU": (1, 2, 3), "LSTM": (1, 2, 3, 7)}


def freeze_weights(test_dir, out_dir):
    """A copy of the test whose recurrent weights are initializers.

    Returns the new test directory; its test_data_set_0 holds the other
    inputs and the expected outputs. Only the first data set is used."""
    model = onnx.load(os.path.join(test_dir, "model.onnx"))
    data = os.path.join(test_dir, "test_data_set_0")
    graph = model.graph
    names = [i.name for i in graph.input]
    values = {}
    for k, name in enumerate(names):
        t = onnx.TensorProto()
        with open(os.path.join(data, f"input_{k}.pb"), "rb") as f:
            t.ParseFromString(f.read())
        values[name] = numpy_helper.to_array(t)
    frozen = set()
    for node in graph.node:
        for k in WEIGHT_INPUTS.get(node.op_type, ()):
            if k < len(node.input) and node.input[k] in values:
                frozen.add(node.input[k])
    keep = [i for i in graph.input if i.name not in frozen]
    del graph.input[:]
    graph.input.extend(keep)
    for name in sorted(frozen):
        graph.initializer.append(numpy_helper.from_array(values[name], name))
    os.makedirs(os.path.join(out_dir, "test_data_set_0"), exist_ok=True)
    onnx.save(model, os.path.join(out_dir, "model.onnx"))
    for k, vi in enumerate(keep):
        tensor = numpy_helper.from_array(values[vi.name], vi.name)
        with open(os.path.join(out_dir, "test_data_set_0", f"input_{k}.pb"),
                  "wb") as f:
            f.write(tensor.SerializeToString())
    for name in os.listdir(data):
        if name.startswith("output_"):
            with open(os.path.join(data, name), "rb") as f, open(
                    os.path.join(out_dir, "test_data_set_0", name), "wb") as g:
                g.write(f.read())
    return out_dir


def measure(run_dir, test_dir):
    """Largest absolute and RMS error over every output of data set 0."""
    data = os.path.join(test_dir, "test_data_set_0")
    worst, squares, count = 0.0, 0.0, 0
    for name in sorted(os.listdir(data)):
        if not name.startswith("output_"):
            continue
        expected, actual = onnx.TensorProto(), onnx.TensorProto()
        with open(os.path.join(data, name), "rb") as f:
            expected.ParseFromString(f.read())
        with open(os.path.join(run_dir, name), "rb") as f:
            actual.ParseFromString(f.read())
        diff = (numpy_helper.to_array(actual).astype(np.float64)
                - numpy_helper.to_array(expected).astype(np.float64))
        worst = max(worst, float(np.max(np.abs(diff))) if diff.size else 0.0)
        squares += float(np.sum(diff * diff))
        count += diff.size
    return worst, (squares / max(count, 1)) ** 0.5


def largest_input(test_dir):
    """The largest |value| of the float inputs of data set 0, at least 1."""
    data = os.path.join(test_dir, "test_data_set_0")
    largest = 1.0
    for name in os.listdir(data):
        if name.startswith("input_"):
            t = onnx.TensorProto()
            with open(os.path.join(data, name), "rb") as f:
                t.ParseFromString(f.read())
            a = numpy_helper.to_array(t)
            if a.dtype.kind == "f" and a.size:
                largest = max(largest, float(np.max(np.abs(a))))
    return largest


def run_test(bin_dir, test_dir, work, opts):
    name = os.path.basename(test_dir)
    if opts.freeze_weights:
        test_dir = freeze_weights(test_dir, os.path.join(work, name + ".frozen"))
    artifact = os.path.join(work, name + ".cimx")
    compiler = os.path.join(bin_dir, "cim-compile")
    model = os.path.join(test_dir, "model.onnx")
    compile_args = list(opts.compile_arg)
    if opts.ramp_range_from_inputs:
        compile_args.append(f"--ramp-input-range={largest_input(test_dir):.9g}")
    compile_ = subprocess.run([compiler, model, "-o", artifact, *compile_args],
                              capture_output=True, text=True)
    if compile_.returncode != 0:
        return False, "compile: " + first_line(compile_.stderr)
    if opts.forbid:
        ir = subprocess.run([compiler, model, "--emit=tiled", *compile_args],
                            capture_output=True, text=True).stdout
        left = [op for op in opts.forbid if op in ir]
        if left:
            return False, "compile: " + ", ".join(left) + " left in the IR"
    command = [os.path.join(bin_dir, "cim-run"), artifact, *opts.run_arg]
    if opts.measure:
        out = os.path.join(work, name + ".out")
        run = subprocess.run([*command, "--output-dir", out, "--test-data",
                              test_dir, "--atol", "1e30"],
                             capture_output=True, text=True)
        if run.returncode != 0:
            return False, "run: " + first_line(run.stderr)
        worst, rms = measure(os.path.join(out, "test_data_set_0")
                             if os.path.isdir(os.path.join(out, "test_data_set_0"))
                             else out, test_dir)
        report = f"max |error| {worst:.3g}, RMS {rms:.3g}"
        if opts.max_error is not None and not worst <= opts.max_error:
            return False, report + f" (over {opts.max_error:g})"
        return True, report
    run = subprocess.run([*command, "--test-data", test_dir],
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


def scope_report(skipped):
    """Markdown: the out-of-scope tests grouped by reason."""
    by_reason = {}
    for name, _, reason in skipped:
        by_reason.setdefault(reason, []).append(name)
    lines = ["<!-- Generated by test/onnx/conformance.py --report; do not edit. -->",
             "# ONNX tests outside the importer's scope", "",
             f"{len(skipped)} tests, grouped by the first reason found "
             "(an op, an element type, or the opset).", "",
             "| reason | tests |", "|---|---|"]
    for reason in sorted(by_reason, key=lambda r: (-len(by_reason[r]), r)):
        names = ", ".join(n.replace("test_", "", 1) for n in by_reason[reason])
        lines.append(f"| {reason} ({len(by_reason[reason])}) | {names} |")
    return "\n".join(lines) + "\n"


def main():
    global MIN_OPSET
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin", required=True)
    p.add_argument("--data", action="append", required=True)
    p.add_argument("--xfail")
    p.add_argument("--work", default="/tmp/cim-conformance")
    p.add_argument("--report", help="write the out-of-scope page here")
    p.add_argument("--check-report",
                   help="fail unless the out-of-scope page equals this file")
    p.add_argument("--scope-only", action="store_true",
                   help="only classify the tests; run none")
    p.add_argument("-j", type=int, default=os.cpu_count() or 1)
    p.add_argument("--min-opset", type=int, default=7,
                   help="lowest default-domain opset in scope (default 7)")
    p.add_argument("--filter", help="only tests whose name matches this regex")
    p.add_argument("--compile-arg", action="append", default=[],
                   help="an option for cim-compile (repeatable)")
    p.add_argument("--run-arg", action="append", default=[],
                   help="an option for cim-run (repeatable)")
    p.add_argument("--freeze-weights", action="store_true",
                   help="recurrent weights become initializers")
    p.add_argument("--forbid", action="append", default=[],
                   help="fail a test whose tiled IR contains this op")
    p.add_argument("--measure", action="store_true",
                   help="print each test's error instead of checking it")
    p.add_argument("--max-error", type=float,
                   help="with --measure: fail a test whose error exceeds this")
    p.add_argument("--ramp-range-from-inputs", action="store_true",
                   help="--ramp-input-range from the test's largest |input|")
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
            if args.filter and not re.search(args.filter, name):
                continue
            try:
                reason = out_of_scope(onnx.load(model_path))
            except Exception as e:  # an unreadable model is a failure
                reason = None
                print(f"note: {name}: cannot inspect: {e}", file=sys.stderr)
            (skipped if reason else in_scope).append((name, test_dir, reason))

    report = scope_report(skipped)
    if args.report:
        with open(args.report, "w") as f:
            f.write(report)
    if args.check_report:
        with open(args.check_report) as f:
            if f.read() != report:
                print(f"error: {args.check_report} is out of date; regenerate it "
                      "with conformance.py --scope-only --report")
                return 1
    if args.scope_only:
        print(f"in scope: {len(in_scope)}; out of scope: {len(skipped)}")
        return 0

    with concurrent.futures.ThreadPoolExecutor(args.j) as pool:
        results = list(pool.map(
            lambda t: (t[0], *run_test(args.bin, t[1], args.work, args)), in_scope))

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
            if args.measure:
                print(f"{name}: {why}")
        else:
            failed += 1
            print(f"FAILED {name}: {why}")
    print(f"out of scope: {len(skipped)}; expected failures: {expected}")
    print(f"{passed} passed, {failed + unexpected_pass} failed")
    return 0 if failed == 0 and unexpected_pass == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
