"""Noise models as objects, sweeps over noise and target fields, and plots.

cim.NoiseModel is a noise model (docs/Simulator.md) as a dict of its fields
that round-trips to the JSON files the simulator reads. cim.sweep runs an
artifact over a grid of noise-model and target fields and seeds; every
point is a task that ships the artifact's bytes and its slice of the grid
and compiles nothing, so it runs on any concurrent.futures.Executor (or a
dask.distributed.Client) as well as serially.
"""

import concurrent.futures
import itertools
import json
import os
import tempfile
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence

import numpy as np

from . import _cim


class NoiseModel(dict):
    """A noise model: its fields by name (read_sigma, prog_sigma_rel,
    stuck_on_rate, adc_offset_sigma_lsb, ...), as the JSON files hold them."""

    @classmethod
    def preset(cls, name: str) -> "NoiseModel":
        """A preset: "ideal", "rram-nominal", "rram-worst"."""
        return cls(json.loads(_cim.noise_model_json(name)))

    @classmethod
    def load(cls, path: str) -> "NoiseModel":
        """A JSON file, checked as the simulator checks it."""
        return cls(json.loads(_cim.noise_model_json(os.fspath(path))))

    def save(self, path: str) -> None:
        """Writes the JSON file the simulator reads (--noise FILE)."""
        with open(path, "w") as f:
            json.dump(self, f, indent=1, sort_keys=True)
            f.write("\n")

    def replace(self, **fields: Any) -> "NoiseModel":
        """A copy with `fields` changed; unknown fields are refused when the
        model is used."""
        out = NoiseModel(self)
        out.update(fields)
        return out


def noise_presets() -> List[str]:
    """The noise presets' names."""
    return list(_cim.noise_presets())


def _top1(outputs: Mapping[str, np.ndarray], labels: np.ndarray) -> float:
    for value in outputs.values():
        if value.ndim == 2 and value.shape[0] == len(labels):
            return float(np.mean(np.argmax(value, axis=1) == labels))
    raise _cim.Error("no output is [%d, C] scores to take the top-1 of"
                     % len(labels))


def _evaluate(artifact: bytes, noise: Dict[str, Any], target: Dict[str, Any],
              seed: int, inputs: Dict[str, np.ndarray], labels: np.ndarray
              ) -> Dict[str, Any]:
    """One point of a sweep (a task: module-level, so that it pickles)."""
    from . import Session  # late: workers import the package themselves
    data = _cim.with_target(artifact, target) if target else artifact
    with tempfile.TemporaryDirectory(prefix="cim-sweep-") as work:
        path = os.path.join(work, "noise.json")
        NoiseModel(noise).save(path)
        session = Session(data, noise=path, seed=seed)
        outputs = session.run(inputs)
        cost = session.cost()
    return {"accuracy": _top1(outputs, labels),
            "energy_pj": cost["energy_pj"]["total"] / len(labels),
            "latency_ns": cost["latency_ns"] / len(labels)}


