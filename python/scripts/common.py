"""Helpers shared by the evaluation, calibration and training scripts.

Run a tool and stop with its message if it fails, read and write ONNX
TensorProto files, load Debian's Fashion-MNIST (dataset-fashion-mnist),
cut a text into one-hot character sequences and score a language model's
logits in bits per character, and compile and run a recurrent model over
the readouts the RNN evaluations compare; for the training scripts, a
hardware-aware (weight-noise) training step, a classifier's training loop
and accuracy, and a torch export with test data. Numpy and onnx at import;
only the training helpers import torch, so the scripts that need no torch
stay free of it.
"""

import gzip
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from onnx import TensorProto, numpy_helper

FASHION_MNIST = "/usr/share/datasets/fashion-mnist"


def run(cmd):
    """Runs `cmd`; on failure prints `error: CMD: STDERR` and exits 1."""
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(f"error: {' '.join(cmd)}: {result.stderr.strip()}\n")
        sys.exit(1)
    return result


def read_tensor(path):
    """The tensor of a TensorProto file, and its name."""
    tensor = TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    return numpy_helper.to_array(tensor), tensor.name


def write_tensor(path, array, name):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(array, name).SerializeToString())


def load_idx(name):
    """One gzipped IDX file of the Fashion-MNIST package."""
    with gzip.open(os.path.join(FASHION_MNIST, name), "rb") as f:
        data = f.read()
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(data[3])]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def load_fashion(split, limit=None):
    """Images of a split ("train" or "t10k") as float32 [N, 784] in [0, 1],
    and their int64 labels; the first `limit` only if given."""
    images = load_idx(f"{split}-images-idx3-ubyte.gz")[:limit]
    labels = load_idx(f"{split}-labels-idx1-ubyte.gz")[:limit].astype(np.int64)
    return images.reshape(len(images), 784).astype(np.float32) / 255.0, labels


def rotate_images(images):
    """Each [N, 784] image rotated by 90 degrees counter-clockwise (the
    shifted task of the ReBranch CNN, examples/fashion-rebranch)."""
    return np.ascontiguousarray(
        np.rot90(images.reshape(-1, 28, 28), 1, axes=(1, 2))).reshape(-1, 784)


def fashion_test_inputs(test_images, work):
    """The test images a sweep scores and their labels: the first
    `test_images` of Debian's Fashion-MNIST test set (written to `work` as
    input_0.pb), or without a count the 1000 shipped in
    examples/fashion-plain/data/test. Returns (input path, labels,
    description)."""
    if test_images:
        images, labels = load_fashion("t10k", test_images)
        inputs = os.path.join(work, "input_0.pb")
        write_tensor(inputs, images, "x")
        return inputs, labels, f"the first {len(labels)} Fashion-MNIST test images"
    data = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), "examples", "fashion-plain", "data", "test")
    labels = read_tensor(os.path.join(data, "labels.pb"))[0]
    return (os.path.join(data, "input_0.pb"), labels,
            f"the {len(labels)} shipped test images")


def top1_on_device(runner, artifact, device, inputs, labels, work):
    """Top-1 accuracy of `artifact` run by `runner` (cim-run) on `device`
    with input x from `inputs`; its outputs go to a fresh directory in
    `work`."""
    out = tempfile.mkdtemp(dir=work)
    run([runner, artifact, "--device", device, "--input", f"x={inputs}",
         "--output-dir", out, "--quiet"])
    logits, _ = read_tensor(os.path.join(out, "output_0.pb"))
    return float(np.mean(np.argmax(logits, axis=1) == labels))


def encode_chars(text, vocab):
    """The indices of `text`'s characters in `vocab` (a list of single
    characters), as int64; exits with `error: ...` naming any character
    the vocabulary lacks."""
    index = {c: i for i, c in enumerate(vocab)}
    unknown = sorted(set(text) - set(index))
    if unknown:
        sys.stderr.write(f"error: characters not in the vocabulary: {unknown!r}\n")
        sys.exit(1)
    return np.array([index[c] for c in text], np.int64)


def char_sequences(text, vocab, length, limit=None):
    """A held-out text as character language-model sequences.

    Sequence i reads characters [i * length, (i + 1) * length) and is scored
    on predicting each one's successor, characters [i * length + 1,
    (i + 1) * length + 1), so every character after the first is predicted
    once. Returns the one-hot inputs, float32 [length, N, len(vocab)]
    (time-major, as the exported model takes them), and the targets, int64
    [N, length]; only the first `limit` sequences if given."""
    ids = encode_chars(text, vocab)
    count = (len(ids) - 1) // length
    if limit is not None:
        count = min(count, limit)
    inputs = ids[:count * length].reshape(count, length)
    targets = ids[1:count * length + 1].reshape(count, length)
    onehot = np.eye(len(vocab), dtype=np.float32)[inputs.T]
    return onehot, targets


