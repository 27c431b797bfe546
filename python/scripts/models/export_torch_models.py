#!/usr/bin/python3
"""Export small PyTorch models to ONNX as conformance tests for cim's importer.

The hand-written ONNX models elsewhere in the tree show what the importer
should accept; these show what it will actually be given. Each model is built
in PyTorch and exported with torch.onnx.export unchanged, so the files keep
whatever torch emits: the Shape/Gather/ConstantOfShape chains that build RNN
initial states from the batch size, gate reordering folded into initializers,
Transpose/Reshape around bidirectional and batch_first recurrences, scripted
loops as ONNX Loop, Gather-per-time-step unrolling, and so on.

For every model NAME it writes, in the layout of ONNX's node tests (so
test/onnx/conformance.py can run the directory with --data):

  test/models/torch/test_NAME/model.onnx
  test/models/torch/test_NAME/test_data_set_0/input_K.pb    (graph input order)
  test/models/torch/test_NAME/test_data_set_0/output_K.pb   (graph output order)

Inputs are fixed random tensors with batch 3; the reference outputs are torch's
own outputs for them. Every graph input with a batch dimension has a dynamic
`batch` axis. The models:

  torch_lstm               nn.LSTM(6, 8), x [5, N, 6] -> y [5, N, 8], h_n [1, N, 8]
  torch_gru_bidirectional  nn.GRU(5, 7, bidirectional, batch_first),
                           x [N, 4, 5] -> y [N, 4, 14], h_n [2, N, 7]
  torch_rnn                nn.RNN(4, 6, tanh, 2 layers), x [5, N, 4] -> y, h_n
  torch_node_euler         neural ODE, 10 explicit Euler steps unrolled by tracing
  torch_node_loop          the same ODE scripted: an ONNX Loop whose trip count
                           is the int64 scalar input `steps` (value 10 here)
  torch_bnn_mlp            Linear -> BatchNorm1d (eval) -> Sign -> Linear(+-1 weights)
  torch_lif                6 unrolled leaky-integrate-and-fire steps -> spikes, v

Run from the repository root:

  /usr/bin/python3 python/scripts/models/export_torch_models.py [--out DIR] [NAME ...]

Needs Debian's python3-torch (1.13), python3-onnx (1.12) and numpy; no network.
Every model seeds torch itself, so the output does not depend on which models
are selected or in what order, and rerunning reproduces the files byte for byte
with the same package versions. The script checks each model with
onnx.checker, prints its ops and I/O, reads the written .pb files back and
checks they are bit-identical to torch's outputs, and ends with a summary.
"""

import argparse
import collections
import io
import os
import shutil
import sys
import warnings

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DEFAULT_OUT = os.path.join(REPO_ROOT, "test", "models", "torch")
REGEN_CMD = "/usr/bin/python3 python/scripts/models/export_torch_models.py"

OPSET = 14
BATCH = 3

# ---------------------------------------------------------------------------
# Models. Each builder seeds torch, builds the module (eval mode) and its
# example inputs, and returns an export spec.
# ---------------------------------------------------------------------------


class Spec:
    """What to export: module, example inputs and the ONNX names/axes."""

    def __init__(self, name, module, inputs, input_names, output_names,
                 dynamic_axes, description):
        self.name = name
        self.module = module
        self.inputs = inputs
        self.input_names = input_names
        self.output_names = output_names
        self.dynamic_axes = dynamic_axes
        self.description = description


class LSTMModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(input_size=6, hidden_size=8, num_layers=1)

    def forward(self, x):
        # No (h0, c0): torch then builds zero states from x's batch size,
        # which is the subgraph this test is about.
        y, (h_n, _c_n) = self.lstm(x)
        return y, h_n


def build_lstm():
    torch.manual_seed(1)
    x = torch.randn(5, BATCH, 6)
    return Spec("torch_lstm", LSTMModel().eval(), (x,), ["x"], ["y", "h_n"],
                {"x": {1: "batch"}, "y": {1: "batch"}, "h_n": {1: "batch"}},
                "nn.LSTM(input_size=6, hidden_size=8, num_layers=1), seq-first; "
                "zero initial states not given, so torch derives them from the "
                "input's batch size. x [5, N, 6] -> y [5, N, 8], h_n [1, N, 8].")


class GRUModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(5, 7, bidirectional=True, batch_first=True)

    def forward(self, x):
        y, h_n = self.gru(x)
        return y, h_n


def build_gru():
    torch.manual_seed(2)
    x = torch.randn(BATCH, 4, 5)
    return Spec("torch_gru_bidirectional", GRUModel().eval(), (x,), ["x"],
                ["y", "h_n"],
                # batch_first only applies to x and y; h_n stays [dirs, N, H].
                {"x": {0: "batch"}, "y": {0: "batch"}, "h_n": {1: "batch"}},
                "nn.GRU(5, 7, bidirectional=True, batch_first=True). "
                "x [N, 4, 5] -> y [N, 4, 14] (forward and backward concatenated), "
                "h_n [2, N, 7].")


class RNNModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(4, 6, nonlinearity="tanh", num_layers=2)

    def forward(self, x):
        y, h_n = self.rnn(x)
        return y, h_n


def build_rnn():
    torch.manual_seed(3)
    x = torch.randn(5, BATCH, 4)
    return Spec("torch_rnn", RNNModel().eval(), (x,), ["x"], ["y", "h_n"],
                {"x": {1: "batch"}, "y": {1: "batch"}, "h_n": {1: "batch"}},
                "nn.RNN(4, 6, nonlinearity='tanh', num_layers=2), seq-first. "
                "x [5, N, 4] -> y [5, N, 6], h_n [2, N, 6]; torch emits one ONNX "
                "RNN per layer.")


ODE_DT = 0.1
ODE_STEPS = 10
ODE_SEED = 4


class ODEFunc(nn.Module):
    """f(h) = Linear(8, 16) -> Tanh -> Linear(16, 8)."""

    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(8, 16)
        self.l2 = nn.Linear(16, 8)

    def forward(self, h):
        return self.l2(torch.tanh(self.l1(h)))


class EulerODE(nn.Module):
    """ODE_STEPS explicit Euler steps in a Python loop: tracing unrolls it."""

    def __init__(self):
        super().__init__()
        self.f = ODEFunc()

    def forward(self, h0):
        h = h0
        for _ in range(ODE_STEPS):
            h = h + ODE_DT * self.f(h)
        return h


class LoopODE(nn.Module):
    """The same step, but the step count is a runtime tensor. Scripted, the
    `range(int(steps))` loop becomes prim::Loop and then an ONNX Loop with
    `steps` as its trip count."""

    def __init__(self):
        super().__init__()
        self.f = ODEFunc()
        # TorchScript cannot read module globals; a float attribute is
        # compiled in (it reaches ONNX as a Constant inside the Loop body).
        self.dt = ODE_DT

    def forward(self, h0, steps):
        h = h0
        for _ in range(int(steps)):
            h = h + self.dt * self.f(h)
        return h


def ode_input():
    torch.manual_seed(ODE_SEED + 100)
    return torch.randn(BATCH, 8)


def build_node_euler():
    # Both ODE models use the same seed and module layout, hence the same f
    # weights and h0: the Loop model's output for steps=10 can be checked
    # against the unrolled one.
    torch.manual_seed(ODE_SEED)
    model = EulerODE().eval()
    return Spec("torch_node_euler", model, (ode_input(),), ["h0"], ["h"],
                {"h0": {0: "batch"}, "h": {0: "batch"}},
                f"Neural ODE h' = f(h), f = Linear(8,16) -> Tanh -> Linear(16,8), "
                f"{ODE_STEPS} explicit Euler steps with dt={ODE_DT} unrolled by "
                f"tracing. h0 [N, 8] -> h(T) [N, 8]. Same weights and input as "
                f"torch_node_loop.")


