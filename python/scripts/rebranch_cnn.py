"""ReBranch on a CNN: the plain Fashion-MNIST CNN's frozen weights on ROM,
fine-tuned to rotated images through low-rank residual branches on SRAM.

usage: /usr/bin/python3 python/scripts/rebranch_cnn.py --bin build/bin
           [--ranks 1,2,4] [--work DIR] [--markdown]

Inputs: the base model (examples/fashion-plain/cnn), the fine-tuned ones
(examples/fashion-rebranch, written by
python/scripts/models/train_rebranch_cnn.py), and examples/fashion-plain's
test and calibration images, rotated by 90 degrees here (written to the
work folder). For each row it compiles for rom-sram-hybrid with the
rotated calibration data and runs the first 1000 rotated test images with cim-run
on sim://ideal (the float model) and sim://quantized (the target's DAC and
ADC), and reads the energy per image from cim-compile --report:

  base                the base model, frozen, on ROM
  tuned, all SRAM     the fine-tuned model with every weight on SRAM
                      (--place '.*=sram'), the all-SRAM mapping
  tuned -> rank-R      rebranch.py's base + rank-R branches from the SVD of
                      the whole fine-tune's update: base weights on ROM,
                      branches on SRAM (--tunable)
  branches rank-R     rebranch.py on the model whose rank-R updates were
                      trained as branches on the frozen base (branchR/;
                      the SVD recovers them exactly)

Numpy and onnx only (no torch).
"""
import argparse
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import (read_tensor, rotate_images, run, top1_on_device,  # noqa: E402
                    write_tensor)

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
EXAMPLE = os.path.join(REPO, "examples", "fashion-rebranch")
PLAIN = os.path.join(REPO, "examples", "fashion-plain")
BASE = os.path.join(PLAIN, "cnn", "model.onnx")
TARGET = "rom-sram-hybrid"


def measure(bin_dir, model, extra, data, labels, work, tag):
    """Top-1 on sim://ideal and sim://quantized, the energy per image, and
    the weight cells per cell technology, of `model` compiled with
    `extra` flags."""
    artifact = os.path.join(work, tag + ".cimx")
    report = os.path.join(work, tag + ".json")
    run([os.path.join(bin_dir, "cim-compile"), model, "--target", TARGET,
         "--calibration-data", data["calibration"],
         "--report", report, "-o", artifact] + extra)
    with open(report) as f:
        total = json.load(f)["total"]
    inputs = data["test"]
    runner = os.path.join(bin_dir, "cim-run")
    ideal = top1_on_device(runner, artifact, "sim://ideal", inputs, labels, work)
    quantized = top1_on_device(runner, artifact, "sim://quantized", inputs,
                               labels, work)
    placed = run([os.path.join(bin_dir, "cim-compile"), model, "--target",
                  TARGET, "--emit=cim"] + extra).stdout
    with open(report) as f:
        area = json.load(f)["area_mm2"]
    return {"ideal": ideal, "quantized": quantized,
            "energy_pj": total["energy_pj"]["total"], "area_mm2": area,
            "rom": placed.count("placement = #cim<cell rom>"),
            "sram": placed.count("placement = #cim<cell sram>")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True, help="directory of cim-compile and cim-run")
    ap.add_argument("--ranks", default="1,2,4")
    ap.add_argument("--work", default=None)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="rebranch-cnn-")
    os.makedirs(work, exist_ok=True)
    labels, _ = read_tensor(os.path.join(PLAIN, "data", "test", "labels.pb"))
    data = {}
    for part in ("test", "calibration"):
        images, name = read_tensor(os.path.join(PLAIN, "data", part, "input_0.pb"))
        data[part] = os.path.join(work, f"rotated_{part}.pb")
        write_tensor(data[part], rotate_images(images), name)
    tuned = os.path.join(EXAMPLE, "tuned", "model.onnx")

    rows = [("base (frozen)", "ROM", measure(args.bin, BASE, [], data, labels, work, "base"))]
    sram = measure(args.bin, tuned, ["--place", ".*=sram"], data, labels, work, "sram")
    rows.append(("fine-tuned", "SRAM", sram))
    for rank in [int(r) for r in args.ranks.split(",")]:
        for source, label, tag in ((tuned, f"fine-tuned, rank-{rank} SVD branches", "svd"),
                                   (os.path.join(EXAMPLE, f"branch{rank}", "model.onnx"),
                                    f"rank-{rank} branches trained", "branch")):
            if not os.path.exists(source):
                continue
            model = os.path.join(work, f"{tag}{rank}.onnx")
            svd = run([sys.executable, os.path.join(HERE, "rebranch.py"), BASE, source,
                       "--rank", str(rank), "-o", model]).stdout
            print(svd.strip(), file=sys.stderr)
            rows.append((label, "ROM + SRAM",
                         measure(args.bin, model, ["--tunable", r".*\.rebranch_[ab]"],
                                 data, labels, work, f"{tag}{rank}")))

    print(f"top-1 accuracy (%) on the first {len(labels)} rotated Fashion-MNIST "
          f"test images, target {TARGET}; energy per image from cim-compile "
          f"--report; work folder {work}")
    head = ["model", "weights on", "products on ROM / SRAM", "float (ideal)",
            "quantized", "energy (nJ)", "energy vs all-SRAM", "array area (mm2)"]
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
    else:
        print("  ".join(head))
    for name, where, m in rows:
        cells = [name, where, f"{m['rom']} / {m['sram']}", f"{100 * m['ideal']:.1f}",
                 f"{100 * m['quantized']:.1f}", f"{m['energy_pj'] / 1000:.1f}",
                 f"{m['energy_pj'] / sram['energy_pj']:.2f}x", f"{m['area_mm2']:.3f}"]
        print(("| " + " | ".join(cells) + " |") if args.markdown else "  ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
