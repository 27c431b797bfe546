#!/usr/bin/python3
"""Train a character-level LSTM language model on the King James Bible and export it.

The text comes from the `bible` program of Debian's bible-kjv (with
bible-kjv-text; the KJV text's copyright has expired): `bible -f SPEC`
prints one verse per line after its reference ("Ge1:1 In the beginning
..."); the reference is stripped and the verses are joined with a newline
after each, so the model also learns where verses end. Training text: the
Old Testament (Genesis to Malachi); held-out text: the Gospels of Matthew
and Mark. The vocabulary is the sorted set of the training text's
characters (vocab.json); a held-out character outside it is an error.

The model reads one-hot characters: nn.LSTM(V, 128), forward and
time-major, then nn.Linear(128, V) at every step gives the logits of the
next character. It trains on random windows of 100 characters (batch 64,
Adam) from a zero state, with Gaussian weight noise (4% of each weight's
largest magnitude, new every batch; the gradients taken at the noisy
weights step the clean ones), as for the Fashion-MNIST classifiers, so the
model tolerates analog errors.

Writes into examples/kjv-charlm:
  lstm/model.onnx        input "x" float32 [100, batch, V] (one-hot),
                         output "logits" [100, batch, V]; opset 13
  lstm/test_data_set_0   the first 4 held-out sequences and torch's logits
  test_text.txt          the held-out text, one verse per line; it is cut
                         into sequences by common.char_sequences
  vocab.json             the characters, in index order
  float_bpc.json         torch's bits per character on the held-out text

Needs python3-torch and bible-kjv.

  /usr/bin/python3 python/scripts/models/train_charlm.py [--epochs 3] [--out DIR]
"""

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time

import onnx
import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from common import (bits_per_char, char_sequences, encode_chars,  # noqa: E402
                    export_with_test_data, noisy_step)

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
TRAIN_BOOKS = ("Gen1:1-Mal4:6", "Old Testament, Genesis to Malachi")
TEST_BOOKS = ("Mt1:1-Mk16:20", "Gospels of Matthew and Mark")
HIDDEN = 128
LENGTH = 100
BATCH = 64
EXPORT_SEQUENCES = 4
# A verse line of `bible -f`: book abbreviation, chapter:verse, the text.
VERSE = re.compile(r"^\S*?\d+:\d+ (.*)$")


def bible_text(spec):
    """The verses of `spec` (e.g. "Mt1:1-Mk16:20"), each followed by a
    newline, without their references."""
    try:
        out = subprocess.run(["bible", "-f", spec], capture_output=True,
                             text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit(f"error: bible -f {spec}: {e} (needs Debian's bible-kjv)")
    verses = [m.group(1).strip() for m in map(VERSE.match, out.splitlines()) if m]
    if not verses:
        sys.exit(f"error: bible -f {spec} printed no verses")
    return "".join(v + "\n" for v in verses)


class CharLM(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.lstm = nn.LSTM(vocab_size, HIDDEN)
        self.head = nn.Linear(HIDDEN, vocab_size)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.head(y)


def held_out_bpc(model, x, targets):
    """Bits per character of `model` on one-hot x [LENGTH, N, V]."""
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(x[:, i:i + 256]) for i in range(0, x.shape[1], 256)], 1)
    return bits_per_char(logits.numpy(), targets)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=2e-2)
    ap.add_argument("--weight-noise", type=float, default=0.04)
    ap.add_argument("--out", default=os.path.join(REPO_ROOT, "examples", "kjv-charlm"))
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    train_text = bible_text(TRAIN_BOOKS[0])
    test_text = bible_text(TEST_BOOKS[0])
    vocab = sorted(set(train_text))
    V = len(vocab)
    train_ids = torch.from_numpy(encode_chars(train_text, vocab))
    test_x, test_y = char_sequences(test_text, vocab, LENGTH)
    test_x = torch.from_numpy(test_x)
    print(f"train {len(train_text)} characters ({TRAIN_BOOKS[1]}), held out "
          f"{len(test_text)} ({TEST_BOOKS[1]}), vocabulary {V}", flush=True)

    model = CharLM(V)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    windows = (len(train_ids) - 1) // LENGTH - 1
    batches = math.ceil(windows / BATCH)
    # Cosine decay of the learning rate over the whole run.
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda step: 0.5 * (1 + math.cos(math.pi * step / (args.epochs * batches))))
    loss_fn = nn.CrossEntropyLoss()
    start = time.time()
    for epoch in range(args.epochs):
        model.train()
        # Non-overlapping windows from a random offset, in random order.
        offset = int(torch.randint(0, LENGTH, ()))
        starts = offset + LENGTH * torch.randperm(windows)
        steps = torch.arange(LENGTH + 1)
        for i in range(0, windows, BATCH):
            chunk = train_ids[starts[i:i + BATCH, None] + steps].T  # [LENGTH+1, B]
            x = nn.functional.one_hot(chunk[:-1], V).float()
            y = chunk[1:]
            loss = noisy_step(model, opt,
                              lambda: loss_fn(model(x).reshape(-1, V), y.reshape(-1)),
                              args.weight_noise, clip=1.0)
            sched.step()
        bpc = held_out_bpc(model, test_x, test_y)
        print(f"epoch {epoch + 1}: loss {loss.item() / math.log(2):.3f} bits, "
              f"held-out {bpc:.4f} bits per character ({time.time() - start:.0f} s)",
              flush=True)

    model.eval()
    sample = test_x[:, :EXPORT_SEQUENCES].contiguous()
    path = export_with_test_data(model, sample, os.path.join(args.out, "lstm"),
                                 batch_axis=1)
    with open(os.path.join(args.out, "test_text.txt"), "w", encoding="ascii") as f:
        f.write(test_text)
    with open(os.path.join(args.out, "vocab.json"), "w") as f:
        json.dump(vocab, f)
    with open(os.path.join(args.out, "float_bpc.json"), "w") as f:
        json.dump({"bits_per_char": bpc, "test_sequences": test_x.shape[1],
                   "test_characters": int(test_y.size),
                   "sequence_length": LENGTH,
                   "train_books": f"{TRAIN_BOOKS[0]} ({TRAIN_BOOKS[1]})",
                   "test_books": f"{TEST_BOOKS[0]} ({TEST_BOOKS[1]})",
                   "train_characters": len(train_text), "vocab": V,
                   "hidden": HIDDEN, "epochs": args.epochs, "batch": BATCH,
                   "weight_noise": args.weight_noise}, f, indent=1)
    ops = sorted({n.op_type for n in onnx.load(path).graph.node})
    print(f"lstm: {path} ({os.path.getsize(path)} bytes), ops {ops}; "
          f"float {bpc:.4f} bits per character")
    return 0


if __name__ == "__main__":
    sys.exit(main())
