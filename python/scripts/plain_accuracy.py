#!/usr/bin/python3
"""Accuracy of the plain float-trained Fashion-MNIST models through cim-compile and cim-run.

For each model of examples/fashion-plain (mlp, lstm, gru, ode, cnn, rescnn; trained by
python/scripts/models/train_plain_fashion.py, no weight noise) and each of its
targets, compiles NAME/model.onnx with `cim-compile --target TARGET
[--flags ...]`, runs the 1000 test images of data/test/input_0.pb with
cim-run on sim://ideal, on sim://quantized, and with a noise preset
(default rram-nominal) for each seed, and prints top-1 accuracy against
data/test/labels.pb: torch's float accuracy (float_accuracy.json), the
ideal run's (which should equal it up to rounding), the quantised run's,
and the noisy runs' mean, min and max, with the drops of the quantised and
the mean noisy accuracy from the ideal run's, and the relative RMS error
of the quantised run's scores (logits) against the ideal run's.

  /usr/bin/python3 python/scripts/plain_accuracy.py --bin build/bin
      [--models mlp,lstm,gru,ode,cnn,rescnn] [--targets T1,T2] [--seeds 1,2,3,4,5] [--calibrate]
      [--flags "FLAGS"]... [--test-images N] [--work DIR] [--jobs 2] [--markdown]

--test-images N scores on the first N images of Debian's Fashion-MNIST test
set (up to all 10000) instead of the shipped 1000: a drop of a few tenths
of a point is then resolved (on 1000 images one image is 0.1 point).

Default targets, each model's own and generic-rram: mlp on generic-rram and
rom-sram-hybrid, lstm and gru on rram-ramp-adc and generic-rram, ode on
rram-ode-40nm and generic-rram, cnn and rescnn on generic-rram and
rram-ramp-adc; --targets replaces them for every model.

--flags adds cim-compile options to every compile (split like a shell
command line; repeatable). A value that starts with `SCOPE: ` instead of a
dash applies to the matching compiles only, SCOPE being comma-separated
model names, target names or MODEL/TARGET pairs, e.g.

  --flags "--calibration-data examples/fashion-plain/data/calibration"
  --flags "lstm,gru: --rnn-on-arrays"

The harness itself passes no compiler option but --target. Each (model,
target) compiles and runs in its own folder WORK/MODEL/TARGET (WORK is a
new temporary folder unless --work is given); at most --jobs tool
processes run at once, each simulator with --threads (default: the cores
divided among the jobs).

Exit status 0, or 1 with `error: COMMAND: STDERR` when a compile or run
fails or writes unusable logits.
"""

import argparse
import concurrent.futures
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

import numpy as np

from common import load_fashion, read_tensor, write_tensor

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLES = os.path.join(REPO, "examples", "fashion-plain")
MODELS = ["mlp", "lstm", "gru", "ode", "cnn", "rescnn"]
DEFAULT_TARGETS = {
    "mlp": ["generic-rram", "rom-sram-hybrid"],
    "lstm": ["rram-ramp-adc", "generic-rram"],
    "gru": ["rram-ramp-adc", "generic-rram"],
    "ode": ["rram-ode-40nm", "generic-rram"],
    "cnn": ["generic-rram", "rram-ramp-adc"],
    "rescnn": ["generic-rram", "rram-ramp-adc"],
}
SCOPE = re.compile(r"^\s*([^\s:-][^\s:]*)\s*:\s+(.*)$", re.S)


class ToolError(Exception):
    """A failed tool run; str() is the whole `error: ...` message."""


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise ToolError(f"error: {shlex.join(cmd)}: exit status "
                        f"{result.returncode}: {result.stderr.strip()}")
    return result


def parse_flags(values):
    """--flags values as (scope or None, [options])."""
    parsed = []
    for value in values:
        match = SCOPE.match(value)
        if match:
            parsed.append((match.group(1).split(","), shlex.split(match.group(2))))
        else:
            parsed.append((None, shlex.split(value)))
    return parsed


def flags_for(flags, model, target):
    options = []
    for scope, opts in flags:
        if scope is None or any(s in (model, target, f"{model}/{target}") for s in scope):
            options += opts
    return options


