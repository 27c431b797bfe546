#!/usr/bin/env python3
"""Digests of the outputs of every shipped example and torch export.

Compiles each model of the list below with its compile options, runs it on
sim://ideal, sim://quantized and sim://quantized with `--noise rram-nominal
--seed 1..3` (seed 1 once more calibrated, and once more with
conductance-proportional read noise as well), and hashes the output
tensors (SHA-256 of each output .pb file, in order). `--record FILE` writes the digests; `--check FILE` compares them
with a recorded file and prints every difference. A refactoring that keeps
behaviour keeps every digest.

Digests are bit-exact results of OpenBLAS GEMMs, whose summation order
depends on the CPU kernel OpenBLAS picks: the file records that kernel. On
a machine whose own kernel differs, the check asks OpenBLAS for the
recorded one (OPENBLAS_CORETYPE) when the CPU has its instructions, and
is skipped (exit 77) otherwise instead of reporting differences that are
not the code's.

  digests.py --bin build/bin --root . --work /tmp/d --record test/digests/digests.json
  digests.py --bin build/bin --root . --work /tmp/d --check test/digests/digests.json

Exit status: 0 all equal (or recorded), 1 differences or a failed compile or
run, 77 skipped (another OpenBLAS kernel).
"""

import argparse
import ctypes
import ctypes.util
import hashlib
import json
import os
import shutil
import subprocess
import sys

# The CPU flags each OpenBLAS kernel needs (/proc/cpuinfo names), for the
# kernels digests may be recorded with.
KERNEL_FLAGS = {
    "Haswell": {"avx2", "fma"},
    "SkylakeX": {"avx512f", "avx512dq", "avx512bw", "avx512vl"},
    "Cooperlake": {"avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512_bf16"},
}

# (name, model directory relative to the root, compile options). The test
# data is the model directory's test_data_set_0.
CASES = [
    ("digits-mlp", "examples/digits-mlp", []),
    ("digits-mlp-hybrid", "examples/digits-mlp", ["--target", "rom-sram-hybrid"]),
    ("fashion-lstm", "examples/fashion-lstm/lstm",
     ["--rnn-on-arrays", "--target", "rram-ramp-adc", "--ramp-ranges",
      "examples/fashion-lstm/ramp_ranges.json"]),
    ("fashion-gru", "examples/fashion-gru/gru",
     ["--rnn-on-arrays", "--target", "rram-ramp-adc", "--ramp-ranges",
      "examples/fashion-gru/ramp_ranges.json"]),
    ("fashion-lstm-unfused", "examples/fashion-lstm/lstm",
     ["--rnn-on-arrays", "--fuse-activations=off"]),
    ("ode-euler", "examples/fashion-ode/ode_euler", ["--target", "rram-ode-40nm"]),
    ("ode-euler-digital", "examples/fashion-ode/ode_euler",
     ["--target", "rram-ode-40nm", "--ode-schedule=digital"]),
    ("ode-rk4", "examples/fashion-ode/ode_rk4", ["--target", "rram-ode-40nm"]),
    ("ode-loop", "examples/fashion-ode/ode_loop", ["--target", "rram-ode-40nm"]),
    ("kjv-charlm", "examples/kjv-charlm/lstm",
     ["--rnn-on-arrays", "--target", "examples/kjv-charlm/target.json",
      "--ramp-ranges", "examples/kjv-charlm/ramp_ranges.json"]),
]
CASES += [
    ("fashion-plain-mlp-calibrated", "examples/fashion-plain/mlp",
     ["--calibration-data", "examples/fashion-plain/data/calibration"]),
    ("fashion-plain-lstm-calibrated", "examples/fashion-plain/lstm",
     ["--target", "rram-ramp-adc", "--calibration-data",
      "examples/fashion-plain/data/calibration"]),
    ("torch-lstm-digital", "test/models/torch/test_torch_lstm",
     ["--rnn-on-arrays=false"]),
    # Bit-serial inputs: a 2-bit DAC driving 8-bit inputs in 7 passes.
    ("fashion-plain-mlp-bit-serial", "examples/fashion-plain/mlp",
     ["--target", "test/digests/bit-serial-target.json"]),
]
for torch_model in ["bnn_mlp", "gru_bidirectional", "lif", "lstm", "node_euler",
                    "node_loop", "rnn"]:
    CASES.append(("torch-" + torch_model,
                  "test/models/torch/test_torch_" + torch_model, []))
for torch_model in ["gru_bidirectional", "lstm", "rnn"]:
    CASES.append(("torch-%s-arrays" % torch_model,
                  "test/models/torch/test_torch_" + torch_model,
                  ["--rnn-on-arrays", "--target", "rram-ramp-adc",
                   "--ramp-bits", "8"]))