def bits_per_char(logits, targets):
    """Mean cross-entropy in bits of logits [length, N, V] (time-major)
    against the next characters, targets [N, length]."""
    logits = np.asarray(logits, np.float64)
    top = logits.max(axis=2, keepdims=True)
    log_z = np.log(np.exp(logits - top).sum(axis=2)) + top[..., 0]
    picked = np.take_along_axis(logits, targets.T[..., None], axis=2)[..., 0]
    return float(np.mean(log_z - picked) / np.log(2))


def readout_configs(bits, target="rram-ramp-adc", ranges=None):
    """The readouts the RNN evaluations compare, as (label, cim-compile
    options): the LSTM lowered to arrays (--rnn-on-arrays) of
    `target` (default rram-ramp-adc) with each ramp resolution in `bits` (comma-separated; the
    gates' biases and activations fused into ramp readouts), and once
    unfused (the target's ADC plus digital activations). `ranges`: a
    calibrated ranges file (calibrate_ramps.py) for the ramps."""
    arrays = ["--rnn-on-arrays", "--target", target]
    calibrated = ["--ramp-ranges", ranges] if ranges else []
    configs = [(f"ramp {b} bits{' (calibrated)' if ranges else ''}",
                arrays + ["--ramp-bits", b] + calibrated)
               for b in bits.split(",")]
    configs.append(("ADC + digital", arrays + ["--fuse-activations=off"]))
    return configs


def sweep_readouts(bin_dir, work, model, inputs, score, configs, seeds, noise):
    """Compiles `model` once per (label, options) of `configs` (with a cost
    report) into `work`, runs it with `inputs` (name to .pb file) on the
    ideal simulator, the quantised one and with the `noise` preset for seeds
    1..`seeds`, and scores each run's first output with score(array).
    Returns rows (label, ideal, quantised, noisy mean, noisy std, energy in
    pJ and latency in ns per inference from the report)."""
    compiler = os.path.join(bin_dir, "cim-compile")
    runner = os.path.join(bin_dir, "cim-run")
    feeds = [arg for name, path in inputs.items() for arg in ("--input", f"{name}={path}")]
    rows = []
    for label, options in configs:
        base = os.path.join(work, label.replace(" ", "_").replace("+", ""))
        run([compiler, model, *options, "-o", base + ".cimx", "--report", base + ".json"])
        with open(base + ".json") as f:
            total = json.load(f)["total"]
        energy, latency = total["energy_pj"]["total"], total["latency_ns"]

        def measure(more, tag):
            out = f"{base}-{tag}"
            run([runner, base + ".cimx", *feeds, "--output-dir", out, "--quiet", *more])
            return score(read_tensor(os.path.join(out, "output_0.pb"))[0])

        ideal = measure([], "ideal")
        quant = measure(["--device", "sim://quantized"], "quant")
        noisy = [measure(["--noise", noise, "--seed", str(s)], f"s{s}")
                 for s in range(1, seeds + 1)]
        rows.append((label, ideal, quant, float(np.mean(noisy)),
                     float(np.std(noisy)), energy, latency))
    return rows


def print_readouts(rows, noise, seeds, markdown, fmt, per):
    """Prints sweep_readouts' rows, a markdown table if `markdown`; fmt
    formats a score, `per` names what the energy is for ("image")."""
    if markdown:
        print(f"| readout | ideal | quantised | {noise} ({seeds} seeds) | "
              f"energy pJ per {per} | latency ns per {per} (report) |")
        print("|---|---|---|---|---|---|")
    for label, ideal, quant, mean, std, energy, latency in rows:
        if markdown:
            print(f"| {label} | {fmt(ideal)} | {fmt(quant)} | "
                  f"{fmt(mean)} ± {fmt(std)} | {energy:.1f} | {latency:.0f} |")
        else:
            print(f"{label:22s} ideal {fmt(ideal)}  quantised {fmt(quant)}  "
                  f"{noise} {fmt(mean)} +- {fmt(std)}  energy {energy:.1f} pJ  "
                  f"latency {latency:.0f} ns")


def export_with_test_data(model, sample, folder, batch_axis):
    """Exports the torch `model` to folder/model.onnx (opset 13, input x,
    output logits, `batch_axis` dynamic) and writes test_data_set_0 with
    `sample` and torch's outputs. Needs python3-torch."""
    import onnx
    import torch
    data = os.path.join(folder, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    torch.onnx.export(model, (sample,), path, input_names=["x"],
                      output_names=["logits"],
                      dynamic_axes={"x": {batch_axis: "batch"},
                                    "logits": {batch_axis: "batch"}},
                      opset_version=13)
    onnx.checker.check_model(onnx.load(path))
    with torch.no_grad():
        out = model(sample).numpy()
    for name, array, file in (("x", sample.numpy(), "input_0.pb"),
                              ("logits", out, "output_0.pb")):
        write_tensor(os.path.join(data, file), array, name)
    return path


def classifier_accuracy(model, images, labels, *extra):
    """Top-1 accuracy of `model` (put in eval mode) on numpy `images`, with
    `extra` inputs after them. Needs python3-torch."""
    import torch
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(images), *extra)
    return float((logits.argmax(1).numpy() == labels).mean())


