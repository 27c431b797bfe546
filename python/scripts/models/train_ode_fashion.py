#!/usr/bin/python3
"""Train an ODE-Net classifier on Fashion-MNIST and export it three ways.

The model: a projection x (784) -> h0 (32), an ODE block dh/dt = f(h) with
f = Linear(32, 64) -> tanh -> Linear(64, 32) solved over t in [0, 1], and a
linear head h(1) -> 10 logits. It is trained with 8 explicit Euler steps
(dt = 1/8), with Gaussian weight noise (4% of each layer's largest weight,
redrawn every batch) so that it tolerates analog errors, and exported as:

  ode_euler   the 8 Euler steps unrolled by tracing (f's weights shared)
  ode_rk4     the same f solved with 4 classic RK4 steps (dt = 1/4),
              unrolled by tracing
  ode_loop    the Euler steps as an ONNX Loop whose trip count is the int64
              scalar input `steps` (torch.jit.script), 8 in the test data

Each goes to examples/fashion-ode/NAME/model.onnx with test_data_set_0
holding the first 100 test images and torch's outputs for them.
examples/fashion-ode/float_accuracy.json records torch's accuracy of each
export on the 10k test images.

Data: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
Needs python3-torch; the exported models and data are committed, so tests
and evaluation do not.

  /usr/bin/python3 python/scripts/models/train_ode_fashion.py [--epochs 15]
      [--weight-noise 0.04] [--out DIR]
"""

import argparse
import json
import os
import sys

import numpy as np
import onnx
import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from common import (classifier_accuracy as accuracy, load_fashion,  # noqa: E402
                    train_classifier, write_tensor)

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
STATE, HIDDEN, STEPS = 32, 64, 8


class NoisyLinear(nn.Linear):
    """nn.Linear that, while training, perturbs its weights with Gaussian
    noise of sigma `noise` times the largest |weight| (hardware-aware
    training: the trained weights tolerate analog programming and read
    errors). In eval mode, and in the exported ONNX Gemm, it is nn.Linear."""

    noise = 0.0

    def forward(self, x):
        w = self.weight
        if self.training and NoisyLinear.noise > 0:
            w = w + NoisyLinear.noise * w.detach().abs().max() * torch.randn_like(w)
        return nn.functional.linear(x, w, self.bias)


class ODEFunc(nn.Module):
    def __init__(self, linear=NoisyLinear):
        super().__init__()
        self.l1 = linear(STATE, HIDDEN)
        self.l2 = linear(HIDDEN, STATE)

    def forward(self, h):
        return self.l2(torch.tanh(self.l1(h)))


class ODENet(nn.Module):
    """Projection, ODE block solved by `solver` in `steps` steps, head."""

    def __init__(self, solver="euler", steps=STEPS):
        super().__init__()
        self.proj = NoisyLinear(784, STATE)
        self.f = ODEFunc()
        self.head = NoisyLinear(STATE, 10)
        self.solver, self.steps = solver, steps

    def forward(self, x):
        h = self.proj(x)
        dt = 1.0 / self.steps
        for _ in range(self.steps):
            if self.solver == "euler":
                h = h + dt * self.f(h)
            else:  # classic RK4
                k1 = self.f(h)
                k2 = self.f(h + 0.5 * dt * k1)
                k3 = self.f(h + 0.5 * dt * k2)
                k4 = self.f(h + dt * k3)
                h = h + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        return self.head(h)


class LoopODENet(nn.Module):
    """The Euler ODENet with a runtime step count: scripted, its loop
    becomes an ONNX Loop whose trip count is the input `steps`."""

    def __init__(self):
        super().__init__()
        # Plain nn.Linear (same parameters): TorchScript compiles it.
        self.proj = nn.Linear(784, STATE)
        self.f = ODEFunc(nn.Linear)
        self.head = nn.Linear(STATE, 10)
        self.dt = 1.0 / STEPS

    def forward(self, x, steps):
        h = self.proj(x)
        for _ in range(int(steps)):
            h = h + self.dt * self.f(h)
        return self.head(h)


def export(model, args, input_names, out_dir, name, dynamic_axes):
    folder = os.path.join(out_dir, name)
    data = os.path.join(folder, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    torch.onnx.export(model, args, path, input_names=input_names,
                      output_names=["logits"], dynamic_axes=dynamic_axes,
                      opset_version=13)
    onnx.checker.check_model(onnx.load(path))
    with torch.no_grad():
        out = model(*args).numpy()
    for i, (n, a) in enumerate(zip(input_names, args)):
        write_tensor(os.path.join(data, f"input_{i}.pb"), a.numpy(), n)
    write_tensor(os.path.join(data, "output_0.pb"), out, "logits")
    ops = sorted({n.op_type for n in onnx.load(path).graph.node})
    print(f"{name}: {path} ({os.path.getsize(path)} bytes), ops {ops}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--weight-noise", type=float, default=0.04,
                    help="training-time weight noise, relative to max |W|")
    ap.add_argument("--out", default=os.path.join(REPO_ROOT, "examples", "fashion-ode"))
    args = ap.parse_args()
    torch.manual_seed(0)
    np.random.seed(0)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    train_x, train_y = load_fashion("train")
    test_x, test_y = load_fashion("t10k")

    NoisyLinear.noise = args.weight_noise
    model = train_classifier(ODENet(), train_x, train_y, test_x, test_y,
                             lr=2e-3, epochs=args.epochs)

    # The three exports share the trained weights.
    euler = model.eval()
    rk4 = ODENet("rk4", steps=4)
    rk4.load_state_dict(model.state_dict())
    rk4.eval()
    loop = LoopODENet()
    loop.load_state_dict(model.state_dict())
    loop = torch.jit.script(loop.eval())
    steps = torch.tensor(STEPS, dtype=torch.int64)
    sample = torch.from_numpy(test_x[:100])
    batch = {"x": {0: "batch"}, "logits": {0: "batch"}}
    export(euler, (sample,), ["x"], args.out, "ode_euler", batch)
    export(rk4, (sample,), ["x"], args.out, "ode_rk4", batch)
    export(loop, (sample, steps), ["x", "steps"], args.out, "ode_loop", batch)
    accs = {"ode_euler": accuracy(euler, test_x, test_y),
            "ode_rk4": accuracy(rk4, test_x, test_y),
            "ode_loop": accuracy(loop, test_x, test_y, steps)}
    with open(os.path.join(args.out, "float_accuracy.json"), "w") as f:
        json.dump({"test_images": len(test_y), "accuracy": accs,
                   "epochs": args.epochs, "weight_noise": args.weight_noise,
                   "state": STATE, "hidden": HIDDEN,
                   "euler_steps": STEPS, "rk4_steps": 4}, f, indent=1)
    print("float accuracy on the 10k test images:", accs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
