"""Residual branches (ReBranch): express a fine-tuned model as its frozen
base model plus low-rank corrections, for ROM + SRAM compute-in-memory.

usage: /usr/bin/python3 python/scripts/rebranch.py BASE.onnx TUNED.onnx --rank R
                                               -o OUT.onnx [--min-change EPS]

For every MatMul, Gemm or Conv whose constant weight differs between the
base and the fine-tuned model (same graph, same initializer names), the
difference D = W_tuned - W_base (as the K x N matrix the product uses; a
convolution's kernel as its C x kernel inputs by M outputs) is
approximated by its rank-R truncated SVD, D ~ A B with A (K x R) and B
(R x N). The output model computes x W_base + (x A) B (for a convolution:
a convolution with the kernel's geometry and R outputs, then a 1x1
convolution to M; grouped convolutions are refused), and takes changed
biases from the tuned model (they are digital additions): W_base keeps its name (frozen:
`cim-compile` places it on ROM), A and B are new initializers NAME.rebranch_a
and NAME.rebranch_b (fine-tunable: compile with --tunable '.*\\.rebranch_[ab]'
to place them on SRAM). For each weight it prints the rank, the cells of
the branch against a full copy of the weight, and the residual error
||D - A B||_F / ||D||_F; it exits 1 with `error: FILE: ...` on bad input.
"""
import argparse
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def fail(path, message):
    print(f"error: {path}: {message}", file=sys.stderr)
    sys.exit(1)


def load(path):
    try:
        return onnx.load(path)
    except Exception as e:  # protobuf errors, missing files
        fail(path, f"cannot read the model: {e}")


def effective_weight(node, w):
    """The K x N matrix that multiplies x in `node` (Gemm's transB)."""
    if node.op_type == "Gemm":
        for a in node.attribute:
            if a.name == "transB" and a.i:
                return w.T
    return w


def conv_group(node):
    for a in node.attribute:
        if a.name == "group":
            return a.i
    return 1


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("base")
    p.add_argument("tuned")
    p.add_argument("--rank", type=int, required=True)
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--min-change", type=float, default=0.0,
                   help="leave weights whose relative change is at most this")
    args = p.parse_args(argv)
    if args.rank < 1:
        fail(args.output, "--rank must be at least 1")

    base, tuned = load(args.base), load(args.tuned)
    base_init = {t.name: t for t in base.graph.initializer}
    tuned_init = {t.name: numpy_helper.to_array(t) for t in tuned.graph.initializer}
    if set(base_init) != set(tuned_init):
        fail(args.tuned, "its initializers differ from the base model's by name")

    out = onnx.ModelProto()
    out.CopyFrom(base)
    graph = out.graph
    new_nodes, new_inits, branched, handled = [], [], 0, set()
    for node in graph.node:
        conv = node.op_type == "Conv"
        if node.op_type not in ("MatMul", "Gemm", "Conv") or len(node.input) < 2 \
                or node.input[1] not in base_init:
            new_nodes.append(node)
            continue
        name = node.input[1]
        handled.add(name)
        wb = numpy_helper.to_array(base_init[name]).astype(np.float64)
        wt = tuned_init[name].astype(np.float64)
        if wb.shape != wt.shape or (wb.ndim < 3 if conv else wb.ndim != 2):
            fail(args.tuned, f"initializer '{name}' has shape {wt.shape}, "
                             f"the base has {wb.shape}")
        if conv:
            # The kernel as the product the convolution computes: its
            # (C x kernel) inputs by M outputs.
            d = (wt - wb).reshape(wb.shape[0], -1).T
        else:
            d = effective_weight(node, wt - wb)
        norm = np.linalg.norm(d)
        if norm <= args.min_change * max(np.linalg.norm(wb), 1e-30):
            new_nodes.append(node)
            continue
        if conv and conv_group(node) != 1:
            fail(args.tuned, f"node '{node.name}' (Conv): a grouped convolution "
                             f"(group {conv_group(node)}) has no residual branch")
        u, s, vt = np.linalg.svd(d, full_matrices=False)
        r = min(args.rank, len(s))
        a = (u[:, :r] * s[:r]).astype(np.float32)      # K x r
        b = vt[:r, :].astype(np.float32)               # r x N
        residual = np.linalg.norm(d - a.astype(np.float64) @ b) / norm
        k, n = d.shape
        print(f"{name}: {k}x{n}, rank {r}: branch {r * (k + n)} weights "
              f"vs {k * n} ({100.0 * r * (k + n) / (k * n):.1f}%), "
              f"residual {residual:.3e}")
        a_name, b_name = name + ".rebranch_a", name + ".rebranch_b"
        if conv:
            # A: a convolution with the kernel's geometry and r outputs; B:
            # a 1x1 convolution from r channels to M.
            a = a.T.reshape((r,) + wb.shape[1:])
            b = b.T.reshape((n, r) + (1,) * (wb.ndim - 2))
        new_inits += [numpy_helper.from_array(a, a_name),
                      numpy_helper.from_array(b, b_name)]
        x, y = node.input[0], node.output[0]
        main_out, xa, branch = y + ".rebranch_main", y + ".rebranch_xa", \
            y + ".rebranch_branch"
        renamed = helper.make_node(node.op_type, list(node.input), [main_out],
                                   name=node.name)
        renamed.attribute.extend(node.attribute)
        if conv:
            kernel_attrs = [at for at in node.attribute if at.name != "group"]
            first = helper.make_node("Conv", [x, a_name], [xa],
                                     name=node.name + ".rebranch_a")
            first.attribute.extend(kernel_attrs)
            second = helper.make_node("Conv", [xa, b_name], [branch],
                                      name=node.name + ".rebranch_b")
        else:
            first = helper.make_node("MatMul", [x, a_name], [xa],
                                     name=node.name + ".rebranch_a")
            second = helper.make_node("MatMul", [xa, b_name], [branch],
                                      name=node.name + ".rebranch_b")
        new_nodes += [renamed, first, second,
                      helper.make_node("Add", [main_out, branch], [y],
                                       name=node.name + ".rebranch_add")]
        branched += 1
    # Biases (one value per output, added in the digital unit, not held in
    # arrays) are taken from the tuned model; any other change is lost, so
    # it is an error.
    for init in graph.initializer:
        if init.name in handled:
            continue
        wb = numpy_helper.to_array(init)
        wt = tuned_init[init.name]
        if wb.shape == wt.shape and np.array_equal(wb, wt):
            continue
        if wb.ndim != 1 or wb.shape != wt.shape:
            fail(args.tuned, f"initializer '{init.name}' differs from the base "
                             "model's and is neither a MatMul, Gemm or Conv "
                             "weight nor a bias")
        init.CopyFrom(numpy_helper.from_array(wt.astype(wb.dtype), init.name))
        print(f"{init.name}: bias of {wb.size} taken from the tuned model")
    del graph.node[:]
    graph.node.extend(new_nodes)
    graph.initializer.extend(new_inits)
    onnx.checker.check_model(out)
    onnx.save(out, args.output)
    print(f"{branched} weights with residual branches -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
