#!/usr/bin/python3
"""Train plain float Fashion-MNIST classifiers (MLP, LSTM, GRU, ODE-Net, CNNs) and export them.

Unlike train_lstm_fashion.py and train_ode_fashion.py, training here is
plain: Adam on the float loss, no weight noise and no quantisation, so the
models measure how well the compiler maps a model that was never made
hardware-aware. Each model is trained from torch.manual_seed(0), with Adam
on batches of 128 and a cosine-annealed learning rate (as the ODE-Net of
train_ode_fashion.py):

  mlp   Linear(784, 128) -> ReLU -> Linear(128, 10)
  lstm  nn.LSTM(28, 64) over the 28 image rows, Linear(64, 10) on the last step
  gru   nn.GRU(28, 48) likewise, Linear(48, 10)
  ode   projection 784 -> 32, an ODE block dh/dt = f(h) with
        f = Linear(32, 64) -> tanh -> Linear(64, 32) solved by 8 explicit
        Euler steps (dt = 1/8, unrolled by tracing), head 32 -> 10
  cnn   Conv2d(1, 8, 3, padding=1) -> ReLU -> MaxPool2d(2) ->
        Conv2d(8, 16, 3, padding=1) -> ReLU -> MaxPool2d(2) -> Flatten ->
        Linear(16*7*7, 10)
  rescnn  Conv2d(1, 16, 3, padding=1) -> ReLU -> MaxPool2d(2) -> one
        residual block y = relu(x + conv2(relu(conv1(x)))) (both convolutions
        16 -> 16, 3x3, padding 1) -> MaxPool2d(2) -> global average pooling
        (ONNX GlobalAveragePool) -> Flatten -> Linear(16, 10)

Every export takes one input `x`, float32 [N, 784] in [0, 1] (N dynamic; the
recurrent models reshape it to [N, 28, 28] inside the graph, the
convolutional ones to [N, 1, 28, 28]), and outputs `logits` [N, 10]
(opset 13). Written under --out (default examples/fashion-plain):

  NAME/model.onnx                      the exported model
  NAME/test_data_set_0/input_0.pb      the first 100 test images (x)
  NAME/test_data_set_0/output_0.pb     torch's logits for them
  data/test/input_0.pb                 the first 1000 test images, x [1000, 784]
  data/test/labels.pb                  their labels, int64 [1000]
  data/calibration/input_0.pb          256 training images, x [256, 784]: a
                                       subset drawn without replacement by
                                       numpy.random.default_rng(0), sorted
  float_accuracy.json                  {NAME: {"test10k": ..., "test1000": ...}}
                                       torch's top-1 accuracy

float_accuracy.json is merged with an existing one, so --models can retrain
some models only. Data: Debian's dataset-fashion-mnist
(/usr/share/datasets/fashion-mnist). Needs python3-torch; the exported
models and data are committed, so evaluation (python/scripts/plain_accuracy.py)
does not.

  /usr/bin/python3 python/scripts/models/train_plain_fashion.py
      [--models mlp,lstm,gru,ode,cnn,rescnn] [--epochs NAME=N ...] [--out DIR]
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import onnx
import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from common import (classifier_accuracy as accuracy, export_with_test_data,  # noqa: E402
                    load_fashion, train_classifier, write_tensor)

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
TEST_IMAGES, CALIBRATION_IMAGES, SAMPLE_IMAGES = 1000, 256, 100
ODE_STATE, ODE_HIDDEN, ODE_STEPS = 32, 64, 8
RES_CHANNELS = 16


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


class RowRNN(nn.Module):
    """An LSTM or GRU reading the image's 28 rows as time steps, with a
    linear head on the last step's output. The recurrent module is named
    after its cell, which names the exported node (/lstm/LSTM, /gru/GRU)."""

    def __init__(self, cell, hidden):
        super().__init__()
        self.cell = cell
        self.add_module(cell, {"lstm": nn.LSTM, "gru": nn.GRU}[cell](
            28, hidden, batch_first=True))
        self.head = nn.Linear(hidden, 10)

    def forward(self, x):
        y, _ = getattr(self, self.cell)(x.view(-1, 28, 28))
        return self.head(y[:, -1])


class ODEFunc(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(ODE_STATE, ODE_HIDDEN)
        self.l2 = nn.Linear(ODE_HIDDEN, ODE_STATE)

    def forward(self, h):
        return self.l2(torch.tanh(self.l1(h)))


class ODENet(nn.Module):
    """Projection, 8 explicit Euler steps of the ODE block (f's weights
    shared by the steps, unrolled when traced), head."""

    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(784, ODE_STATE)
        self.f = ODEFunc()
        self.head = nn.Linear(ODE_STATE, 10)

    def forward(self, x):
        h = self.proj(x)
        dt = 1.0 / ODE_STEPS
        for _ in range(ODE_STEPS):
            h = h + dt * self.f(h)
        return self.head(h)


class CNN(nn.Module):
    """Two 3x3 convolutions (8 and 16 channels), each followed by ReLU and
    2x2 max pooling, and a linear head on the flattened 16x7x7 features."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten())
        self.head = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        return self.head(self.features(x.view(-1, 1, 28, 28)))