def sweep(artifact: Any, inputs: Mapping[str, Any], labels: Any,
          over: Mapping[str, Sequence[Any]], seeds: int = 5,
          noise: Any = "rram-nominal", executor: Any = None,
          progress: bool = True) -> List[Dict[str, Any]]:
    """Top-1 accuracy (and energy and latency per inference) of `artifact`
    on `inputs` against `labels`, over every combination of the values in
    `over` and `seeds` seeds (0 .. seeds-1).

    Keys of `over` are noise-model fields ("read_sigma") or target fields
    prefixed "target." ("target.adc_bits"); `noise` is the base model (a
    preset name, a file or a NoiseModel). Returns one row per point and
    seed: the swept values, "seed", "accuracy", "energy_pj", "latency_ns",
    in grid order.

    `executor` runs the points: any concurrent.futures.Executor, or a
    dask.distributed.Client; None runs them here, one after the other.
    """
    data = _artifact_bytes(artifact)
    base = noise if isinstance(noise, NoiseModel) else (
        NoiseModel.preset(noise) if noise in noise_presets()
        else NoiseModel.load(noise))
    arrays = {k: np.ascontiguousarray(v) for k, v in inputs.items()}
    labels = np.asarray(labels).astype(np.int64).reshape(-1)
    keys = list(over)
    points = [dict(zip(keys, values))
              for values in itertools.product(*(over[k] for k in keys))]
    tasks = []
    for point in points:
        noise_fields = {k: v for k, v in point.items()
                        if not k.startswith("target.")}
        target_fields = {k[len("target."):]: v for k, v in point.items()
                         if k.startswith("target.")}
        unknown = sorted(set(noise_fields) - set(base) - _NOISE_FIELDS)
        if unknown:
            raise _cim.Error("'%s' is not a noise-model field (fields: %s); "
                             "target fields are 'target.NAME'"
                             % (unknown[0], ", ".join(sorted(_NOISE_FIELDS))))
        for seed in range(seeds):
            tasks.append((point, seed, (data, dict(base, **noise_fields),
                                        target_fields, seed, arrays, labels)))
    bar = _progress(len(tasks), progress)
    results: List[Optional[Dict[str, Any]]] = [None] * len(tasks)
    if executor is None:
        for i, (_, _, args) in enumerate(tasks):
            results[i] = _evaluate(*args)
            bar.update(1)
    else:
        if hasattr(executor, "get_executor"):  # a dask.distributed.Client
            executor = executor.get_executor()
        futures = {executor.submit(_evaluate, *args): i
                   for i, (_, _, args) in enumerate(tasks)}
        for future in concurrent.futures.as_completed(futures):
            results[futures[future]] = future.result()
            bar.update(1)
    bar.close()
    rows = []
    for (point, seed, _), result in zip(tasks, results):
        row = dict(point)
        row["seed"] = seed
        row.update(result)
        rows.append(row)
    return rows


# The fields of a noise model (runtime/proto/noise.proto's NoiseModel).
_NOISE_FIELDS = set(json.loads(_cim.noise_model_json("rram-worst")))


def _artifact_bytes(artifact: Any) -> bytes:
    if isinstance(artifact, (bytes, bytearray)):
        return bytes(artifact)
    if hasattr(artifact, "data"):  # a cim.Artifact
        return artifact.data
    with open(os.fspath(artifact), "rb") as f:
        return f.read()


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, show: bool):
    if not show:
        return _NoBar()
    try:
        from tqdm import tqdm
    except ImportError:  # python3-tqdm is optional
        return _NoBar()
    return tqdm(total=total, unit="point", desc="cim.sweep")


def plot_sweep(rows: Sequence[Mapping[str, Any]], x: str,
               hue: Optional[str] = None, path: Optional[str] = None,
               metric: str = "accuracy"):
    """Mean and spread (over seeds) of `metric` against the swept field `x`,
    one line per value of `hue`; writes `path` (PNG, SVG, PDF) if given and
    returns the matplotlib figure."""
    import matplotlib
    if path:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4))
    groups = sorted({r[hue] for r in rows}) if hue else [None]
    for g in groups:
        xs = sorted({r[x] for r in rows if hue is None or r[hue] == g})
        means, spreads = [], []
        for value in xs:
            ys = [r[metric] for r in rows
                  if r[x] == value and (hue is None or r[hue] == g)]
            means.append(np.mean(ys))
            spreads.append(np.std(ys))
        label = None if hue is None else "%s = %s" % (hue, g)
        ax.errorbar(xs, means, yerr=spreads, marker="o", capsize=3, label=label)
    ax.set_xlabel(x)
    ax.set_ylabel(metric + " (mean and std over seeds)")
    ax.grid(alpha=0.3)
    if hue:
        ax.legend()
    fig.tight_layout()
    if path:
        fig.savefig(path)
    return fig


def plot_energy(energy_pj: Mapping[str, float], path: Optional[str] = None,
                title: str = "energy per inference"):
    """A bar chart of an energy breakdown (a report's or a session's
    energy_pj dict, without its total); writes `path` if given."""
    import matplotlib
    if path:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    parts = {k: v for k, v in energy_pj.items() if k != "total" and v > 0}
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.bar(list(parts), list(parts.values()))
    ax.set_ylabel("pJ")
    ax.set_title(title)
    fig.tight_layout()
    if path:
        fig.savefig(path)
    return fig
