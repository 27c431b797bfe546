#!/usr/bin/env bash
# Sets up, builds and runs every test (lit suites, ONNX conformance, runtime
# unit tests, the host sample) through ctest, then prints the lit and ONNX
# conformance counts ahead of ctest's own summary; then checks the output
# digests with the runtime's vector loops built for each ISA alone, and runs
# the runtime's tests and the malformed-input corpus again on a sanitized
# runtime.
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
  # lit's summary, and each conformance runner's `N passed, M failed` line
  # with the name of the ctest test that printed it.
  awk '/^[0-9]+\/[0-9]+ Test: /{name=$3}
       /^(Total Discovered Tests|  Passed|  Failed):?/ && name=="lit" {print "lit: " $0}
       /^[0-9]+ passed, [0-9]+ failed/ {print name ": " $0}
       /^out of scope: / {print name ": " $0}' "$log" || true
  echo
  grep -E "tests passed, [0-9]+ tests failed" "$build/ctest.log" || true
fi

# The output digests again with the runtime's per-element loops compiled
# for one ISA at a time (scripts/isa-digests.sh): every ISA gives the same
# results. CIM_TEST_ISAS=0 skips it.
if [[ "${CIM_TEST_ISAS:-1}" != 0 ]]; then
  echo
  "$root/scripts/isa-digests.sh" || status=1
fi

# The runtime again, built with AddressSanitizer and UndefinedBehaviorSanitizer
# (build-asan-rt/): its ctest suite and the malformed-input corpus's cim-run
# cases (docs/Reliability.md). CIM_TEST_SANITIZE=0 skips it.
if [[ "${CIM_TEST_SANITIZE:-1}" != 0 ]]; then
  echo
  echo "== the runtime with ASan and UBSan (scripts/sanitize.sh --runtime)"
  log_asan=$build/sanitize-runtime.log
  sanitized=0
  "$root/scripts/sanitize.sh" --runtime > "$log_asan" 2>&1 || sanitized=$?
  grep -E "tests passed, [0-9]+ tests failed|^total |^malformed inputs:" \
    "$log_asan" || true
  if ((sanitized != 0)); then
    tail -n 60 "$log_asan"
    status=1
  fi
fi
exit $status
