"""cim: compile models for compute-in-memory macros and run them, from Python.

    import cim
    artifact = cim.compile("model.onnx", target="rram-ramp-adc",
                           calibration_data=images[:256], report=True)
    artifact.report["total"]["energy_pj"]     # the cost report, as a dict
    session = cim.Session(artifact, device="sim://quantized",
                          noise="rram-nominal", seed=1)
    out = session.run({"x": images})          # {"logits": ndarray, ...}
    session.stats()                           # device counters, energy, tiles
    session.cost()                            # the macro model's cost of the runs

A Session loads an artifact (a path, or its bytes), opens a device by URI
(sim://ideal, sim://quantized, board://HOST:PORT, ...) with device options
(noise, seed, drift_time, threads, calibrate) and programs its tiles once.
cim.compile runs cim-compile's driver in this process (the same code as
the command line, options as keywords). Errors raise cim.Error, whose
message is the compiler's or the runtime's (naming the file, node, input
or device) and whose `code` is the status code name.

The package is built by CMake into build/python/cim (the runtime's
extension module cim._cim beside this file); the scripts in this
directory are tools of their own (python/README.md).
"""

import json
import os
import tempfile
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import numpy as np

from ._cim import Error, IoSpec, Model, version  # noqa: F401
from . import _cim

__all__ = ["Artifact", "Error", "IoSpec", "Model", "NoiseModel", "Session",
           "compile", "load", "noise_presets", "plot_energy", "plot_sweep",
           "sweep", "targets", "version"]

if _cim.has_compiler:  # noise models and sweeps use the runtime's internals
    from ._sweeps import (NoiseModel, noise_presets, plot_energy,  # noqa: E402
                          plot_sweep, sweep)

_DEVICE_OPTIONS = ("noise", "seed", "drift_time", "threads", "calibrate")