def build_node_loop():
    torch.manual_seed(ODE_SEED)
    model = torch.jit.script(LoopODE().eval())
    steps = torch.tensor(ODE_STEPS, dtype=torch.int64)
    return Spec("torch_node_loop", model, (ode_input(), steps), ["h0", "steps"],
                ["h"],
                # steps is a scalar: no batch axis.
                {"h0": {0: "batch"}, "h": {0: "batch"}},
                f"The torch_node_euler ODE scripted with torch.jit.script, the "
                f"step count a runtime input: exported as an ONNX Loop whose trip "
                f"count is the int64 scalar input `steps` (value {ODE_STEPS} in "
                f"the test data). h0 [N, 8], steps [] -> h [N, 8].")


class BinaryMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(16, 32)
        self.bn = nn.BatchNorm1d(32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        return self.fc2(torch.sign(self.bn(self.fc1(x))))


def build_bnn_mlp():
    torch.manual_seed(5)
    model = BinaryMLP()
    with torch.no_grad():
        # Non-trivial BatchNorm: running stats from a few training-mode
        # passes over shifted/scaled data (so mean != 0, var != 1), and a
        # random affine part so gamma/beta are not the identity.
        model.train()
        for _ in range(4):
            model(torch.randn(64, 16) * 2.0 + 0.5)
        model.bn.weight.copy_(torch.rand(32) + 0.5)
        model.bn.bias.copy_(torch.randn(32) * 0.2)
        # Binarize the second layer's weights in place so the exported
        # initializer already holds +-1 (the bias stays real-valued).
        model.fc2.weight.copy_(torch.sign(model.fc2.weight))
    model.eval()
    x = torch.randn(BATCH, 16)
    return Spec("torch_bnn_mlp", model, (x,), ["x"], ["logits"],
                {"x": {0: "batch"}, "logits": {0: "batch"}},
                "Sign-binarized MLP: Linear(16,32) -> BatchNorm1d(32) (eval, "
                "running stats from 4 training passes, random gamma/beta) -> "
                "Sign -> Linear(32,10) with weights exactly +-1. "
                "x [N, 16] -> logits [N, 10].")


LIF_T = 6
LIF_BETA = 0.9
LIF_THETA = 1.0
LIF_INPUT_SCALE = 4.0


class LIFLayer(nn.Module):
    """Leaky integrate-and-fire, reset by subtraction, unrolled over T."""

    def __init__(self):
        super().__init__()
        self.w = nn.Linear(10, 12, bias=False)

    def forward(self, x):
        # v = 0, shaped from the input so the batch stays dynamic.
        v = torch.zeros(x.shape[0], 12)
        spikes = []
        for t in range(LIF_T):
            v = LIF_BETA * v + self.w(x[:, t])
            s = (v >= LIF_THETA).float()
            v = v - s * LIF_THETA
            spikes.append(s)
        return torch.stack(spikes, dim=1), v


def build_lif():
    torch.manual_seed(6)
    model = LIFLayer().eval()
    # Uniform [0, 1) inputs alone rarely push v past theta with the default
    # init (|w| <= 1/sqrt(10)); the scale makes a sizeable fraction spike.
    x = torch.rand(BATCH, LIF_T, 10) * LIF_INPUT_SCALE
    return Spec("torch_lif", model, (x,), ["x"], ["spikes", "v"],
                {"x": {0: "batch"}, "spikes": {0: "batch"}, "v": {0: "batch"}},
                f"Leaky integrate-and-fire layer unrolled over T={LIF_T}: "
                f"W = Linear(10, 12, bias=False); v = beta*v + W(x[:, t]); "
                f"s = (v >= theta); v -= s*theta (beta={LIF_BETA}, "
                f"theta={LIF_THETA}, inputs uniform [0, {LIF_INPUT_SCALE})). "
                f"x [N, {LIF_T}, 10] -> spikes [N, {LIF_T}, 12] (0/1 float), "
                f"v [N, 12].")


BUILDERS = collections.OrderedDict([
    ("torch_lstm", build_lstm),
    ("torch_gru_bidirectional", build_gru),
    ("torch_rnn", build_rnn),
    ("torch_node_euler", build_node_euler),
    ("torch_node_loop", build_node_loop),
    ("torch_bnn_mlp", build_bnn_mlp),
    ("torch_lif", build_lif),
])

# ---------------------------------------------------------------------------
# Export and checks.
# ---------------------------------------------------------------------------


def as_tuple(out):
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def subgraphs(graph, prefix):
    """(label, graph) for graph and every nested subgraph (Loop bodies...)."""
    yield prefix, graph
    for node in graph.node:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                yield from subgraphs(attr.g, f"{prefix}/{node.op_type}.{attr.name}")
            for i, g in enumerate(attr.graphs):
                yield from subgraphs(g, f"{prefix}/{node.op_type}.{attr.name}[{i}]")


def op_counts(graph):
    counts = collections.Counter(n.op_type for n in graph.node)
    return ", ".join(f"{op} x{n}" for op, n in sorted(counts.items()))


def describe_value(vi):
    t = vi.type.tensor_type
    dims = [d.dim_param if d.HasField("dim_param") else str(d.dim_value)
            for d in t.shape.dim]
    return (f"{vi.name}: {onnx.TensorProto.DataType.Name(t.elem_type).lower()}"
            f"[{', '.join(dims)}]")


def export(spec):
    """Export with torch, returning (model bytes, torch outputs as numpy)."""
    with torch.no_grad():
        outputs = [o.detach().numpy().copy()
                   for o in as_tuple(spec.module(*spec.inputs))]
    buf = io.BytesIO()
    with warnings.catch_warnings():
        # Known, expected noise from torch 1.13's exporter: the LSTM batch-size
        # advice (the emitted graph derives the states from Shape(x), so a
        # dynamic batch is fine) and missing shape inference for prim::Constant.
        warnings.filterwarnings("ignore", message=".*batch_size other than 1.*")
        warnings.filterwarnings("ignore", message=".*prim::Constant type is missing.*")
        torch.onnx.export(spec.module, spec.inputs, buf,
                          opset_version=OPSET,
                          do_constant_folding=True,
                          input_names=spec.input_names,
                          output_names=spec.output_names,
                          dynamic_axes=spec.dynamic_axes)
    return buf.getvalue(), outputs


def graph_io(model):
    """Graph inputs (initializers excluded) and outputs, in graph order."""
    inits = {t.name for t in model.graph.initializer}
    inputs = [vi for vi in model.graph.input if vi.name not in inits]
    return inputs, list(model.graph.output)


def save_tensor(array, name, path):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(array, name=name).SerializeToString())


