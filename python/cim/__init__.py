"""cim: run compiled compute-in-memory models from Python, numpy in and out.

    import cim
    session = cim.Session("model.cimx", device="sim://quantized",
                          noise="rram-nominal", seed=1)
    out = session.run({"x": images})          # {"logits": ndarray, ...}
    session.stats()                           # device counters, energy, tiles
    session.cost()                            # the macro model's cost of the runs

A Session loads an artifact (a path, or its bytes), opens a device by URI
(sim://ideal, sim://quantized, board://HOST:PORT, ...) with device options
(noise, seed, drift_time, threads, calibrate) and programs its tiles once.
Errors raise cim.Error, whose message is the runtime's (naming the file,
input or device) and whose `code` is the status code name.

The package is built by CMake into build/python/cim (the runtime's
extension module cim._cimrt beside this file); the scripts in this
directory are tools of their own (python/README.md).
"""

from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import numpy as np

from ._cimrt import Error, IoSpec, Model, version  # noqa: F401
from . import _cimrt

__all__ = ["Error", "IoSpec", "Model", "Session", "load", "version"]

_DEVICE_OPTIONS = ("noise", "seed", "drift_time", "threads", "calibrate")


def load(artifact: Union[str, bytes, "Model"]) -> Model:
    """The compiled model in `artifact`: a .cimx path, its bytes, or a Model."""
    if isinstance(artifact, Model):
        return artifact
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

    def __init__(self, artifact: Union[str, bytes, Model],
                 device: Optional[str] = None, noise: Optional[str] = None,
                 **device_options: Any) -> None:
        self.model = load(artifact)
        if device is None:
            device = "sim://quantized" if noise is not None else "sim://ideal"
        options = dict(noise=noise, **device_options)
        self._session = _cimrt.Session(self.model, _device_uri(device, options))

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