class Artifact:
    """A compiled model: the .cimx bytes, the cost report (a dict, if asked
    for) and the compiler's warnings and remarks."""

    def __init__(self, data: bytes, report: Optional[Dict[str, Any]],
                 messages: str) -> None:
        self.data = data
        self.report = report
        self.messages = messages

    def save(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the artifact to `path` (a .cimx file)."""
        with open(path, "wb") as f:
            f.write(self.data)

    def __repr__(self) -> str:
        return "Artifact(%d bytes%s)" % (
            len(self.data), ", with a report" if self.report else "")


def _flags(options: Mapping[str, Any]) -> List[str]:
    """cim-compile flags of keyword options: key_name=value becomes
    --key-name=value, True --key-name, False --key-name=false, a list one
    flag per item."""
    flags = []
    for key, value in options.items():
        if value is None:
            continue
        flag = "--" + key.replace("_", "-")
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if item is True:
                flags.append(flag)
            elif item is False:
                flags.append(flag + "=false")
            else:
                flags.append("%s=%s" % (flag, item))
    return flags


def _raise(stderr: str) -> None:
    errors = [line[len("error: "):] for line in stderr.splitlines()
              if line.startswith("error: ")]
    error = Error(errors[0] if errors else stderr.strip() or "cim-compile failed")
    error.code = "INVALID_ARGUMENT"
    raise error


def compile(model: Any, target: str = "generic-rram", *,
            emit: str = "artifact", report: bool = False,
            calibration_data: Any = None, **options: Any
            ) -> Union[Artifact, str]:
    """Compiles an ONNX model (a path, its bytes, or an onnx.ModelProto) for
    `target` (a preset name or a JSON target file), in this process.

    Keyword options are cim-compile's flags (cim-compile --help) with
    underscores for dashes: place=["fc1.*=rom"], weight_bits=6,
    fuse_activations="off", rnn_on_arrays=False, macros=26, ...
    `calibration_data` is an array of representative inputs (or a .pb /
    .npy file or a directory of them). `report=True` attaches the cost
    report as a dict. `emit` "import", "cim" or "tiled" returns that
    stage's MLIR as text instead of an artifact.
    """
    if not hasattr(_cim, "compile"):
        raise Error("this build of cim has no compiler (runtime only)")
    with tempfile.TemporaryDirectory(prefix="cim-compile-") as work:
        if hasattr(model, "SerializeToString"):
            model = model.SerializeToString()
        if isinstance(model, (bytes, bytearray)):
            path = os.path.join(work, "model.onnx")
            with open(path, "wb") as f:
                f.write(model)
            model = path
        args = [os.fspath(model), "--target", os.fspath(target),
                "--emit=" + emit]
        if calibration_data is not None:
            if not isinstance(calibration_data, (str, os.PathLike)):
                path = os.path.join(work, "calibration.npy")
                np.save(path, np.ascontiguousarray(calibration_data,
                                                   dtype=np.float32))
                calibration_data = path
            args += ["--calibration-data", os.fspath(calibration_data)]
        report_path = os.path.join(work, "report.json")
        if report:
            args += ["--report", report_path]
        out_path = os.path.join(work, "model.cimx")
        args += ["-o", out_path if emit == "artifact" else "-"]
        args += _flags(options)
        code, stdout, stderr = _cim.compile(args)
        if code != 0:
            _raise(stderr)
        if emit != "artifact":
            return stdout.decode()
        with open(out_path, "rb") as f:
            data = f.read()
        parsed = None
        if report:
            with open(report_path) as f:
                parsed = json.load(f)
        return Artifact(data, parsed, stderr)


def targets() -> Dict[str, str]:
    """The target presets, by name, with their descriptions."""
    if not hasattr(_cim, "compile"):
        raise Error("this build of cim has no compiler (runtime only)")
    code, stdout, stderr = _cim.compile(["--list-targets"])
    if code != 0:
        _raise(stderr)
    result = {}
    for line in stdout.decode().splitlines():
        name, _, summary = line.partition(" ")
        result[name] = summary.strip()
    return result


def load(artifact: Union[str, bytes, "Model", Artifact]) -> Model:
    """The compiled model in `artifact`: a .cimx path, its bytes, an
    Artifact or a Model."""
    if isinstance(artifact, Model):
        return artifact
    if isinstance(artifact, Artifact):
        return Model.from_bytes(artifact.data)
    if isinstance(artifact, (bytes, bytearray)):
        return Model.from_bytes(bytes(artifact))
    return Model.from_file(str(artifact))


def _device_uri(device: str, options: Mapping[str, Any]) -> str:
    query = []
    for key, value in options.items():
        if key not in _DEVICE_OPTIONS:
            raise TypeError("unknown device option '%s' (known: %s)"
                            % (key, ", ".join(_DEVICE_OPTIONS)))
        if value is None:
            continue
        if isinstance(value, bool):
            value = int(value)
        query.append("%s=%s" % (key, value))
    if not query:
        return device
    return device + ("&" if "?" in device else "?") + "&".join(query)


class Session:
    """A compiled model on a device, its tiles programmed once.

    `device` is a device URI; a noise model (`noise`, a preset name or a
    JSON file) without an explicit device selects sim://quantized, as
    cim-run does. Other keyword arguments are device options (seed,
    drift_time, threads, calibrate).
    """

    def __init__(self, artifact: Union[str, bytes, Model, Artifact],
                 device: Optional[str] = None, noise: Optional[str] = None,
                 **device_options: Any) -> None:
        self.model = load(artifact)
        if device is None:
            device = "sim://quantized" if noise is not None else "sim://ideal"
        options = dict(noise=noise, **device_options)
        self._session = _cim.Session(self.model, _device_uri(device, options))

    @property
    def device(self) -> str:
        """The device's canonical URI."""
        return self._session.device

    @property
    def inputs(self) -> List[IoSpec]:
        return self.model.inputs

    @property
    def outputs(self) -> List[IoSpec]:
        return self.model.outputs

    def run(self, inputs: Union[Mapping[str, Any], Sequence[Any]]
            ) -> Dict[str, np.ndarray]:
        """Runs the model: inputs by name (a dict) or in order (a list) as
        arrays (converted to the declared element type when they are not of
        it); returns the outputs by name, as read-only arrays."""
        names = [spec.name for spec in self.model.inputs]
        if isinstance(inputs, Mapping):
            unknown = sorted(set(inputs) - set(names))
            if unknown:
                raise Error("the model has no input named '%s' (inputs: %s)"
                            % (unknown[0], ", ".join(names)))
            missing = [n for n in names if n not in inputs]
            if missing:
                raise Error("missing input '%s' (inputs: %s)"
                            % (missing[0], ", ".join(names)))
            ordered = [np.asarray(inputs[n]) for n in names]
        else:
            ordered = [np.asarray(a) for a in inputs]
        outputs = self._session.run(ordered)
        return {spec.name: value
                for spec, value in zip(self.model.outputs, outputs)}

    def stats(self) -> Dict[str, Any]:
        """The device's counters, energy (pJ) and latency (ns), what
        programming did to each tile, and a board's link counters."""
        return self._session.stats()

    def cost(self) -> Dict[str, Any]:
        """The macro model's cost of the runs so far (the compiler's report
        functions applied to the work that ran)."""
        return self._session.cost()
