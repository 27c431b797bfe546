#!/usr/bin/env bash
# The main job: sets up and builds cim, then compiles one shipped model of
# each family (a plain-trained MLP, LSTM and ODE-Net with calibration data,
# the binarized MLP, the spiking MLP) for the target its hardware asks for,
# runs each on the simulated macro (sim://ideal, sim://quantized and the
# rram-nominal noise model) over 1000 Fashion-MNIST test images, and prints
# one table: arrays, float / ideal / quantized / nominal accuracy, energy and
# latency per inference (python/scripts/main_job.py).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CIM_BUILD_DIR:-$root/build}

"$root/scripts/setup.sh"
"$root/scripts/build.sh" >/dev/null
/usr/bin/python3 "$root/python/scripts/main_job.py" --bin "$build/bin" --work "$build/example"