def load_tensor(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return t.name, numpy_helper.to_array(t)


def bit_identical(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def model_checks(spec, model, outputs):
    """Structure checks specific to a model: the points of the tests."""
    ops = collections.Counter(n.op_type for _, g in subgraphs(model.graph, "")
                              for n in g.node)
    if spec.name == "torch_node_loop":
        loops = [n for n in model.graph.node if n.op_type == "Loop"]
        assert len(loops) == 1, "expected exactly one top-level Loop"
        # Loop's first input is the trip count M: it must be the graph input
        # itself, not a constant folded from the example value.
        assert loops[0].input[0] == "steps", \
            f"Loop trip count is {loops[0].input[0]!r}, not the `steps` input"
        body_ops = {n.op_type for n in loops[0].attribute[0].g.node}
        assert {"Gemm", "Tanh"} <= body_ops or {"MatMul", "Tanh"} <= body_ops, \
            f"Loop body lacks the ODE step: {sorted(body_ops)}"
    if spec.name in ("torch_lstm", "torch_gru_bidirectional", "torch_rnn"):
        rnn_op = {"torch_lstm": "LSTM", "torch_gru_bidirectional": "GRU",
                  "torch_rnn": "RNN"}[spec.name]
        assert ops[rnn_op] >= 1, f"no {rnn_op} node"
    if spec.name == "torch_bnn_mlp":
        assert ops["BatchNormalization"] == 1 and ops["Sign"] == 1, ops
        w = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
        # The binarized weights must reach the file as exactly +-1.
        assert any(v.shape == (10, 32) and set(np.unique(v)) <= {-1.0, 1.0}
                   for v in w.values()), "no +-1 [10, 32] weight initializer"
    if spec.name == "torch_lif":
        rate = float(outputs[0].mean())
        print(f"  spike rate: {rate:.3f} "
              f"({int(outputs[0].sum())}/{outputs[0].size} spikes)")
        assert 0.1 <= rate <= 0.7, f"spike rate {rate:.3f} out of range"


def write_test(spec, out_dir):
    model_bytes, outputs = export(spec)
    model = onnx.load_from_string(model_bytes)
    onnx.checker.check_model(model, full_check=True)

    inputs_vi, outputs_vi = graph_io(model)
    in_names = [vi.name for vi in inputs_vi]
    out_names = [vi.name for vi in outputs_vi]
    # The reference tensors are matched to the graph by position; make sure
    # torch kept the names and order we asked for.
    assert in_names == spec.input_names, (in_names, spec.input_names)
    assert out_names == spec.output_names, (out_names, spec.output_names)
    assert len(outputs) == len(out_names)

    print(f"== {spec.name}")
    opset = {o.domain: o.version for o in model.opset_import}.get("", None)
    print(f"  opset {opset}, ir_version {model.ir_version}, "
          f"{len(model.graph.initializer)} initializers")
    for label, g in subgraphs(model.graph, "graph"):
        print(f"  ops[{label}]: {op_counts(g)}")
    for vi in inputs_vi:
        print(f"  input  {describe_value(vi)}")
    for vi in outputs_vi:
        print(f"  output {describe_value(vi)}")
    model_checks(spec, model, outputs)

    test_dir = os.path.join(out_dir, f"test_{spec.name}")
    data_dir = os.path.join(test_dir, "test_data_set_0")
    # Start clean so a renamed or dropped tensor cannot leave a stale file.
    if os.path.isdir(test_dir):
        shutil.rmtree(test_dir)
    os.makedirs(data_dir)
    # Write torch's bytes as they are: the point is what torch emits.
    with open(os.path.join(test_dir, "model.onnx"), "wb") as f:
        f.write(model_bytes)
    in_arrays = [t.detach().numpy() for t in spec.inputs]
    for k, (name, arr) in enumerate(zip(in_names, in_arrays)):
        save_tensor(arr, name, os.path.join(data_dir, f"input_{k}.pb"))
    for k, (name, arr) in enumerate(zip(out_names, outputs)):
        save_tensor(arr, name, os.path.join(data_dir, f"output_{k}.pb"))

    # Read everything back: names, dtypes, shapes and bytes must round-trip.
    for k, (name, arr) in enumerate(zip(in_names, in_arrays)):
        got_name, got = load_tensor(os.path.join(data_dir, f"input_{k}.pb"))
        assert got_name == name and bit_identical(got, arr), f"input_{k} mismatch"
    identical = True
    for k, (name, arr) in enumerate(zip(out_names, outputs)):
        got_name, got = load_tensor(os.path.join(data_dir, f"output_{k}.pb"))
        identical &= got_name == name and bit_identical(got, arr)
    assert identical, f"{spec.name}: written outputs differ from torch's"

    size = sum(os.path.getsize(os.path.join(root, fn))
               for root, _, files in os.walk(test_dir) for fn in files)
    return {
        "name": spec.name,
        "opset": opset,
        "nodes": sum(len(g.node) for _, g in subgraphs(model.graph, "")),
        "inputs": ", ".join(describe_value(vi) for vi in inputs_vi),
        "outputs": ", ".join(describe_value(vi) for vi in outputs_vi),
        "model_bytes": len(model_bytes),
        "dir_bytes": size,
        "identical": identical,
        "outputs_np": outputs,
        "description": spec.description,
    }


def write_readme(path, rows):
    lines = [
        "# torch-exported conformance models",
        "",
        "Small PyTorch models exported with `torch.onnx.export` (opset "
        f"{OPSET},",
        "constant folding on) and kept exactly as torch emits them, in the layout",
        "of ONNX's node tests: `test_NAME/model.onnx` and",
        "`test_NAME/test_data_set_0/input_K.pb` / `output_K.pb` (serialized",
        "`onnx.TensorProto`, named after the graph's inputs/outputs, in graph order).",
        "Inputs are fixed random tensors with batch 3; the reference outputs are",
        "torch's own outputs for them. Inputs with a batch dimension have a dynamic",
        "`batch` axis. Run them with the conformance runner, for example:",
        "",
        "    /usr/bin/python3 test/onnx/conformance.py --bin build/bin --data test/models/torch",
        "",
        "| test | model | inputs | outputs |",
        "|------|-------|--------|---------|",
    ]
    for r in rows:
        lines.append(f"| `test_{r['name']}` | {r['description']} | "
                     f"`{r['inputs']}` | `{r['outputs']}` |")
    lines += [
        "",
        "What torch emits that hand-written models do not have:",
        "",
        "- zero initial states built from the input's batch size by",
        "  `Shape -> Gather -> Unsqueeze -> Concat -> ConstantOfShape` (LSTM, GRU,",
        "  RNN; for the LIF membrane followed by a `Mul` by beta that constant",
        "  folding cannot remove); the 2-layer RNN builds one [2, N, 6] zero",
        "  tensor and `Slice`s it per layer, with one `RNN` node per layer;",
        "- gate weights already reordered into ONNX's gate order by constant",
        "  folding (initializers named `onnx::LSTM_NNN` etc.);",
        "- `Transpose`/`Reshape`(0, 0, -1) around the bidirectional batch-first GRU;",
        "- a `Loop` with trip count `steps` (int64 scalar) and a constant `true`",
        "  condition; the body's Gemms read the outer graph's initializers and",
        "  its condition output is an `Identity` of an outer-scope constant;",
        "- in the LIF layer, `x[:, t]` as `Gather(axis=1)` with a scalar index, and",
        "  `MatMul` (not `Gemm`) against one pre-transposed [10, 12] weight that",
        "  the other five time steps reach through `Identity` nodes;",
        "- symbolic output dims (`Looph_dim_1`, `Concatspikes_dim_2`, `Subv_dim_1`)",
        "  where torch's shape inference gave up on dims that are really 8 and 12.",
        "",
        "## Regenerate",
        "",
        "From the repository root:",
        "",
        f"    {REGEN_CMD}",
        "",
        "The script seeds every model, checks each with `onnx.checker`, verifies",
        "the written outputs are bit-identical to torch's, and is deterministic:",
        "rerunning it reproduces these files byte for byte with the same",
        f"packages (made with torch {torch.__version__}, onnx {onnx.__version__}, "
        f"numpy {np.__version__}).",
        "",
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_OUT,
                        help="output directory (default: test/models/torch)")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"models to export (default: all of "
                             f"{', '.join(BUILDERS)})")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BUILDERS]
    if unknown:
        parser.error(f"unknown model(s): {', '.join(unknown)}")
    names = args.names or list(BUILDERS)

    # One thread: keeps torch's float results independent of the machine's
    # core count, so the reference files reproduce exactly.
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)

    rows = [write_test(BUILDERS[n](), args.out) for n in names]
    by_name = {r["name"]: r for r in rows}

    # The scripted Loop with steps=10 must agree with the unrolled model (same
    # weights, same input, same operations in the same order).
    if "torch_node_euler" in by_name and "torch_node_loop" in by_name:
        a = by_name["torch_node_euler"]["outputs_np"][0]
        b = by_name["torch_node_loop"]["outputs_np"][0]
        print(f"\nLoop(steps={ODE_STEPS}) vs unrolled Euler: "
              f"{'bit-identical' if bit_identical(a, b) else 'max |diff| = %g' % np.abs(a - b).max()}")
        assert np.allclose(a, b, rtol=1e-6, atol=1e-6)

    if not args.names:
        write_readme(os.path.join(args.out, "README.md"), rows)

    print()
    header = f"{'model':<26} {'opset':>5} {'nodes':>5} {'onnx B':>7} {'dir B':>7}  ref==torch"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['name']:<26} {r['opset']:>5} {r['nodes']:>5} "
              f"{r['model_bytes']:>7} {r['dir_bytes']:>7}  "
              f"{'bit-identical' if r['identical'] else 'DIFFERENT'}")
    total = sum(r["dir_bytes"] for r in rows)
    print(f"{'total':<26} {'':>5} {'':>5} {'':>7} {total:>7}")
    print(f"\nwrote {len(rows)} tests to {os.path.relpath(args.out, os.getcwd())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