def train_classifier(model, train_x, train_y, test_x, test_y, lr, epochs,
                     label="epoch", after_step=None):
    """Trains `model` with Adam on cross-entropy (batches of 128 in a fresh
    random order each epoch, the learning rate `lr` annealed to 0 over the
    epochs by a cosine schedule), printing `label N:` with the last batch's
    loss and the test accuracy after each epoch; `after_step()`, if given,
    runs after every optimiser step. Returns the model in eval mode. Needs
    python3-torch."""
    import torch
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    loss_fn = torch.nn.CrossEntropyLoss()
    tx, ty = torch.from_numpy(train_x), torch.from_numpy(train_y)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(tx))
        for i in range(0, len(tx), 128):
            idx = perm[i:i + 128]
            opt.zero_grad()
            loss = loss_fn(model(tx[idx]), ty[idx])
            loss.backward()
            opt.step()
            if after_step:
                after_step()
        sched.step()
        print(f"{label} {epoch + 1}: loss {loss.item():.3f}, test accuracy "
              f"{classifier_accuracy(model, test_x, test_y):.4f}", flush=True)
    return model.eval()


def noisy_step(model, opt, loss_of, noise, clip=None):
    """One optimiser step of hardware-aware training: the gradients of
    loss_of() are taken at weights perturbed by Gaussian noise (sigma =
    noise * max |W| of each weight matrix) and applied to the clean weights,
    after clipping their norm to `clip` if given. Returns the loss. Needs
    python3-torch."""
    import torch
    clean = {}
    with torch.no_grad():
        for n, p in model.named_parameters():
            if "weight" in n and noise > 0:
                clean[n] = p.detach().clone()
                p.add_(noise * p.abs().max() * torch.randn_like(p))
    opt.zero_grad()
    loss = loss_of()
    loss.backward()
    with torch.no_grad():
        for n, p in model.named_parameters():
            if n in clean:
                p.copy_(clean[n])
    if clip is not None:
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    opt.step()
    return loss


def svg_lines(path, xs, series, title, xlabel):
    """A line plot of accuracy (fractions, shown in %) against xs, one line
    per entry of `series` ({label: [(mean, std), ...]}), with error bars of
    one standard deviation."""
    width, height, left, right, top, bottom = 560, 360, 60, 150, 30, 50
    x0, x1 = min(xs), max(xs)
    lows = [m - s for row in series.values() for m, s in row]
    y0 = max(0.0, np.floor(min(lows) * 10) / 10)
    y1 = 1.0

    def px(x):
        return left + (x - x0) / ((x1 - x0) or 1) * (width - left - right)

    def py(y):
        return top + (y1 - y) / ((y1 - y0) or 1) * (height - top - bottom)

    colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
           f'height="{height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="18">{title}</text>']
    for k in range(6):  # y grid
        y = y0 + (y1 - y0) * k / 5
        out.append(f'<line x1="{left}" y1="{py(y):.1f}" x2="{width - right}" '
                   f'y2="{py(y):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 45}" y="{py(y) + 4:.1f}">{100 * y:.0f}%</text>')
    for x in xs:  # x ticks
        out.append(f'<text x="{px(x) - 12:.1f}" y="{height - bottom + 18}">{x:g}</text>')
    out.append(f'<text x="{left}" y="{height - 12}">{xlabel}</text>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="black"/>')
    out.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" '
               f'y2="{height - bottom}" stroke="black"/>')
    for i, (label, row) in enumerate(series.items()):
        color = colors[i % len(colors)]
        points = " ".join(f"{px(x):.1f},{py(m):.1f}" for x, (m, _) in zip(xs, row))
        out.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>')
        for x, (m, s) in zip(xs, row):
            out.append(f'<line x1="{px(x):.1f}" y1="{py(m - s):.1f}" x2="{px(x):.1f}" '
                       f'y2="{py(m + s):.1f}" stroke="{color}"/>')
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(m):.1f}" r="3" fill="{color}"/>')
        ly = top + 20 + 18 * i
        out.append(f'<line x1="{width - right + 10}" y1="{ly}" x2="{width - right + 30}" '
                   f'y2="{ly}" stroke="{color}" stroke-width="2"/>')
        out.append(f'<text x="{width - right + 35}" y="{ly + 4}">{label}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