class ResidualBlock(nn.Module):
    """y = relu(x + conv2(relu(conv1(x)))), both convolutions 3x3 with
    padding 1 and as many channels out as in."""

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return torch.relu(x + self.conv2(torch.relu(self.conv1(x))))


class ResCNN(nn.Module):
    """A 3x3 convolution to 16 channels, ReLU, 2x2 max pooling, one
    residual block, 2x2 max pooling, global average pooling (exported as
    GlobalAveragePool) and a linear head on the 16 averages."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, RES_CHANNELS, 3, padding=1),
                                  nn.ReLU(), nn.MaxPool2d(2))
        self.block = ResidualBlock(RES_CHANNELS)
        self.pool = nn.Sequential(nn.MaxPool2d(2), nn.AdaptiveAvgPool2d(1),
                                  nn.Flatten())
        self.head = nn.Linear(RES_CHANNELS, 10)

    def forward(self, x):
        return self.head(self.pool(self.block(self.stem(x.view(-1, 1, 28, 28)))))


# name: (constructor, epochs, Adam's initial learning rate)
MODELS = {
    "mlp": (MLP, 15, 1e-3),
    "lstm": (lambda: RowRNN("lstm", 64), 12, 3e-3),
    "gru": (lambda: RowRNN("gru", 48), 12, 3e-3),
    "ode": (ODENet, 20, 2e-3),
    "cnn": (CNN, 6, 2e-3),
    "rescnn": (ResCNN, 10, 2e-2),
}


def train(name, epochs, train_x, train_y, test_x, test_y):
    """Trains model `name` from seed 0 with Adam (batch 128, learning rate
    annealed to 0 over the epochs by a cosine schedule)."""
    make, _, lr = MODELS[name]
    torch.manual_seed(0)
    return train_classifier(make(), train_x, train_y, test_x, test_y, lr,
                            epochs, label=f"{name} epoch")


def write_data(out_dir, train_x, test_x, test_y):
    test = os.path.join(out_dir, "data", "test")
    calibration = os.path.join(out_dir, "data", "calibration")
    os.makedirs(test, exist_ok=True)
    os.makedirs(calibration, exist_ok=True)
    write_tensor(os.path.join(test, "input_0.pb"), test_x[:TEST_IMAGES], "x")
    write_tensor(os.path.join(test, "labels.pb"), test_y[:TEST_IMAGES], "labels")
    pick = np.sort(np.random.default_rng(0).choice(
        len(train_x), CALIBRATION_IMAGES, replace=False))
    write_tensor(os.path.join(calibration, "input_0.pb"), train_x[pick], "x")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=",".join(MODELS),
                    help="comma-separated subset of " + ",".join(MODELS))
    ap.add_argument("--epochs", action="append", default=[], metavar="NAME=N",
                    help="epochs of one model (repeatable; defaults: " +
                    ", ".join(f"{n} {e}" for n, (_, e, _) in MODELS.items()) + ")")
    ap.add_argument("--out", default=os.path.join(REPO_ROOT, "examples", "fashion-plain"))
    args = ap.parse_args()
    names = args.models.split(",")
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        ap.error(f"unknown models {unknown}; choose from {sorted(MODELS)}")
    epochs = {n: e for n, (_, e, _) in MODELS.items()}
    for spec in args.epochs:
        name, _, count = spec.partition("=")
        if name not in MODELS or not count.isdigit():
            ap.error(f"--epochs {spec}: expected NAME=N with NAME in {sorted(MODELS)}")
        epochs[name] = int(count)

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    train_x, train_y = load_fashion("train")
    test_x, test_y = load_fashion("t10k")
    write_data(args.out, train_x, test_x, test_y)

    acc_path = os.path.join(args.out, "float_accuracy.json")
    accs = {}
    if os.path.exists(acc_path):
        with open(acc_path) as f:
            accs = json.load(f)
    sample = torch.from_numpy(test_x[:SAMPLE_IMAGES])
    for name in names:
        start = time.time()
        model = train(name, epochs[name], train_x, train_y, test_x, test_y)
        seconds = time.time() - start
        path = export_with_test_data(model, sample, os.path.join(args.out, name),
                                     batch_axis=0)
        accs[name] = {"test10k": accuracy(model, test_x, test_y),
                      "test1000": accuracy(model, test_x[:TEST_IMAGES],
                                           test_y[:TEST_IMAGES])}
        ops = sorted({n.op_type for n in onnx.load(path).graph.node})
        print(f"{name}: {path} ({os.path.getsize(path)} bytes), ops {ops}; "
              f"{epochs[name]} epochs in {seconds:.0f} s; float accuracy "
              f"{accs[name]['test10k']:.4f} (10k), {accs[name]['test1000']:.4f} "
              f"(first {TEST_IMAGES})", flush=True)
    with open(acc_path, "w") as f:
        json.dump({n: accs[n] for n in MODELS if n in accs}, f, indent=1)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
