#!/usr/bin/python3
"""Bits per character of the King James Bible character LSTM, by readout.

Cuts the held-out text (examples/kjv-charlm/test_text.txt, the Gospels of
Matthew and Mark) into one-hot sequences of 100 characters, as the export
did (common.char_sequences), and compiles examples/kjv-charlm/lstm with
the LSTM left digital (the head's products on the default target's
arrays). With --arrays it also compiles it with --rnn-on-arrays for
rram-ramp-adc with each ramp resolution of --bits, and once unfused (the
target's 5-bit ADC plus digital activations). Each model runs on the ideal
simulator, on the quantised one and with a noise preset over several
seeds; the table gives the bits per character of each character's
prediction of the next (lower is better) next to torch's, with the cost
report's energy per sequence.

  /usr/bin/python3 python/scripts/eval_charlm.py --bin build/bin --work /tmp/lm \\
      [--sequences 2035] [--seeds 3] [--noise rram-nominal] [--bits 4,5,6,8]
      [--arrays] [--markdown]

Exit status 0, or 1 with `error: ...` on a failed compile or run.
"""

import argparse
import json
import os
import sys

from common import (bits_per_char, char_sequences, print_readouts,
                    readout_configs, sweep_readouts, write_tensor)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLE = os.path.join(REPO, "examples", "kjv-charlm")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--sequences", type=int, help="the first N (default all)")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--noise", default="rram-nominal")
    ap.add_argument("--bits", default="4,5,6,8")
    ap.add_argument("--arrays", action="store_true",
                    help="also the LSTM on arrays (--rnn-on-arrays), by readout")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--ramp-ranges",
                    help="calibrated ranges for the ramps (calibrate_ramps.py; "
                         "examples/kjv-charlm/ramp_ranges.json was measured "
                         "on held-out sequences 1000-1099)")
    ap.add_argument("--target", default=os.path.join(
        REPO, "examples", "kjv-charlm", "target.json"),
        help="target of the array runs (default: 256-row ramp-ADC arrays)")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    with open(os.path.join(EXAMPLE, "vocab.json")) as f:
        vocab = json.load(f)
    with open(os.path.join(EXAMPLE, "float_bpc.json")) as f:
        reference = json.load(f)
    with open(os.path.join(EXAMPLE, "test_text.txt"), encoding="ascii") as f:
        text = f.read()
    x, targets = char_sequences(text, vocab, reference["sequence_length"],
                                args.sequences)
    xpath = os.path.join(args.work, "x.pb")
    write_tensor(xpath, x, "x")
    model = os.path.join(EXAMPLE, "lstm", "model.onnx")

    configs = [("LSTM digital", [])]
    if args.arrays:
        # 63 one-hot inputs + 128 state + the bias row: 192 rows, one
        # 256-row array per gate (rram-ramp-adc's 128-row arrays would
        # split each gate's sum, which keeps it unfused).
        configs += readout_configs(args.bits, args.target, args.ramp_ranges)
    rows = sweep_readouts(args.bin, args.work, model, {"x": xpath},
                          lambda logits: bits_per_char(logits, targets),
                          configs, args.seeds, args.noise)
    whole = (f"float (torch): {reference['bits_per_char']:.4f} bits per "
             f"character on all {reference['test_sequences']} sequences")
    if not args.markdown:
        print(f"character LSTM on {targets.shape[0]} held-out sequences of "
              f"{targets.shape[1]} characters ({targets.size} predictions), "
              f"bits per character; {whole}")
    print_readouts(rows, args.noise, args.seeds, args.markdown,
                   lambda v: f"{v:.4f}", "sequence")
    if args.markdown:
        print(f"\n{whole}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
