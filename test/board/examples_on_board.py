#!/usr/bin/env python3
"""The shipped examples on board:// through a lossy link, against sim://.

Compiles every shipped example (the example cases of test/digests/digests.py,
with their compile options, plus the BNN and SNN examples on their seed
targets), runs each with `cim-run --noise rram-nominal --seed 1` on sim://,
then on board:// against one `cim-board-emu --noise rram-nominal --seed 1`
whose link drops and corrupts frames (1% each, both ways) and disconnects
once, and requires the output files to be identical byte for byte. The
link's counters (cim-run --stats) must show the retries that hid the
faults. A link beyond what the retries can hide must fail the run with an
error naming the board, exit 1 and leave no output behind. With --hello,
the C host sample prints the same on sim://ideal and on board:// (only the
URI differs).

The emulator listens on 127.0.0.1 on a port it picks and is stopped here,
whatever happens.

  examples_on_board.py --bin build/bin --root . --work /tmp/board
"""

import argparse
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Shipped examples the digest list does not hold, with their seed targets.
EXTRA = [
    ("fashion-bnn-bridge", "examples/fashion-bnn", ["--target", "rram-bridge-bnn"]),
    ("fashion-snn-lif", "examples/fashion-snn",
     ["--target", "tempo-cim-40nm", "--macros", "26"]),
]


def example_cases(root):
    spec = importlib.util.spec_from_file_location(
        "digests", os.path.join(root, "test", "digests", "digests.py"))
    digests = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(digests)
    return [c for c in digests.CASES if c[1].startswith("examples/")] + EXTRA


