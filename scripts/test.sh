#!/usr/bin/env bash
# Sets up, builds and runs every test (lit suites, ONNX conformance, runtime
# unit tests, the host sample) through ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CIM_BUILD_DIR:-$root/build}

"$root/scripts/setup.sh"
"$root/scripts/build.sh"
ctest --test-dir "$build" --output-on-failure -j "${CIM_JOBS:-$(nproc)}"
