#!/usr/bin/env bash
# Sets up, builds and runs every test (lit suites, ONNX conformance, runtime
# unit tests, the host sample) through ctest, then prints the lit and ONNX
# conformance counts ahead of ctest's own summary.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CIM_BUILD_DIR:-$root/build}

"$root/scripts/setup.sh"
"$root/scripts/build.sh"

status=0
ctest --test-dir "$build" --output-on-failure -j "${CIM_JOBS:-$(nproc)}" \
  | tee "$build/ctest.log" || status=$?

log=$build/Testing/Temporary/LastTest.log
if [[ -f "$log" ]]; then
  echo
  echo "== counts inside ctest's tests"
  grep -E "^  (Passed|Failed|Unsupported|Expectedly Failed)|^Total Discovered Tests" "$log" \
    | sed 's/^/lit: /' || true
  grep -E "^onnx node tests:" "$log" || true
  echo
  grep -E "tests passed, [0-9]+ tests failed" "$build/ctest.log" || true
fi
exit $status
