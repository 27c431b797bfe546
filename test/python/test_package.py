"""The cim Python package against the command line, on shipped examples.

cim.compile must give the bytes and the report cim-compile gives for the
same options (a path, bytes or an onnx.ModelProto; calibration data as an
array);

Run by ctest with the build tree's package on PYTHONPATH and CIM_BIN naming
the directory of cim-compile and cim-run. For the same artifact, device,
noise model and seed, cim.Session's outputs must equal cim-run's bit for
bit (float32 and int64 inputs, ideal, quantized and noisy devices); its
counters must equal the device's as cim-run reports them; errors raise
cim.Error with the runtime's message and status code.
"""

import json
import os
import re
import subprocess
import tempfile
import unittest

import numpy as np
import onnx
from onnx import numpy_helper

import cim

BIN = os.environ["CIM_BIN"]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def tensor(path):
    return numpy_helper.to_array(onnx.load_tensor(path))


class PackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.TemporaryDirectory()
        cls.artifacts = {}
        for name, model, options in [
                ("digits", "examples/digits-mlp", []),
                ("loop", "examples/fashion-ode/ode_loop", ["--target", "rram-ode-40nm"])]:
            path = os.path.join(cls.work.name, name + ".cimx")
            subprocess.run([os.path.join(BIN, "cim-compile"),
                            os.path.join(ROOT, model, "model.onnx"), "-o", path]
                           + options, check=True, capture_output=True)
            cls.artifacts[name] = path

    @classmethod
    def tearDownClass(cls):
        cls.work.cleanup()

    def cli_outputs(self, artifact, inputs, flags):
        """cim-run's outputs (as .npy) for `inputs` (name -> .pb path)."""
        out = tempfile.mkdtemp(dir=self.work.name)
        cmd = [os.path.join(BIN, "cim-run"), artifact, "--output-dir", out,
               "--output-format", "npy"] + flags
        for name, path in inputs.items():
            cmd += ["--input", "%s=%s" % (name, path)]
        p = subprocess.run(cmd, check=True, capture_output=True, text=True)
        files = sorted(f for f in os.listdir(out) if f.endswith(".npy"))
        return [np.load(os.path.join(out, f)) for f in files], p.stdout

    def test_outputs_equal_the_command_line(self):
        data = os.path.join(ROOT, "examples/digits-mlp/test_data_set_0")
        x = tensor(os.path.join(data, "input_0.pb"))
        for kwargs, flags in [
                ({}, []),
                ({"device": "sim://quantized"}, ["--device", "sim://quantized"]),
                ({"noise": "rram-nominal", "seed": 1},
                 ["--noise", "rram-nominal", "--seed", "1"]),
                ({"noise": "rram-worst", "seed": 3, "threads": 1},
                 ["--noise", "rram-worst", "--seed", "3", "--threads", "1"])]:
            with self.subTest(device=flags):
                session = cim.Session(self.artifacts["digits"], **kwargs)
                got = session.run({"x": x})
                want, stdout = self.cli_outputs(
                    self.artifacts["digits"],
                    {"x": os.path.join(data, "input_0.pb")}, flags + ["--stats"])
                self.assertEqual(list(got), ["logits"])
                self.assertEqual(got["logits"].dtype, np.float32)
                self.assertTrue(np.array_equal(got["logits"], want[0]))
                self.assertFalse(got["logits"].flags.writeable)
                # The device's counters as cim-run prints them.
                stats = session.stats()
                m = re.search(r"stats: (\d+) MVMs in (\d+) calls, (\d+) MACs",
                              stdout)
                self.assertEqual((stats["mvm_count"], stats["mvm_calls"],
                                  stats["macs"]), tuple(map(int, m.groups())))
                self.assertEqual(stats["runs"], 1)
                self.assertGreater(session.cost()["energy_pj"]["total"], 0)

    def test_int64_inputs_and_bytes(self):
        # The ODE loop takes its step count as a 0-d int64 input; the model
        # may also come as bytes.
        data = os.path.join(ROOT, "examples/fashion-ode/ode_loop/test_data_set_0")
        with open(self.artifacts["loop"], "rb") as f:
            session = cim.Session(f.read(), device="sim://quantized", seed=2)
        x = tensor(os.path.join(data, "input_0.pb"))
        got = session.run([x, np.int64(4)])
        np.save(os.path.join(self.work.name, "steps.npy"), np.int64(4))
        want, _ = self.cli_outputs(
            self.artifacts["loop"],
            {"x": os.path.join(data, "input_0.pb"),
             "steps": os.path.join(self.work.name, "steps.npy")},
            ["--device", "sim://quantized", "--seed", "2"])
        self.assertTrue(np.array_equal(got["logits"], want[0]))
        self.assertEqual([s.dtype for s in session.inputs], ["float32", "int64"])
        # A Python int converts to the declared int64.
        again = cim.Session(self.artifacts["loop"]).run({"x": x, "steps": 4})
        self.assertEqual(again["logits"].shape, got["logits"].shape)

    def test_errors(self):
        with self.assertRaises(cim.Error) as e:
            cim.Session(os.path.join(self.work.name, "missing.cimx"))
        self.assertEqual(e.exception.code, "NOT_FOUND")
        self.assertIn("missing.cimx: cannot open", str(e.exception))
        with self.assertRaises(cim.Error) as e:
            cim.Session(b"not an artifact")
        self.assertEqual(e.exception.code, "DATA_LOSS")
        with self.assertRaises(cim.Error) as e:
            cim.Session(self.artifacts["digits"], device="sim://ideal",
                        noise="rram-nominal")
        self.assertIn("sim://ideal has no non-idealities", str(e.exception))
        with self.assertRaises(TypeError):
            cim.Session(self.artifacts["digits"], sigma=3)
        session = cim.Session(self.artifacts["digits"])
        with self.assertRaises(cim.Error) as e:
            session.run({"x": np.zeros((2, 5), np.float32)})
        self.assertEqual(e.exception.code, "INVALID_ARGUMENT")
        self.assertIn("input 'x' (index 0): dim 1 is 5", str(e.exception))
        with self.assertRaises(cim.Error) as e:
            session.run({"y": np.zeros((1, 64), np.float32)})
        self.assertIn("no input named 'y'", str(e.exception))


