#!/usr/bin/env python3
"""The malformed-input corpus: bad models, artifacts, tensors, target and
noise files and command lines, generated here (seeded), run through
cim-compile and cim-run.

Every case asserts what the tools promise for a refused input: exit status
1 (2 for a command-line usage error), exactly one line on stderr that starts
with `error:` and names the file and the node, field or option at fault
(a regular expression per case), no output file left behind, and an end
within a bounded time. Seeded truncations and byte flips of valid models
and artifacts may also be accepted (a flip can give another valid file):
those must then either be refused as above or give exit 0 with an output
the runtime loads.

  /usr/bin/python3 test/malformed/malformed.py --bin build/bin --work /tmp/m
      [--only CLASS] [--list] [--table]

Prints one line per failing case and a table of classes: cases tried, clean
errors, accepted (exit 0, only where allowed), crashes, hangs, leftovers,
silent wrong results (exit 0 where an error was due) and other breaches.
"""

import argparse
import collections
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MLP = os.path.join(ROOT, "examples", "fashion-plain", "mlp", "model.onnx")
ODE_LOOP = os.path.join(ROOT, "examples", "fashion-ode", "ode_loop")
TIME_LIMIT = 30.0  # seconds; no case may take longer

# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

Case = collections.namedtuple("Case", "cls name make")
CASES = []


def case(cls, name=None):
    def register(fn):
        CASES.append(Case(cls, name or fn.__name__, fn))
        return fn
    return register


class Spec:
    """What one case runs and expects.

    argv: the command ({bin} is replaced by the tools' directory);
    error: a regular expression the `error:` line must match, or None when
    the command must succeed (exit 0); code: the expected exit status;
    outputs: paths that must not exist afterwards; may_accept: a flipped
    or truncated file that may turn out valid; check: a function of the
    case directory that returns a complaint or None, run after a success;
    stdin: bytes for the command's standard input."""

    def __init__(self, argv, error=None, code=1, outputs=(), may_accept=False,
                 check=None, stdin=None, pre=None):
        self.argv, self.error, self.code = argv, error, code
        self.outputs, self.may_accept = list(outputs), may_accept
        self.check, self.stdin, self.pre = check, stdin, pre


def save(model, path):
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    return path


