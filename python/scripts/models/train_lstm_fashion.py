#!/usr/bin/python3
"""Train an LSTM or GRU classifier on row-sequential Fashion-MNIST and export it.

Each image is read as 28 time steps of 28 pixels; an nn.LSTM(28, 64) (or,
with --cell gru, an nn.GRU(28, 64)) runs over them and a linear head
classifies its last state. Training adds Gaussian noise (4% of the largest
weight) to the weights, as for the ODE-Net, so the model tolerates analog
errors. The export (examples/fashion-lstm/lstm/model.onnx, or
examples/fashion-gru/gru/model.onnx) has test_data_set_0 with the first 100
test images and torch's outputs; float_accuracy.json next to the model's
folder records torch's accuracy on the 10k test images.

Data: Debian's dataset-fashion-mnist. Needs python3-torch.

  /usr/bin/python3 python/scripts/models/train_lstm_fashion.py [--cell lstm|gru]
      [--epochs 4] [--out DIR]
"""

import argparse
import json
import os
import sys

import onnx
import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from common import export_with_test_data, load_fashion, noisy_step  # noqa: E402

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
HIDDEN = 64
CELLS = {"lstm": nn.LSTM, "gru": nn.GRU}


class RNNClassifier(nn.Module):
    def __init__(self, cell):
        super().__init__()
        # The recurrent module is named after its cell ("lstm" or "gru"),
        # which also names the exported nodes (/lstm/LSTM, /gru/GRU).
        self.cell = cell
        self.add_module(cell, CELLS[cell](28, HIDDEN, batch_first=True))
        self.head = nn.Linear(HIDDEN, 10)

    def forward(self, x):
        y, _ = getattr(self, self.cell)(x.view(-1, 28, 28))
        return self.head(y[:, -1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cell", choices=sorted(CELLS), default="lstm")
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--weight-noise", type=float, default=0.04)
    ap.add_argument("--out", help="output folder (default examples/fashion-CELL)")
    args = ap.parse_args()
    out_dir = args.out or os.path.join(REPO_ROOT, "examples", f"fashion-{args.cell}")
    torch.manual_seed(0)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    train_x, train_y = load_fashion("train")
    test_x, test_y = load_fashion("t10k")
    model = RNNClassifier(args.cell)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    tx, ty = torch.from_numpy(train_x), torch.from_numpy(train_y)
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(tx))
        for i in range(0, len(tx), 128):
            idx = perm[i:i + 128]
            # Gradients at noisy weights (hardware-aware training).
            loss = noisy_step(model, opt,
                              lambda: loss_fn(model(tx[idx]), ty[idx]),
                              args.weight_noise)
        model.eval()
        with torch.no_grad():
            acc = float((model(torch.from_numpy(test_x)).argmax(1).numpy()
                         == test_y).mean())
        print(f"epoch {epoch + 1}: loss {loss.item():.3f}, test accuracy {acc:.4f}",
              flush=True)

    sample = torch.from_numpy(test_x[:100])
    path = export_with_test_data(model, sample, os.path.join(out_dir, args.cell),
                                 batch_axis=0)
    with open(os.path.join(out_dir, "float_accuracy.json"), "w") as f:
        json.dump({"test_images": len(test_y), "accuracy": {args.cell: acc},
                   "epochs": args.epochs, "weight_noise": args.weight_noise,
                   "hidden": HIDDEN}, f, indent=1)
    ops = sorted({n.op_type for n in onnx.load(path).graph.node})
    print(f"{args.cell}: {path} ({os.path.getsize(path)} bytes), ops {ops}; "
          f"float accuracy {acc:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