class CompileTest(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.work.cleanup()

    def cli(self, args):
        out = os.path.join(self.work.name, "cli.cimx")
        report = os.path.join(self.work.name, "cli.json")
        subprocess.run([os.path.join(BIN, "cim-compile")] + args +
                       ["-o", out, "--report", report], check=True,
                       capture_output=True)
        with open(out, "rb") as f, open(report) as r:
            return f.read(), json.load(r)

    def test_artifacts_equal_the_command_line(self):
        model = os.path.join(ROOT, "examples/digits-mlp/model.onnx")
        for kwargs, flags in [
                ({}, []),
                ({"target": "rom-sram-hybrid", "place": ["fc1.*=sram"]},
                 ["--target", "rom-sram-hybrid", "--place", "fc1.*=sram"]),
                ({"weight_bits": 6, "split_blocks": False},
                 ["--weight-bits=6", "--split-blocks=false"])]:
            with self.subTest(flags=flags):
                want, report = self.cli([model] + flags)
                got = cim.compile(model, report=True, **kwargs)
                self.assertEqual(got.data, want)
                self.assertEqual(got.report, report)
        # An onnx.ModelProto and bytes compile the same.
        self.assertEqual(cim.compile(onnx.load(model)).data, self.cli([model])[0])
        with open(model, "rb") as f:
            self.assertEqual(cim.compile(f.read()).data, self.cli([model])[0])

    def test_calibration_data_as_an_array(self):
        model = os.path.join(ROOT, "examples/fashion-plain/mlp/model.onnx")
        images = tensor(os.path.join(
            ROOT, "examples/fashion-plain/data/calibration/input_0.pb"))[:64]
        path = os.path.join(self.work.name, "cal.npy")
        np.save(path, images)
        want, _ = self.cli([model, "--calibration-data", path])
        self.assertEqual(cim.compile(model, calibration_data=images).data, want)

    def test_stages_targets_and_errors(self):
        model = os.path.join(ROOT, "examples/digits-mlp/model.onnx")
        self.assertIn("cim.linear", cim.compile(model, emit="cim"))
        self.assertIn("tempo-cim-40nm", cim.targets())
        with self.assertRaises(cim.Error) as e:
            cim.compile(model, weight_bits=99)
        self.assertIn("weight-bits rule '99'", str(e.exception))
        with self.assertRaises(cim.Error) as e:
            cim.compile(b"not onnx")
        self.assertIn("not an ONNX model", str(e.exception))
        with self.assertRaises(cim.Error) as e:
            cim.compile(model, target="no-such-target")
        self.assertIn("no-such-target", str(e.exception))
        # A compiled artifact runs as it is.
        artifact = cim.compile(model)
        out = cim.Session(artifact).run({"x": np.zeros((3, 64), np.float32)})
        self.assertEqual(out["logits"].shape, (3, 10))


class SweepTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        data = os.path.join(ROOT, "examples/digits-mlp")
        cls.x = tensor(os.path.join(data, "test_data_set_0/input_0.pb"))[:120]
        cls.y = tensor(os.path.join(data, "labels.pb"))[:120]
        cls.artifact = cim.compile(os.path.join(data, "model.onnx"))
        cls.over = {"read_sigma": [0.0, 0.04], "target.adc_bits": [4, 8]}

    def test_rows_match_single_sessions(self):
        rows = cim.sweep(self.artifact, {"x": self.x}, self.y, over=self.over,
                         seeds=2, progress=False)
        self.assertEqual(len(rows), 8)
        self.assertEqual([(r["read_sigma"], r["target.adc_bits"], r["seed"])
                          for r in rows[:3]],
                         [(0.0, 4, 0), (0.0, 4, 1), (0.0, 8, 0)])
        # A row is what a session on that noise model, target and seed gives.
        row = rows[5]  # read_sigma 0.04, 4-bit ADC, seed 1
        noise = cim.NoiseModel.preset("rram-nominal").replace(read_sigma=0.04)
        path = os.path.join(tempfile.mkdtemp(), "noise.json")
        noise.save(path)
        from cim import _cim
        data = _cim.with_target(self.artifact.data, {"adc_bits": 4})
        out = cim.Session(data, noise=path, seed=1).run({"x": self.x})
        self.assertEqual(row["accuracy"],
                         float(np.mean(np.argmax(out["logits"], 1) == self.y)))
        # Coarser ADCs cost accuracy here.
        mean = lambda bits: np.mean([r["accuracy"] for r in rows
                                     if r["target.adc_bits"] == bits])
        self.assertLess(mean(4), mean(8))

    def test_executors_give_the_serial_rows(self):
        import concurrent.futures
        serial = cim.sweep(self.artifact, {"x": self.x}, self.y, over=self.over,
                           seeds=2, progress=False)
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            self.assertEqual(cim.sweep(self.artifact, {"x": self.x}, self.y,
                                       over=self.over, seeds=2, executor=pool,
                                       progress=False), serial)
        from dask.distributed import Client, LocalCluster
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, \
                Client(cluster) as client:
            self.assertEqual(cim.sweep(self.artifact, {"x": self.x}, self.y,
                                       over=self.over, seeds=2, executor=client,
                                       progress=False), serial)

    def test_noise_models_round_trip_and_errors(self):
        self.assertEqual(cim.noise_presets(), ["ideal", "rram-nominal", "rram-worst"])
        model = cim.NoiseModel.preset("rram-worst").replace(read_sigma=0.02)
        path = os.path.join(tempfile.mkdtemp(), "m.json")
        model.save(path)
        self.assertEqual(cim.NoiseModel.load(path), model)
        with self.assertRaises(cim.Error) as e:
            cim.sweep(self.artifact, {"x": self.x}, self.y,
                      over={"read_sigmaa": [0.1]}, seeds=1, progress=False)
        self.assertIn("'read_sigmaa' is not a noise-model field", str(e.exception))
        with self.assertRaises(cim.Error) as e:
            cim.sweep(self.artifact, {"x": self.x}, self.y,
                      over={"target.adc_bitz": [4]}, seeds=1, progress=False)
        self.assertIn("target has no scalar field 'adc_bitz'", str(e.exception))

    def test_plots_are_written(self):
        rows = cim.sweep(self.artifact, {"x": self.x}, self.y, over=self.over,
                         seeds=1, progress=False)
        work = tempfile.mkdtemp()
        cim.plot_sweep(rows, x="read_sigma", hue="target.adc_bits",
                       path=os.path.join(work, "sweep.png"))
        session = cim.Session(self.artifact)
        session.run({"x": self.x})
        cim.plot_energy(session.cost()["energy_pj"],
                        path=os.path.join(work, "energy.png"))
        for name in ("sweep.png", "energy.png"):
            with open(os.path.join(work, name), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")


if __name__ == "__main__":
    unittest.main()