def linear_model(weight=None, name="fc", alpha=None, opset=13, dims=None):
    """x[1,4] @ W[4,3] as a Gemm with a constant weight."""
    w = weight if weight is not None else np.arange(12, dtype=np.float32).reshape(4, 3) / 12
    attrs = {} if alpha is None else {"alpha": alpha}
    node = helper.make_node("Gemm", ["x", "W"], ["y"], name=name, **attrs)
    graph = helper.make_graph(
        [node], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, dims or [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])],
        [numpy_helper.from_array(w, "W")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def compile_argv(model, out):
    return ["{bin}/cim-compile", model, "-o", out]


def compile_spec(d, model, error):
    """Compiling `model` (saved as d/m.onnx) must fail with one error line
    matching `error` and leave no d/m.cimx."""
    out = d + "/m.cimx"
    return Spec(compile_argv(save(model, d + "/m.onnx"), out), error, outputs=[out])


# --- sizes and counts -------------------------------------------------------

@case("sizes")
def huge_dims_raw(d):
    m = linear_model()
    t = m.graph.initializer[0]
    del t.dims[:]
    t.dims.extend([2 ** 32, 2 ** 32])
    t.raw_data = b""
    return compile_spec(d, m, r"m\.onnx.*initializer 'W'.*(elements|too large)")


@case("sizes")
def huge_dims_typed(d):
    m = linear_model()
    t = m.graph.initializer[0]
    del t.dims[:]
    t.dims.extend([2 ** 32, 2 ** 32])
    t.ClearField("raw_data")
    return compile_spec(d, m, r"m\.onnx.*initializer 'W'.*(elements|too large)")


@case("sizes")
def negative_initializer_dim(d):
    m = linear_model()
    t = m.graph.initializer[0]
    del t.dims[:]
    t.dims.extend([-4, -3])
    return compile_spec(d, m, r"m\.onnx.*initializer 'W'.*dimension -4")


@case("sizes")
def negative_input_dim(d):
    m = linear_model(dims=[-5, 4])
    return compile_spec(d, m, r"m\.onnx.*input 'x'.*dimension -5")


@case("sizes")
def constant_of_shape_4tb(d):
    shape = numpy_helper.from_array(np.array([1 << 20, 1 << 20, 1 << 10], dtype=np.int64), "s")
    node = helper.make_node("ConstantOfShape", ["s"], ["y"], name="fill",
                            value=numpy_helper.from_array(np.array([1.0], dtype=np.float32)))
    add = helper.make_node("Add", ["x", "y"], ["z"], name="add")
    g = helper.make_graph([node, add], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                          [helper.make_tensor_value_info("z", TensorProto.FLOAT, ["a", "b", "c"])],
                          [shape])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    return compile_spec(d, m, r"m\.onnx.*'fill'.*(elements|too large)")


@case("sizes")
def ramp_bits_99(d):
    out = d + "/m.cimx"
    return Spec(compile_argv(MLP, out) + ["--ramp-bits=99"], r"--ramp-bits", code=2,
                outputs=[out])


@case("sizes")
def ramp_bits_4e9(d):
    out = d + "/m.cimx"
    return Spec(compile_argv(MLP, out) + ["--ramp-bits=4000000000"], r"--ramp-bits",
                code=2, outputs=[out])


@case("sizes")
def target_nested_deep(d):
    with open(d + "/t.json", "w") as f:
        f.write("[" * 1000000 + "]" * 1000000)
    out = d + "/m.cimx"
    return Spec(compile_argv(MLP, out) + ["--target", d + "/t.json"], r"t\.json.*(nest|deep)",
                outputs=[out])


@case("sizes")
def threads_1000(d):
    return Spec(["{bin}/cim-run", os.path.join(d, "mlp.cimx"), "--test-data",
                 os.path.join(ROOT, "examples", "fashion-plain", "mlp", "test_data_set_0"),
                 "--threads", "100000"], r"--threads", code=2,
                pre=lambda: compile_mlp(d))


# --- hangs ------------------------------------------------------------------

@case("hangs")
def verify_iterations_huge(d):
    with open(d + "/noise.json", "w") as f:
        f.write('{"prog_sigma_rel": 0.05, "verify_tolerance": 1e-30, '
                '"verify_max_iterations": 4294967295}')
    return Spec(["{bin}/cim-run", d + "/mlp.cimx", "--test-data",
                 os.path.join(ROOT, "examples", "fashion-plain", "mlp", "test_data_set_0"),
                 "--noise", d + "/noise.json"], r"noise\.json.*verify_max_iterations",
                pre=lambda: compile_mlp(d))


@case("hangs")
def loop_steps_huge(d):
    def pre():
        subprocess.run([COMPILE_BIN + "/cim-compile", ODE_LOOP + "/model.onnx", "-o", d + "/loop.cimx"],
                       check=True, capture_output=True)
    return Spec(["{bin}/cim-run", d + "/loop.cimx", "--input",
                 "x=" + ODE_LOOP + "/test_data_set_0/input_0.pb", "--input",
                 "steps=i64=%d" % (1 << 62)], r"loop\.cimx.*step count.*limit", pre=pre)


@case("hangs")
def external_data_fifo(d):
    m = external_model(d, "w.bin")
    os.mkfifo(d + "/w.bin")
    return compile_spec(d, m, r"initializer 'W'.*w\.bin.*not a regular file")


# --- silent wrong results ---------------------------------------------------

@case("silent")
def nan_weights(d):
    m = linear_model(weight=np.full((4, 3), np.nan, dtype=np.float32))
    return compile_spec(d, m, r"'W'.*(NaN|not finite)")


@case("silent")
def inf_weight(d):
    w = np.ones((4, 3), dtype=np.float32)
    w[1, 2] = np.inf
    m = linear_model(weight=w)
    return compile_spec(d, m, r"'W'.*(inf|not finite)")


@case("silent")
def gemm_alpha_nan(d):
    m = linear_model(alpha=float("nan"))
    return compile_spec(d, m, r"'fc'.*alpha.*(NaN|not finite)")


# --- data loss and leftovers ------------------------------------------------

@case("data-loss")
def output_is_input(d):
    shutil.copy(MLP, d + "/m.onnx")
    size = os.path.getsize(d + "/m.onnx")

    def check(_):
        return None if os.path.getsize(d + "/m.onnx") == size else "the model was overwritten"
    spec = Spec(compile_argv(d + "/m.onnx", d + "/m.onnx"), r"m\.onnx.*(same|overwrite)",
                code=2)
    spec.check_always = check
    return spec


@case("data-loss")
def output_is_input_other_spelling(d):
    shutil.copy(MLP, d + "/m.onnx")
    size = os.path.getsize(d + "/m.onnx")
    os.symlink(d + "/m.onnx", d + "/link.cimx")

    def check(_):
        return None if os.path.getsize(d + "/m.onnx") == size else "the model was overwritten"
    spec = Spec(compile_argv(d + "/m.onnx", d + "/link.cimx"), r"(same|overwrite)", code=2)
    spec.check_always = check
    return spec


@case("data-loss")
def report_before_artifact(d):
    return Spec(compile_argv(MLP, d + "/missing-dir/m.cimx") + ["--report", d + "/r.json"],
                r"missing-dir", outputs=[d + "/r.json", d + "/missing-dir"])


@case("data-loss")
def output_dev_full(d):
    return Spec(compile_argv(MLP, "/dev/full"), r"/dev/full")


@case("data-loss")
def partial_outputs_of_sets(d):
    def pre():
        compile_mlp(d)
        src = os.path.join(ROOT, "examples", "fashion-plain", "mlp", "test_data_set_0")
        for k in range(2):
            shutil.copytree(src, "%s/sets/test_data_set_%d" % (d, k))
        # The second set's reference is wrong by one element.
        ref = onnx.load_tensor("%s/sets/test_data_set_1/output_0.pb" % d)
        a = numpy_helper.to_array(ref).copy()
        a.flat[0] += 1.0
        onnx.save_tensor(numpy_helper.from_array(a, ref.name),
                         "%s/sets/test_data_set_1/output_0.pb" % d)
    spec = Spec(["{bin}/cim-run", d + "/mlp.cimx", "--test-data", d + "/sets",
                 "--output-dir", d + "/out"], None, pre=pre, outputs=[d + "/out"])
    spec.verdict = True  # a failed comparison: exit 1 and no error: line
    return spec


# --- containment ------------------------------------------------------------

def external_model(d, location):
    m = linear_model()
    t = m.graph.initializer[0]
    t.ClearField("raw_data")
    t.data_location = TensorProto.EXTERNAL
    del t.external_data[:]
    e = t.external_data.add()
    e.key, e.value = "location", location
    return m


@case("containment")
def external_symlink_outside(d):
    os.makedirs(d + "/model")
    with open(d + "/secret.bin", "wb") as f:
        f.write(np.ones(12, dtype=np.float32).tobytes())
    os.symlink(d + "/secret.bin", d + "/model/w.bin")
    m = external_model(d, "w.bin")
    out = d + "/m.cimx"
    return Spec(compile_argv(save(m, d + "/model/m.onnx"), out),
                r"initializer 'W'.*w\.bin.*(outside|symbolic link)", outputs=[out])


@case("containment")
def external_dev_zero(d):
    os.symlink("/dev/zero", d + "/w.bin")
    m = external_model(d, "w.bin")
    out = d + "/m.cimx"
    return Spec(compile_argv(save(m, d + "/m.onnx"), out),
                r"initializer 'W'.*w\.bin.*(not a regular file|outside|symbolic link)",
                outputs=[out])


@case("containment")
def external_dotdot(d):
    m = external_model(d, "../w.bin")
    return compile_spec(d, m, r"initializer 'W'.*\.\./w\.bin")


@case("containment")
def external_too_short(d):
    with open(d + "/w.bin", "wb") as f:
        f.write(b"\0" * 20)
    m = external_model(d, "w.bin")
    return compile_spec(d, m, r"initializer 'W'.*w\.bin.*(bytes|expected)")


# --- invalid text and graphs --------------------------------------------------

@case("graphs")
def node_name_invalid_utf8(d):
    m = linear_model()
    raw = m.SerializeToString().replace(b"\x02fc", b"\x02\xff\xfe")
    out = d + "/m.cimx"
    with open(d + "/m.onnx", "wb") as f:
        f.write(raw)
    return Spec(compile_argv(d + "/m.onnx", out), r"m\.onnx.*UTF-8", outputs=[out])


@case("graphs")
def empty_graph(d):
    g = helper.make_graph([], "g", [], [])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    return compile_spec(d, m, r"m\.onnx.*no outputs")


@case("graphs")
def no_outputs(d):
    m = linear_model()
    del m.graph.output[:]
    return compile_spec(d, m, r"m\.onnx.*no outputs")


@case("graphs")
def cycle(d):
    n1 = helper.make_node("Relu", ["b"], ["a"], name="r1")
    n2 = helper.make_node("Relu", ["a"], ["b"], name="r2")
    g = helper.make_graph([n1, n2], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                          [helper.make_tensor_value_info("b", TensorProto.FLOAT, [1])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    return compile_spec(d, m, r"m\.onnx.*'b'.*r1")


@case("graphs")
def duplicate_producers(d):
    n1 = helper.make_node("Relu", ["x"], ["y"], name="r1")
    n2 = helper.make_node("Neg", ["x"], ["y"], name="r2")
    g = helper.make_graph([n1, n2], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    return compile_spec(d, m, r"m\.onnx.*'y'.*(multiple|twice)")


@case("graphs")
def duplicate_graph_outputs(d):
    m = linear_model()
    m.graph.output.extend([m.graph.output[0]])
    return compile_spec(d, m, r"m\.onnx.*output 'y'")


@case("graphs")
def dangling_input(d):
    n = helper.make_node("Add", ["x", "nowhere"], ["y"], name="add")
    g = helper.make_graph([n], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    return compile_spec(d, m, r"m\.onnx.*'nowhere'.*add")


@case("graphs")
def unknown_domain(d):
    n = helper.make_node("Relu", ["x"], ["y"], name="r", domain="com.example")
    g = helper.make_graph([n], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13),
                                            helper.make_opsetid("com.example", 1)])
    return compile_spec(d, m, r"m\.onnx.*'r'.*com\.example")


@case("graphs")
def missing_opset(d):
    m = linear_model()
    del m.opset_import[:]
    return compile_spec(d, m, r"m\.onnx.*opset")


@case("graphs")
def future_opset(d):
    m = linear_model(opset=99)
    return compile_spec(d, m, r"m\.onnx.*opset.*99")


@case("graphs")
def deep_subgraph_nesting(d):
    leaf = helper.make_graph([helper.make_node("Identity", ["x"], ["y0"], name="id")], "b",
                             [], [helper.make_tensor_value_info("y0", TensorProto.FLOAT, [1])])
    inner = leaf
    for k in range(90):
        cond = helper.make_node("If", ["c"], ["y%d" % (k + 1)], name="if%d" % k,
                                then_branch=inner, else_branch=leaf)
        inner = helper.make_graph([cond], "b%d" % k, [],
                                  [helper.make_tensor_value_info("y%d" % (k + 1),
                                                                 TensorProto.FLOAT, [1])])
    g = helper.make_graph(list(inner.node), "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1]),
                           helper.make_tensor_value_info("c", TensorProto.BOOL, [])],
                          [helper.make_tensor_value_info("y90", TensorProto.FLOAT, [1])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    return compile_spec(d, m, r"m\.onnx.*(nest|deep|parse)")


# --- messages ---------------------------------------------------------------

@case("messages")
def noise_file_not_echoed(d):
    with open(d + "/secret.txt", "w") as f:
        f.write("TOP-SECRET-LINE: do not print\n")

    def check_stderr(err):
        return "the file's content was echoed" if "TOP-SECRET" in err else None
    spec = Spec(["{bin}/cim-run", d + "/mlp.cimx", "--test-data",
                 os.path.join(ROOT, "examples", "fashion-plain", "mlp", "test_data_set_0"),
                 "--device", "sim://quantized?noise=" + d + "/secret.txt"],
                r"secret\.txt", pre=lambda: compile_mlp(d))
    spec.check_stderr = check_stderr
    return spec


@case("messages")
def unknown_compile_option(d):
    return Spec(compile_argv(MLP, d + "/m.cimx") + ["--no-such-option"], r"no-such-option",
                code=2, outputs=[d + "/m.cimx"])


@case("messages")
def bad_enum_value(d):
    return Spec(compile_argv(MLP, d + "/m.cimx") + ["--emit=bogus"], r"--emit.*bogus",
                code=2, outputs=[d + "/m.cimx"])


@case("messages")
def bad_number(d):
    return Spec(compile_argv(MLP, d + "/m.cimx") + ["--reuse=x"], r"--reuse", code=2,
                outputs=[d + "/m.cimx"])


@case("messages")
def two_models(d):
    return Spec(compile_argv(MLP, d + "/m.cimx") + [MLP], r"(one model|too many|positional)",
                code=2, outputs=[d + "/m.cimx"])


@case("messages")
def missing_model(d):
    return Spec(["{bin}/cim-compile", "-o", d + "/m.cimx"], r"model", code=2,
                outputs=[d + "/m.cimx"])


@case("messages")
def model_is_directory(d):
    return Spec(compile_argv(d, d + "/m.cimx"), re.escape(d) + r".*directory",
                outputs=[d + "/m.cimx"])


@case("messages")
def unknown_target(d):
    return Spec(compile_argv(MLP, d + "/m.cimx") + ["--target", "no-such-target"],
                r"no-such-target", outputs=[d + "/m.cimx"])


@case("messages")
def run_unknown_option(d):
    return Spec(["{bin}/cim-run", "x.cimx", "--bogus"], r"--bogus", code=2)


@case("messages")
def run_seed_fraction(d):
    return Spec(["{bin}/cim-run", d + "/mlp.cimx", "--noise", "rram-nominal", "--seed",
                 "1.5", "--input", "x=1x784xf32=0"], r"--seed", code=2,
                pre=lambda: compile_mlp(d))


# --- bad files: tensors, targets, noise ------------------------------------

@case("files")
def tensor_truncated(d):
    with open(os.path.join(ROOT, "examples", "fashion-plain", "mlp", "test_data_set_0",
                           "input_0.pb"), "rb") as f:
        raw = f.read()
    with open(d + "/x.pb", "wb") as f:
        f.write(raw[:len(raw) // 2])
    return Spec(["{bin}/cim-run", d + "/mlp.cimx", "--input", "x=" + d + "/x.pb",
                 "--output-dir", d + "/out"], r"x\.pb", outputs=[d + "/out"],
                pre=lambda: compile_mlp(d))


@case("files")
def npy_bad_header(d):
    with open(d + "/x.npy", "wb") as f:
        f.write(b"\x93NUMPY\x01\x00\x20\x00{'descr': '<f4', 'shape': (1,}   \n")
    return Spec(["{bin}/cim-run", d + "/mlp.cimx", "--input", "x=" + d + "/x.npy"],
                r"x\.npy", pre=lambda: compile_mlp(d))


@case("files")
def npy_huge_shape(d):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(d + "/x.npy", "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode())
    return Spec(["{bin}/cim-run", d + "/mlp.cimx", "--input", "x=" + d + "/x.npy"],
                r"x\.npy", pre=lambda: compile_mlp(d))


@case("files")
def pb_huge_dims(d):
    t = TensorProto()
    t.name, t.data_type = "x", TensorProto.FLOAT
    t.dims.extend([2 ** 40, 2 ** 40])
    with open(d + "/x.pb", "wb") as f:
        f.write(t.SerializeToString())
    return Spec(["{bin}/cim-run", d + "/mlp.cimx", "--input", "x=" + d + "/x.pb"],
                r"x\.pb", pre=lambda: compile_mlp(d))


@case("files")
def target_not_json(d):
    with open(d + "/t.json", "w") as f:
        f.write("{ not json")
    return Spec(compile_argv(MLP, d + "/m.cimx") + ["--target", d + "/t.json"], r"t\.json",
                outputs=[d + "/m.cimx"])


@case("files")
def target_bad_field(d):
    with open(d + "/t.json", "w") as f:
        f.write('{"name": "t", "array": {"rows": -3, "cols": 16}}')
    return Spec(compile_argv(MLP, d + "/m.cimx") + ["--target", d + "/t.json"],
                r"t\.json.*rows", outputs=[d + "/m.cimx"])


@case("files")
def noise_bad_field(d):
    with open(d + "/n.json", "w") as f:
        f.write('{"read_sigma": -1}')
    return Spec(["{bin}/cim-run", d + "/mlp.cimx", "--input", "x=1x784xf32=0", "--noise",
                 d + "/n.json"], r"n\.json.*read_sigma", pre=lambda: compile_mlp(d))


@case("files")
def noise_not_json(d):
    with open(d + "/n.json", "w") as f:
        f.write("[1, 2")
    return Spec(["{bin}/cim-run", d + "/mlp.cimx", "--input", "x=1x784xf32=0", "--noise",
                 d + "/n.json"], r"n\.json", pre=lambda: compile_mlp(d))


@case("files")
def calibration_data_bad(d):
    with open(d + "/cal.npy", "wb") as f:
        f.write(b"\x93NUMPY garbage")
    return Spec(compile_argv(MLP, d + "/m.cimx") + ["--calibration-data", d + "/cal.npy"],
                r"cal\.npy", outputs=[d + "/m.cimx"])


# --- seeded truncations and byte flips --------------------------------------

def mutate(raw, rng, kind):
    if kind == "truncate":
        return raw[:rng.randrange(len(raw))]
    b = bytearray(raw)
    for _ in range(rng.randint(1, 4)):
        b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


def mutations(what, kind, count):
    """`count` cases of the small MLP's model (compiled) or artifact (run),
    truncated or byte-flipped at seeded positions."""
    for k in range(count):
        def make(d, k=k):
            seed = 5000 * (what == "artifact") + 1000 * (kind == "flip") + k
            name = "m.onnx" if what == "model" else "a.cimx"

            def pre():
                src = MLP_SMALL(d) if what == "model" else compile_small(d)
                with open(src, "rb") as f:
                    raw = f.read()
                with open(d + "/" + name, "wb") as f:
                    f.write(mutate(raw, random.Random(seed), kind))
            if what == "model":
                out = d + "/m.cimx"
                argv = compile_argv(d + "/m.onnx", out)
            else:
                out = d + "/out"
                argv = ["{bin}/cim-run", d + "/a.cimx", "--input", "x=1x16xf32=0.5",
                        "--output-dir", out]
            return Spec(argv, re.escape(name), outputs=[out], may_accept=True, pre=pre)
        CASES.append(Case(what + "-" + kind, "%s_%s_%d" % (what, kind, k), make))


def MLP_SMALL(d):
    """A two-layer MLP small enough to compile many times."""
    path = d + "/small.onnx"
    if not os.path.exists(path):
        rng = np.random.default_rng(0)
        w1 = numpy_helper.from_array(rng.normal(0, .3, (16, 8)).astype(np.float32), "w1")
        w2 = numpy_helper.from_array(rng.normal(0, .3, (8, 4)).astype(np.float32), "w2")
        nodes = [helper.make_node("MatMul", ["x", "w1"], ["h"], name="fc1"),
                 helper.make_node("Relu", ["h"], ["r"], name="relu"),
                 helper.make_node("MatMul", ["r", "w2"], ["y"], name="fc2")]
        g = helper.make_graph(nodes, "small",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
                              [w1, w2])
        save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)
    return path


def compile_small(d):
    subprocess.run([COMPILE_BIN + "/cim-compile", MLP_SMALL(d), "-o", d + "/small.cimx"], check=True,
                   capture_output=True)
    return d + "/small.cimx"


def compile_mlp(d):
    subprocess.run([COMPILE_BIN + "/cim-compile", MLP, "-o", d + "/mlp.cimx"], check=True,
                   capture_output=True)


for what in ("model", "artifact"):
    mutations(what, "truncate", 12)
    mutations(what, "flip", 24)

# ---------------------------------------------------------------------------
# Runner
# ---------------------------------------------------------------------------

BIN = None
COMPILE_BIN = None  # cim-compile's directory; BIN unless --compile-bin


def tool_argv(argv):
    return [a.replace("{bin}/cim-compile", COMPILE_BIN + "/cim-compile").replace("{bin}", BIN)
            for a in argv]


def run_case(c, work, tool=None):
    """(kind, why) of one case; (None, None) if its command is not `tool`."""
    d = os.path.join(work, c.name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    spec = c.make(d)
    if tool and not spec.argv[0].endswith("/" + tool):
        shutil.rmtree(d, ignore_errors=True)
        return None, None
    if spec.pre:
        spec.pre()
    argv = tool_argv(spec.argv)
    start = time.monotonic()
    try:
        p = subprocess.run(argv, capture_output=True, timeout=TIME_LIMIT, cwd=d,
                           input=spec.stdin, start_new_session=True)
    except subprocess.TimeoutExpired:
        return "hang", "no end within %.0f s" % TIME_LIMIT
    elapsed = time.monotonic() - start
    err = p.stderr.decode("utf-8", "replace")
    errors = [l for l in err.splitlines() if l.startswith("error:")]
    complaints = []
    if (p.returncode < 0 or p.returncode > 2 or "Stack dump" in err or "LLVM ERROR" in err
            or "Sanitizer" in err or ": runtime error: " in err):
        return "crash", "exit %d: %s" % (p.returncode, err.strip()[-300:])
    check_always = getattr(spec, "check_always", None)
    if check_always and check_always(d):
        return "data-loss", check_always(d)
    leftovers = [o for o in spec.outputs if os.path.exists(o)]
    if p.returncode == 0:
        if (spec.error is None and not getattr(spec, "verdict", False)) or spec.may_accept:
            if spec.check:
                why = spec.check(d)
                if why:
                    return "silent", why
            return "accepted", None
        return "silent", "exit 0 where an error naming /%s/ was due" % spec.error
    if leftovers:
        return "leftover", "left " + ", ".join(leftovers)
    if getattr(spec, "verdict", False):
        return ("clean", "%.1f s" % elapsed) if p.returncode == 1 and not errors else (
            "breach", "exit %d with %d error: lines" % (p.returncode, len(errors)))
    if len(errors) != 1:
        return "breach", "%d error: lines in %r" % (len(errors), err.strip()[-400:])
    other = [l for l in err.splitlines() if l.startswith("[libprotobuf") or
             l.startswith("LLVM ERROR") or l.startswith("terminate called")]
    if other:
        complaints.append("foreign message: " + other[0])
    if spec.error and not re.search(spec.error, errors[0]):
        complaints.append("error line %r does not match /%s/" % (errors[0], spec.error))
    expected = spec.code if not spec.may_accept else p.returncode
    if p.returncode != expected:
        complaints.append("exit %d, expected %d" % (p.returncode, expected))
    check_stderr = getattr(spec, "check_stderr", None)
    if check_stderr and check_stderr(err):
        complaints.append(check_stderr(err))
    if complaints:
        return "breach", "; ".join(complaints)
    return "clean", "%.1f s" % elapsed


def main():
    global BIN, COMPILE_BIN
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="the tools' directory")
    ap.add_argument("--compile-bin", help="cim-compile's directory, if not --bin's "
                    "(e.g. a normal build beside a sanitized runtime-only one)")
    ap.add_argument("--tool", help="run only the cases whose command is this tool "
                    "(cim-compile or cim-run)")
    ap.add_argument("--work", required=True)
    ap.add_argument("--only", help="run only this class (or case name)")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    BIN = os.path.abspath(args.bin)
    COMPILE_BIN = os.path.abspath(args.compile_bin or args.bin)
    if args.list:
        for c in CASES:
            print(c.cls, c.name)
        return 0
    os.makedirs(args.work, exist_ok=True)
    work = os.path.abspath(args.work)
    table = collections.OrderedDict()
    kinds = ["clean", "accepted", "crash", "hang", "leftover", "silent", "data-loss", "breach"]
    failed = 0
    for c in CASES:
        if args.only and args.only not in (c.cls, c.name):
            continue
        kind, why = run_case(c, work, args.tool)
        if kind is None:
            continue
        row = table.setdefault(c.cls, collections.Counter())
        row["tried"] += 1
        row[kind] += 1
        if kind not in ("clean", "accepted"):
            failed += 1
            print("FAIL %s/%s: %s: %s" % (c.cls, c.name, kind, why))
    print("%-16s %6s %6s %8s %6s %5s %9s %6s %9s %7s" % (
        "class", "tried", "clean", "accepted", "crash", "hang", "leftover", "silent",
        "data-loss", "breach"))
    total = collections.Counter()
    for cls, row in table.items():
        total.update(row)
        print("%-16s %6d %6d %8d %6d %5d %9d %6d %9d %7d" % ((cls, row["tried"]) +
              tuple(row[k] for k in kinds)))
    print("%-16s %6d %6d %8d %6d %5d %9d %6d %9d %7d" % (("total", total["tried"]) +
          tuple(total[k] for k in kinds)))
    print("malformed inputs: %d cases, %d failed" % (total["tried"], failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