DEVICES = [
    ("ideal", ["--device", "sim://ideal"]),
    ("quantized", ["--device", "sim://quantized"]),
] + [("nominal-seed%d" % s, ["--noise", "rram-nominal", "--seed", str(s)])
     for s in (1, 2, 3)] + [
    ("nominal-seed1-calibrated",
     ["--noise", "rram-nominal", "--seed", "1", "--calibrate"]),
    # rram-nominal with conductance-proportional read noise as well.
    ("proportional-seed1",
     ["--noise", "test/digests/rram-nominal-proportional.json", "--seed", "1"]),
]


def openblas_core():
    """The CPU kernel OpenBLAS uses here, e.g. 'Haswell'."""
    for name in ("openblas", "openblas64"):
        path = ctypes.util.find_library(name)
        if not path:
            continue
        lib = ctypes.CDLL(path)
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode()
    return "unknown"


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def force_kernel(kernel):
    """Runs this script again with OpenBLAS's kernel set to `kernel` (for
    it and for every cim-run it starts), if this CPU can run that kernel
    and it was not asked for already."""
    needs = KERNEL_FLAGS.get(kernel)
    if os.environ.get("OPENBLAS_CORETYPE") or not needs or \
            not needs <= cpu_flags():
        return
    env = dict(os.environ, OPENBLAS_CORETYPE=kernel)
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout


def digest_case(args, name, model_dir, options):
    root = os.path.abspath(args.root)
    work = os.path.join(args.work, name)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    artifact = os.path.join(work, "model.cimx")
    code, out = run([os.path.join(args.compile_bin or args.bin, "cim-compile"),
                     os.path.join(model_dir, "model.onnx"), "-o", artifact]
                    + options, root)
    if code != 0:
        raise RuntimeError("%s: cim-compile failed:\n%s" % (name, out))
    data = os.path.join(root, model_dir, "test_data_set_0")
    result = {}
    for device, flags in DEVICES:
        outdir = os.path.join(work, device)
        # Loose tolerances: the digest, not the comparison, is the check.
        code, out = run([os.path.join(args.bin, "cim-run"), artifact,
                         "--test-data", data, "--output-dir", outdir,
                         "--atol", "1e30", "--quiet"] + flags, root)
        files = sorted(f for f in os.listdir(outdir)) if os.path.isdir(outdir) else []
        if not files:
            raise RuntimeError("%s on %s: cim-run wrote no outputs (exit %d):\n%s"
                               % (name, device, code, out))
        h = hashlib.sha256()
        for f in files:
            with open(os.path.join(outdir, f), "rb") as fh:
                h.update(fh.read())
        result[device] = h.hexdigest()[:32]
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="directory of cim-compile and cim-run")
    ap.add_argument("--compile-bin",
                    help="directory of the cim-compile to use (default: --bin)")
    ap.add_argument("--root", default=".", help="the source tree")
    ap.add_argument("--work", required=True, help="scratch directory")
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--record", help="write the digests to this JSON file")
    mode.add_argument("--check", help="compare with this recorded JSON file")
    ap.add_argument("--only", help="only cases whose name contains this")
    args = ap.parse_args()

    core = openblas_core()
    expected = None
    if args.check:
        with open(args.check) as f:
            expected = json.load(f)
        if expected.get("openblas_core") != core:
            force_kernel(expected.get("openblas_core"))
            print("skipped: digests recorded with OpenBLAS kernel %s, this machine "
                  "uses %s" % (expected.get("openblas_core"), core))
            return 77
    digests, failures, compared = {}, [], 0
    for name, model_dir, options in CASES:
        if args.only and args.only not in name:
            continue
        try:
            digests[name] = digest_case(args, name, model_dir, options)
        except RuntimeError as e:
            print("error: %s" % e)
            failures.append(name)
            continue
        if expected is not None:
            want = expected["cases"].get(name)
            for device, got in digests[name].items():
                compared += 1
                if want is None or want.get(device) != got:
                    failures.append("%s/%s" % (name, device))
                    print("DIFF %s on %s: %s, recorded %s" % (
                        name, device, got, want and want.get(device)))
    if args.record:
        with open(args.record, "w") as f:
            json.dump({"openblas_core": core, "cases": digests}, f, indent=1,
                      sort_keys=True)
            f.write("\n")
        print("recorded %d cases x %d devices" % (len(digests), len(DEVICES)))
        return 1 if failures else 0
    print("%d passed, %d failed" % (compared - len(failures), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