def folder_name(target):
    """A folder name for a target preset name or JSON file."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", os.path.splitext(os.path.basename(target))[0])


def top1(path, labels, cmd):
    logits, _ = read_tensor(path)
    if logits.ndim != 2 or logits.shape[0] != len(labels):
        raise ToolError(f"error: {shlex.join(cmd)}: {path}: logits of shape "
                        f"{list(logits.shape)}, expected [{len(labels)}, C]")
    if not np.all(np.isfinite(logits)):
        raise ToolError(f"error: {shlex.join(cmd)}: {path}: logits contain NaN or Inf")
    return float(np.mean(np.argmax(logits, axis=1) == labels))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "bin"),
                    help="folder of cim-compile and cim-run (default build/bin)")
    ap.add_argument("--models", default=",".join(MODELS),
                    help="comma-separated models (default all six)")
    ap.add_argument("--targets",
                    help="comma-separated targets (preset names or JSON files) "
                         "for every model (default: each model's own and generic-rram: "
                         + "; ".join(f"{m} {','.join(t)}" for m, t in DEFAULT_TARGETS.items())
                         + ")")
    ap.add_argument("--seeds", default="1,2,3,4,5",
                    help="comma-separated noise seeds (default 1,2,3,4,5)")
    ap.add_argument("--noise", default="rram-nominal",
                    help="cim-run --noise preset or file (default rram-nominal)")
    ap.add_argument("--calibrate", action="store_true",
                    help="noisy runs calibrate the device after programming "
                         "(cim-run --calibrate)")
    ap.add_argument("--flags", action="append", default=[],
                    help="extra cim-compile options, optionally `SCOPE: OPTIONS` "
                         "(repeatable)")
    ap.add_argument("--examples", default=EXAMPLES,
                    help="folder of the models and data (default examples/fashion-plain)")
    ap.add_argument("--work", help="working folder (default: a new temporary one)")
    ap.add_argument("--jobs", type=int, default=2,
                    help="tool processes at once (default 2)")
    ap.add_argument("--threads", type=int,
                    help="cim-run simulator threads (default: cores / jobs)")
    ap.add_argument("--test-images", type=int,
                    help="score on the first N images of Debian's Fashion-MNIST "
                         "test set (dataset-fashion-mnist, up to 10000) instead of "
                         "the 1000 of data/test")
    ap.add_argument("--markdown", action="store_true", help="print a markdown table")
    args = ap.parse_args()

    models = [m for m in args.models.split(",") if m]
    unknown = [m for m in models if not os.path.exists(
        os.path.join(args.examples, m, "model.onnx"))]
    if unknown:
        ap.error(f"no model.onnx for {unknown} in {args.examples}")
    try:
        seeds = [int(s) for s in args.seeds.split(",") if s]
    except ValueError:
        ap.error(f"--seeds {args.seeds}: expected comma-separated integers")
    if args.jobs < 1:
        ap.error("--jobs must be at least 1")
    threads = args.threads or max(1, (os.cpu_count() or 1) // args.jobs)
    flags = parse_flags(args.flags)
    compiler = os.path.join(args.bin, "cim-compile")
    runner = os.path.join(args.bin, "cim-run")
    for tool in (compiler, runner):
        if not os.access(tool, os.X_OK):
            sys.stderr.write(f"error: {tool}: not an executable\n")
            return 1
    work = args.work or tempfile.mkdtemp(prefix="plain_accuracy.")
    data = os.path.join(args.examples, "data", "test")
    inputs = os.path.join(data, "input_0.pb")
    labels, _ = read_tensor(os.path.join(data, "labels.pb"))
    if args.test_images is not None:
        if not 1 <= args.test_images <= 10000:
            ap.error("--test-images must be in [1, 10000]")
        shipped, name = read_tensor(inputs)
        images, labels = load_fashion("t10k", args.test_images)
        os.makedirs(work, exist_ok=True)
        inputs = os.path.join(work, "test_input_0.pb")
        write_tensor(inputs, images.reshape((len(images),) + shipped.shape[1:]), name)
    with open(os.path.join(args.examples, "float_accuracy.json")) as f:
        torch_acc = json.load(f)

    configs = [(m, t) for m in models
               for t in (args.targets.split(",") if args.targets else DEFAULT_TARGETS[m])]
    # The runs of a configuration: (tag, cim-run options).
    runs = [("ideal", ["--device", "sim://ideal"]),
            ("quantized", ["--device", "sim://quantized"])]
    runs += [(f"seed{s}", ["--device", "sim://quantized", "--noise", args.noise,
                           "--seed", str(s)] +
              (["--calibrate"] if args.calibrate else [])) for s in seeds]

    def folder(model, target):
        return os.path.join(work, model, folder_name(target))

    def compile_one(model, target):
        os.makedirs(folder(model, target), exist_ok=True)
        run([compiler, os.path.join(args.examples, model, "model.onnx"),
             "--target", target, *flags_for(flags, model, target),
             "-o", os.path.join(folder(model, target), "model.cimx")])

    def run_one(model, target, tag, options):
        out = os.path.join(folder(model, target), tag)
        cmd = [runner, os.path.join(folder(model, target), "model.cimx"),
               "--input", f"x={inputs}", *options, "--threads", str(threads),
               "--output-dir", out, "--quiet"]
        run(cmd)
        return top1(os.path.join(out, "output_0.pb"), labels, cmd)

    scores = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        try:
            for future in [pool.submit(compile_one, m, t) for m, t in configs]:
                future.result()
            futures = {(m, t, tag): pool.submit(run_one, m, t, tag, options)
                       for m, t in configs for tag, options in runs}
            for key, future in futures.items():
                scores[key] = future.result()
        except ToolError as e:
            pool.shutdown(wait=True, cancel_futures=True)
            sys.stderr.write(f"{e}\n")
            return 1

    def score_error(model, target):
        """Relative RMS error of the quantised run's scores against the
        ideal run's (all test images)."""
        ideal, _ = read_tensor(os.path.join(folder(model, target), "ideal", "output_0.pb"))
        quant, _ = read_tensor(os.path.join(folder(model, target), "quantized",
                                            "output_0.pb"))
        ideal, quant = ideal.astype(np.float64), quant.astype(np.float64)
        return float(np.sqrt(np.mean((quant - ideal) ** 2) / np.mean(ideal ** 2)))

    def pct(a):
        return f"{100 * a:.1f}"

    def signed(d):
        return f"{100 * d:+.1f}"

    header = ["model", "target", "torch", "float (ideal)", "quantized",
              f"{args.noise} mean", "min", "max", "drop quantized", "drop mean",
              "score error quantized"]
    rows = []
    for m, t in configs:
        ideal, quant = scores[(m, t, "ideal")], scores[(m, t, "quantized")]
        noisy = [scores[(m, t, f"seed{s}")] for s in seeds]
        fl = (torch_acc.get(m, {}).get("test1000")
              if args.test_images is None else None)
        if fl is not None and abs(ideal - fl) > 0.5 / len(labels):
            sys.stderr.write(f"note: {m} on {t}: ideal accuracy {pct(ideal)}% differs "
                             f"from torch's {pct(fl)}%\n")
        mean = float(np.mean(noisy)) if noisy else None
        rows.append([m, t, pct(fl) if fl is not None else "-", pct(ideal), pct(quant),
                     pct(mean) if noisy else "-",
                     pct(min(noisy)) if noisy else "-",
                     pct(max(noisy)) if noisy else "-",
                     signed(quant - ideal),
                     signed(mean - ideal) if noisy else "-",
                     f"{100 * score_error(m, t):.2f}%"])
    extra = "; ".join(shlex.join(([f"{','.join(s)}:"] if s else []) + o)
                      for s, o in flags) or "none"
    print(f"top-1 accuracy (%) on the first {len(labels)} Fashion-MNIST test images; "
          f"{args.noise} over seeds {','.join(map(str, seeds))}; drops from the "
          f"float (sim://ideal) run; extra cim-compile flags: {extra}")
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
        for r in [header] + rows:
            print("  ".join(str(c).ljust(w) if i < 2 else str(c).rjust(w)
                            for i, (c, w) in enumerate(zip(r, widths))))
    sys.stdout.flush()
    print(f"work folder: {work}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
