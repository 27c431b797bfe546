#!/usr/bin/env bash
# Runs ONNX's own node tests (libonnx-testdata) through cim-compile and
# cim-run on the ideal simulator, and prints `N passed, M failed`.
#
# usage: run-node-tests.sh BIN_DIR NODE_TEST_DIR LIST_FILE WORK_DIR
#   LIST_FILE names one test directory per line; '#' starts a comment.
set -u
bin=$1 node=$2 list=$3 work=$4
mkdir -p "$work"

passed=0 failed=0 failures=()
while read -r name _; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  dir="$node/$name"
  log="$work/$name.log"
  if [[ ! -f "$dir/model.onnx" ]]; then
    failures+=("$name: no such test in $node"); failed=$((failed + 1)); continue
  fi
  if ! "$bin/cim-compile" "$dir/model.onnx" -o "$work/$name.cimx" >"$log" 2>&1; then
    failures+=("$name: compile: $(grep -m1 error: "$log")"); failed=$((failed + 1)); continue
  fi
  if ! "$bin/cim-run" "$work/$name.cimx" --test-data "$dir" >>"$log" 2>&1; then
    failures+=("$name: run: $(grep -m1 -E 'FAIL|error:' "$log")"); failed=$((failed + 1)); continue
  fi
  passed=$((passed + 1))
done <"$list"

for f in "${failures[@]}"; do echo "FAILED $f"; done
echo "onnx node tests: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
