#!/usr/bin/env bash
# The main job: sets up and builds cim, compiles the shipped digits MLP
# (examples/digits-mlp) for the default target and runs it on the simulated
# macro: ideal mode against the float reference, then with the target's
# DAC/ADC and cell quantisation. Prints results and a short report.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CIM_BUILD_DIR:-$root/build}
example=$root/examples/digits-mlp
out=$build/example

"$root/scripts/setup.sh"
"$root/scripts/build.sh" >/dev/null
mkdir -p "$out"
bin=$build/bin
py=/usr/bin/python3

echo "== compile: $example/model.onnx -> $out/digits.cimx (target generic-rram; cost report in $out/report.json)"
"$bin/cim-compile" "$example/model.onnx" -o "$out/digits.cimx" --report "$out/report.json"

echo
echo "== run on sim://ideal against the float reference (360 test images)"
"$bin/cim-run" "$out/digits.cimx" --test-data "$example/test_data_set_0" \
  --device sim://ideal --output-dir "$out/ideal"
"$py" "$root/python/cim/eval_accuracy.py" --outputs "$out/ideal" \
  --labels "$example/labels.pb" --reference "$example/test_data_set_0/output_0.pb"

echo
echo "== run on sim://quantized (8-bit DAC and ADC; 8-bit weights on two 4-bit cells each)"
"$bin/cim-run" "$out/digits.cimx" --device sim://quantized \
  --input "x=$example/test_data_set_0/input_0.pb" --output-dir "$out/quantized"
"$py" "$root/python/cim/eval_accuracy.py" --outputs "$out/quantized" \
  --labels "$example/labels.pb" --reference "$example/test_data_set_0/output_0.pb"
