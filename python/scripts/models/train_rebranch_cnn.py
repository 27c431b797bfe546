#!/usr/bin/python3
"""Fine-tune the plain Fashion-MNIST CNN on a shifted task, for the ROM + SRAM (ReBranch) flow.

The base model is examples/fashion-plain/cnn/model.onnx (plain float,
train_plain_fashion.py), loaded into torch with its own weights. The shifted
task is Fashion-MNIST with every image rotated by 90 degrees (counter-
clockwise): the same classes, but every edge the kernels learnt now runs
the other way, so the base model loses most of its accuracy. The whole
model (both convolutions, the head and the biases) is fine-tuned on the
rotated training images with Adam (learning rate 1e-3 annealed to 0 by a
cosine schedule, batches of 128, from torch.manual_seed(0)).

Then, for each rank r of --ranks, the base is frozen and only rank-r
updates A B of each product (and the biases) are trained, as residual
branches would be on SRAM (Adam, learning rate --branch-lr, the same
epochs and schedule; B starts at zero). The merged model (base + A B) is
exported like the fine-tuned one.

python/scripts/rebranch.py then turns base + tuned into the base's frozen
weights (ROM) plus rank-r branches (SRAM), by truncated SVD of the
update (exact for the branch-trained models); python/scripts/rebranch_cnn.py
measures them. Written under --out (default examples/fashion-rebranch):

  tuned/model.onnx                    the fine-tuned CNN (opset 13, x -> logits)
  tuned/test_data_set_0/              100 rotated test images and torch's logits
  branchR/model.onnx, test_data_set_0 the base plus trained rank-R updates, merged
  float_accuracy.json                 torch's top-1 accuracy of the base and
                                      the tuned model on rotated and upright
                                      test images (10k and the first 1000)

Needs python3-torch; the outputs are committed, so evaluation does not.

  /usr/bin/python3 python/scripts/models/train_rebranch_cnn.py [--epochs N]
      [--ranks 1,2,4] [--branch-lr LR] [--out DIR]
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
from common import rotate_images as rotate  # noqa: E402
from common import (classifier_accuracy as accuracy, export_with_test_data,  # noqa: E402
                    load_fashion, train_classifier)
from train_plain_fashion import CNN  # noqa: E402

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PLAIN = os.path.join(REPO_ROOT, "examples", "fashion-plain")
TEST_IMAGES = 1000
SAMPLE_IMAGES = 100


def load_base(path):
    """The CNN with the initializers of the ONNX model at `path`."""
    model = CNN()
    weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy())
               for t in onnx.load(path).graph.initializer}
    state = model.state_dict()
    missing = set(state) - set(weights)
    if missing:
        sys.exit(f"error: {path}: no initializers for {sorted(missing)}")
    model.load_state_dict({k: weights[k] for k in state})
    return model.eval()


class BranchedCNN(nn.Module):
    """The base CNN frozen, each of its products (both convolutions and the
    head) with a trainable rank-`rank` update A B (A: inputs x rank, from a
    small random start; B: rank x outputs, from zero, so training starts
    at the base model) and trainable biases (digital additions)."""

    LAYERS = (("features.0", 1), ("features.3", 1), ("head", 0))

    def __init__(self, base, rank):
        super().__init__()
        self.base = base
        for p in base.parameters():
            p.requires_grad_(False)
        self.a, self.b, self.bias = nn.ParameterDict(), nn.ParameterDict(), nn.ParameterDict()
        for name, _ in self.LAYERS:
            w = self.module(name).weight
            k, n = w[0].numel(), w.shape[0]
            key = name.replace(".", "_")
            self.a[key] = nn.Parameter(torch.randn(k, rank) / k ** 0.5)
            self.b[key] = nn.Parameter(torch.zeros(rank, n))
            self.bias[key] = nn.Parameter(self.module(name).bias.detach().clone())

    def module(self, name):
        return self.base.get_submodule(name)

    def weight(self, name):
        key, w = name.replace(".", "_"), self.module(name).weight
        return w + (self.a[key] @ self.b[key]).T.reshape(w.shape)

    def forward(self, x):
        x = x.view(-1, 1, 28, 28)
        for name, pad in self.LAYERS[:2]:
            x = F.max_pool2d(F.relu(F.conv2d(x, self.weight(name),
                                             self.bias[name.replace(".", "_")],
                                             padding=pad)), 2)
        return F.linear(x.flatten(1), self.weight("head"), self.bias["head"])

    def merged(self):
        """A CNN with the base weights plus the updates (what rebranch.py
        splits again into base and branches)."""
        model = CNN()
        with torch.no_grad():
            for name, _ in self.LAYERS:
                model.get_submodule(name).weight.copy_(self.weight(name))
                model.get_submodule(name).bias.copy_(self.bias[name.replace(".", "_")])
        return model.eval()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--ranks", default="1,2,4",
                    help="ranks of the branch-trained models (empty: none)")
    ap.add_argument("--branch-lr", type=float, default=3e-3)
    ap.add_argument("--out", default=os.path.join(REPO_ROOT, "examples", "fashion-rebranch"))
    args = ap.parse_args()

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    train_x, train_y = load_fashion("train")
    test_x, test_y = load_fashion("t10k")
    rtrain_x, rtest_x = rotate(train_x), rotate(test_x)

    base_path = os.path.join(PLAIN, "cnn", "model.onnx")
    base = load_base(base_path)
    accs = {"base": {"rotated10k": accuracy(base, rtest_x, test_y),
                     "rotated1000": accuracy(base, rtest_x[:TEST_IMAGES], test_y[:TEST_IMAGES]),
                     "upright10k": accuracy(base, test_x, test_y)}}
    print(f"base {base_path}: rotated {accs['base']['rotated10k']:.4f}, upright "
          f"{accs['base']['upright10k']:.4f} (10k)", flush=True)

    torch.manual_seed(0)
    start = time.time()
    tuned = train_classifier(load_base(base_path), rtrain_x, train_y, rtest_x, test_y,
                             1e-3, args.epochs, label="fine-tuning epoch")
    seconds = time.time() - start
    accs["tuned"] = {"rotated10k": accuracy(tuned, rtest_x, test_y),
                     "rotated1000": accuracy(tuned, rtest_x[:TEST_IMAGES], test_y[:TEST_IMAGES]),
                     "upright10k": accuracy(tuned, test_x, test_y)}

    sample = torch.from_numpy(rtest_x[:SAMPLE_IMAGES])
    path = export_with_test_data(tuned, sample, os.path.join(args.out, "tuned"), batch_axis=0)
    for rank in [int(r) for r in args.ranks.split(",") if r]:
        torch.manual_seed(0)
        start = time.time()
        branched = train_classifier(BranchedCNN(load_base(base_path), rank), rtrain_x,
                                    train_y, rtest_x, test_y, args.branch_lr, args.epochs,
                                    label=f"rank-{rank} branches epoch")
        merged = branched.merged()
        name = f"branch{rank}"
        accs[name] = {"rotated10k": accuracy(merged, rtest_x, test_y),
                      "rotated1000": accuracy(merged, rtest_x[:TEST_IMAGES],
                                              test_y[:TEST_IMAGES]),
                      "upright10k": accuracy(merged, test_x, test_y)}
        export_with_test_data(merged, sample, os.path.join(args.out, name), batch_axis=0)
        print(f"{name}: rank-{rank} branches trained in {time.time() - start:.0f} s; "
              f"rotated {accs[name]['rotated10k']:.4f} (10k)", flush=True)
    with open(os.path.join(args.out, "float_accuracy.json"), "w") as f:
        json.dump(accs, f, indent=1)
        f.write("\n")
    print(f"tuned: {path}; {args.epochs} epochs in {seconds:.0f} s; rotated "
          f"{accs['tuned']['rotated10k']:.4f}, upright {accs['tuned']['upright10k']:.4f} (10k)",
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
