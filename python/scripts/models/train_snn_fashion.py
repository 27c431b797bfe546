#!/usr/bin/python3
"""Train a spiking MLP on Fashion-MNIST and export it unrolled, as SNN exports are written.

The network (torch.manual_seed(0); Adam from 2e-3, batches of 128,
cosine-annealed learning rate; surrogate gradients, no noise or
quantisation), over T = 10 time steps:

  I1 = W1 x + b1                      the image as a constant input current
  for t in 1..T:
    v1 = beta * v1 + I1               leaky integrate-and-fire, beta = 0.9
    s1 = Cast(Greater(v1, theta))     a spike where v1 > theta = 1
    v1 = v1 - s1 * theta              reset by subtraction
    o  = o + W2 s1 + b2               a non-spiking integrator readout
  logits = o / T, spikes = sum_t s1   (the hidden layer's spike counts)

Training takes the spike's gradient as a fast sigmoid's (slope 5). The
export writes the inference graph unrolled over the T steps (torch.onnx,
opset 13): MatMul, Mul, Add, Greater, Cast, Sub. One input `x`, float32
[N, 784] in [0, 1] (N dynamic); outputs `logits` [N, 10] and `spikes`
[N, 256]. Written under --out (default examples/fashion-snn):

  model.onnx                   the exported model
  test_data_set_0/input_0.pb   the first 100 test images (x)
  test_data_set_0/output_0.pb  torch's logits for them
  test_data_set_0/output_1.pb  torch's hidden spike counts for them
  float_accuracy.json          {"snn": {"test10k": ..., "test1000": ...,
                                "spikes_per_image": ...}}

The 1000 test images and their labels are examples/fashion-plain/data/test
(the same first 1000 images). Data: Debian's dataset-fashion-mnist. Needs
python3-torch; the exported model and data are committed.

  /usr/bin/python3 python/scripts/models/train_snn_fashion.py [--epochs N] [--out DIR]
"""

import argparse
import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from common import (classifier_accuracy as accuracy, load_fashion,  # noqa: E402
                    train_classifier, write_tensor)

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
HIDDEN, STEPS, SAMPLE_IMAGES, TEST_IMAGES = 256, 10, 100, 1000
BETA, THETA, SLOPE = 0.9, 1.0, 5.0


class Spike(torch.autograd.Function):
    """Heaviside of v - theta; the gradient of a fast sigmoid."""

    @staticmethod
    def forward(ctx, u):
        ctx.save_for_backward(u)
        return (u > 0).float()

    @staticmethod
    def backward(ctx, grad):
        (u,) = ctx.saved_tensors
        return grad / (SLOPE * u.abs() + 1.0) ** 2


class SNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, HIDDEN)
        self.fc2 = nn.Linear(HIDDEN, 10)
        self.exporting = False
        self.with_spikes = False

    def forward(self, x):
        # float32 constants (Python floats would export as doubles)
        beta = torch.tensor(BETA, dtype=torch.float32)
        theta = torch.tensor(THETA, dtype=torch.float32)
        current = self.fc1(x)
        v = torch.zeros_like(current)
        out = torch.zeros(x.shape[0], 10, dtype=torch.float32)
        count = torch.zeros_like(current)
        for _ in range(STEPS):
            v = beta * v + current
            s = (v > theta).float() if self.exporting else Spike.apply(v - theta)
            v = v - s * theta
            out = out + self.fc2(s)
            count = count + s
        logits = out / torch.tensor(float(STEPS), dtype=torch.float32)
        return (logits, count) if self.with_spikes else logits


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--out", default=os.path.join(REPO_ROOT, "examples", "fashion-snn"))
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    train_x, train_y = load_fashion("train")
    test_x, test_y = load_fashion("t10k")

    torch.manual_seed(0)
    model = SNN()
    train_classifier(model, train_x, train_y, test_x, test_y, 2e-3,
                     args.epochs, label="snn epoch")
    model.exporting = True
    acc10k = accuracy(model, test_x, test_y)
    acc1000 = accuracy(model, test_x[:TEST_IMAGES], test_y[:TEST_IMAGES])
    model.with_spikes = True
    with torch.no_grad():
        _, counts = model(torch.from_numpy(test_x))
    spikes = float(counts.sum(1).mean())
    print(f"snn: test accuracy {acc10k:.4f} (first {TEST_IMAGES}: {acc1000:.4f}), "
          f"{spikes:.1f} hidden spikes per image")

    os.makedirs(args.out, exist_ok=True)
    data = os.path.join(args.out, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    path = os.path.join(args.out, "model.onnx")
    sample = torch.from_numpy(test_x[:SAMPLE_IMAGES])
    torch.onnx.export(model, (sample,), path, input_names=["x"],
                      output_names=["logits", "spikes"],
                      dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"},
                                    "spikes": {0: "batch"}},
                      opset_version=13)
    import onnx
    onnx.checker.check_model(onnx.load(path))
    with torch.no_grad():
        logits, counts = model(sample)
    write_tensor(os.path.join(data, "input_0.pb"), sample.numpy(), "x")
    write_tensor(os.path.join(data, "output_0.pb"), logits.numpy(), "logits")
    write_tensor(os.path.join(data, "output_1.pb"), counts.numpy(), "spikes")
    with open(os.path.join(args.out, "float_accuracy.json"), "w") as f:
        json.dump({"snn": {"test10k": acc10k, "test1000": acc1000,
                           "spikes_per_image": spikes}}, f, indent=2,
                  sort_keys=True)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
