#!/usr/bin/python3
"""Train a binarized MLP on Fashion-MNIST and export it as BNN exports are written.

The network (torch.manual_seed(0); Adam from 5e-3, batches of 128, cosine-annealed
learning rate; straight-through estimators, no noise or quantisation
beyond the binarisation itself):

  x in [0, 1]  -> Where(x > 0.5, 1, -1)                  binary input
  BinaryLinear(784, 256): Sign(latent W) in the graph    +-1 weights, no bias
  BatchNorm1d(256) -> Sign                               binary activations
  BinaryLinear(256, 10) -> BatchNorm1d(10)               logits

Training binarises with straight-through estimators (the gradient of
Sign taken as that of hardtanh); latent weights are clipped to [-1, 1]
after each step. The export writes the inference graph only: Greater and
Where on the input, Sign of each latent weight initializer, MatMul,
BatchNormalization (inference), Sign. One input `x`, float32 [N, 784]
(N dynamic), output `logits` [N, 10], opset 13. Written under --out
(default examples/fashion-bnn):

  model.onnx                   the exported model
  test_data_set_0/input_0.pb   the first 100 test images (x)
  test_data_set_0/output_0.pb  torch's logits for them
  float_accuracy.json          {"bnn": {"test10k": ..., "test1000": ...}}

The 1000 test images and their labels are examples/fashion-plain/data/test
(the same first 1000 images). Data: Debian's dataset-fashion-mnist. Needs
python3-torch; the exported model and data are committed.

  /usr/bin/python3 python/scripts/models/train_bnn_fashion.py [--epochs N] [--out DIR]
"""

import argparse
import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from common import (classifier_accuracy as accuracy, export_with_test_data,  # noqa: E402
                    load_fashion, train_classifier)

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
HIDDEN, SAMPLE_IMAGES, TEST_IMAGES = 256, 100, 1000


def binarise(x, exporting):
    """Sign of x; in training, with the straight-through gradient of
    hardtanh."""
    if exporting:
        return torch.sign(x)
    clipped = torch.clamp(x, -1, 1)
    return clipped + (torch.sign(x) - clipped).detach()


class BinaryLinear(nn.Module):
    def __init__(self, inputs, outputs):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(outputs, inputs).uniform_(-1, 1))
        self.exporting = False

    def forward(self, x):
        return x @ binarise(self.weight, self.exporting).t()


class BNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = BinaryLinear(784, HIDDEN)
        self.bn1 = nn.BatchNorm1d(HIDDEN)
        self.fc2 = BinaryLinear(HIDDEN, 10)
        self.bn2 = nn.BatchNorm1d(10)
        self.exporting = False

    def export_mode(self):
        self.exporting = self.fc1.exporting = self.fc2.exporting = True
        return self.eval()

    def forward(self, x):
        # float32 constants (Python floats would export as doubles)
        one = torch.tensor(1.0, dtype=torch.float32)
        x = torch.where(x > 0.5, one, -one)
        h = binarise(self.bn1(self.fc1(x)), self.exporting)
        return self.bn2(self.fc2(h))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--out", default=os.path.join(REPO_ROOT, "examples", "fashion-bnn"))
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    train_x, train_y = load_fashion("train")
    test_x, test_y = load_fashion("t10k")

    torch.manual_seed(0)
    model = BNN()
    # Latent weights stay in [-1, 1] (where the straight-through gradient
    # is not cut off).
    def clip():
        with torch.no_grad():
            for w in (model.fc1.weight, model.fc2.weight):
                w.clamp_(-1, 1)

    train_classifier(model, train_x, train_y, test_x, test_y, 5e-3,
                     args.epochs, label="bnn epoch", after_step=clip)
    model.export_mode()
    acc10k = accuracy(model, test_x, test_y)
    acc1000 = accuracy(model, test_x[:TEST_IMAGES], test_y[:TEST_IMAGES])
    print(f"bnn: test accuracy {acc10k:.4f} (first {TEST_IMAGES}: {acc1000:.4f})")
    os.makedirs(args.out, exist_ok=True)
    export_with_test_data(model, torch.from_numpy(test_x[:SAMPLE_IMAGES]),
                          args.out, 0)
    with open(os.path.join(args.out, "float_accuracy.json"), "w") as f:
        json.dump({"bnn": {"test10k": acc10k, "test1000": acc1000}}, f,
                  indent=2, sort_keys=True)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