class Emulator:
    """cim-board-emu on 127.0.0.1, port picked by the system."""

    def __init__(self, binary, options):
        self.proc = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0"] + options,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        m = re.fullmatch(r"listening on (127\.0\.0\.1:\d+)", line)
        if not m:
            self.stop()
            raise RuntimeError("cim-board-emu did not start: %r" % line)
        self.address = m.group(1)

    def stop(self):
        """Stops the emulator; returns its summary line (stderr)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            _, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err.strip()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout


def outputs(directory):
    if not os.path.isdir(directory):
        return {}
    result = {}
    for f in sorted(os.listdir(directory)):
        with open(os.path.join(directory, f), "rb") as fh:
            result[f] = fh.read()
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--root", default=".")
    ap.add_argument("--work", required=True)
    ap.add_argument("--faults", default="drop=0.01,corrupt=0.01,disconnect-after=40")
    ap.add_argument("--only", help="only cases whose name contains this")
    ap.add_argument("--hello", help="the C host sample (cimrt-hello)")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    compile_ = os.path.join(args.bin, "cim-compile")
    cim_run = os.path.join(args.bin, "cim-run")
    noise = ["--noise", "rram-nominal", "--seed", "1"]
    # Loose tolerances: noisy outputs are compared with each other, not with
    # the float references.
    loose = ["--atol", "1e30"]
    failures = 0
    compiled = []  # (artifact, model directory)
    totals = {"retries": 0, "timeouts": 0, "reconnects": 0, "requests": 0}
    with Emulator(os.path.join(args.bin, "cim-board-emu"),
                  noise + ["--faults", args.faults]) as emu:
        uri = "board://%s?timeout_ms=100" % emu.address
        for name, model_dir, options in example_cases(root):
            if args.only and args.only not in name:
                continue
            work = os.path.join(args.work, name)
            artifact = os.path.join(work, "model.cimx")
            os.makedirs(work)
            code, out = run([compile_, os.path.join(model_dir, "model.onnx"),
                             "-o", artifact] + options, root)
            if code != 0:
                print("FAIL %s: cim-compile failed:\n%s" % (name, out))
                failures += 1
                continue
            compiled.append((artifact, model_dir))
            data = os.path.join(model_dir, "test_data_set_0")
            code_sim, out_sim = run(
                [cim_run, artifact, "--test-data", data, "--output-dir",
                 os.path.join(work, "sim"), "--quiet"] + loose + noise, root)
            code_board, out_board = run(
                [cim_run, artifact, "--test-data", data, "--output-dir",
                 os.path.join(work, "board"), "--device", uri, "--stats"]
                + loose, root)
            sim, board = outputs(os.path.join(work, "sim")), outputs(
                os.path.join(work, "board"))
            link = re.search(r"stats: link: (\d+) requests.*?; (\d+) retries "
                             r"after (\d+) timeouts, (\d+) reconnects",
                             out_board)
            if code_sim or code_board or not sim or sim != board or not link:
                failures += 1
                differing = [f for f in sim if board.get(f) != sim[f]]
                print("FAIL %s: sim exit %d, board exit %d, %d outputs, "
                      "differing: %s\n%s%s" % (name, code_sim, code_board,
                                               len(sim), differing or "none",
                                               out_sim, out_board))
                continue
            requests, retries, timeouts, reconnects = map(int, link.groups())
            for k, v in zip(("requests", "retries", "timeouts", "reconnects"),
                            (requests, retries, timeouts, reconnects)):
                totals[k] += v
            print("PASS %s: %d outputs bit-identical to sim:// (%d requests, "
                  "%d retries, %d timeouts, %d reconnects)"
                  % (name, len(sim), requests, retries, timeouts, reconnects))
        summary = emu.stop()
    print("emulator: %s" % summary)
    print("link: %(requests)d requests, %(retries)d retries after %(timeouts)d "
          "timeouts, %(reconnects)d reconnects" % totals)
    if failures == 0 and totals["retries"] == 0:
        print("FAIL: the faults injected cost no retry: the link was not tested")
        failures += 1

    # Beyond the retries: a link that loses most frames (the run fails at
    # its first request), and a disconnect with no retry allowed (it fails
    # in the middle, after tiles were programmed). Either way the run exits
    # 1 with an error naming the board and the request, and writes nothing.
    if not compiled:
        print("FAIL: no example compiled")
        return 1
    artifact, model_dir = compiled[0]
    for label, faults, query, expect in [
            ("lossy", "drop=0.9", "timeout_ms=20&retries=1",
             "did not answer IDENTIFY"),
            ("disconnected", "disconnect-after=4", "timeout_ms=100&retries=0",
             "no reply to PROGRAM_TILE")]:
        outdir = os.path.join(args.work, "unreachable-" + label)
        with Emulator(os.path.join(args.bin, "cim-board-emu"),
                      ["--faults", faults]) as emu:
            code, out = run(
                [cim_run, artifact, "--test-data",
                 os.path.join(model_dir, "test_data_set_0"), "--output-dir",
                 outdir, "--device", "board://%s?%s" % (emu.address, query)],
                root)
        if code != 1 or not out.startswith("error: ") \
                or ("board://%s: " % emu.address) not in out \
                or expect not in out \
                or outputs(outdir):
            print("FAIL beyond-retries (%s): exit %d, %d outputs written:\n%s"
                  % (label, code, len(outputs(outdir)), out))
            failures += 1
        else:
            print("PASS beyond-retries (%s): exit 1, no output written: %s"
                  % (label, out.strip().splitlines()[-1]))
    if args.hello:
        sim = subprocess.run([args.hello, artifact, "sim://ideal"],
                             stdout=subprocess.PIPE, text=True)
        with Emulator(os.path.join(args.bin, "cim-board-emu"), []) as emu:
            board = subprocess.run(
                [args.hello, artifact, "board://" + emu.address],
                stdout=subprocess.PIPE, text=True)
        if sim.returncode or board.returncode or sim.stdout != board.stdout \
                or not sim.stdout:
            print("FAIL hello: sim:// exit %d, board:// exit %d\n%s%s"
                  % (sim.returncode, board.returncode, sim.stdout, board.stdout))
            failures += 1
        else:
            print("PASS hello: the same output on sim://ideal and board://")
    print("%d failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
