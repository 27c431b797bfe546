#!/usr/bin/env bash
# Builds cim with AddressSanitizer and UndefinedBehaviorSanitizer and runs
# its tests:
#
#   scripts/sanitize.sh [ctest options...]
#     the compiler, the runtime and every test, in build-asan/, through
#     ctest (the lit suites and the malformed-input corpus included);
#   scripts/sanitize.sh --runtime [ctest options...]
#     the runtime alone (-DCIM_ENABLE_COMPILER=OFF), in build-asan-rt/: its
#     ctest suite, then the malformed-input corpus's cim-run cases, whose
#     artifacts the normal build's cim-compile makes (scripts/build.sh).
#
# The compiler is gcc, whose sanitizer runtimes are shared libraries:
# Debian's LLVM/MLIR, ONNX, protobuf and OpenBLAS libraries load beside
# them uninstrumented, so errors inside those libraries go unseen; errors in
# cim's own code stop the program at the first report (halt_on_error=1,
# -fno-sanitize-recover=all). Python loads the package's extension with the
# runtimes preloaded (test/CMakeLists.txt). Extra arguments go to ctest,
# e.g. -R lit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${CIM_JOBS:-$(nproc)}
runtime_only=0
if [[ "${1:-}" == "--runtime" ]]; then
  runtime_only=1
  shift
fi
if ((runtime_only)); then
  build=${CIM_ASAN_BUILD_DIR:-$root/build-asan-rt}
  configure=(-DCIM_ENABLE_COMPILER=OFF)
else
  build=${CIM_ASAN_BUILD_DIR:-$root/build-asan}
  configure=()
fi

"$root/scripts/setup.sh"
if [[ ! -f "$build/build.ninja" ]]; then
  CC=gcc CXX=g++ cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release -DCIM_SANITIZE=address,undefined \
    -DCMAKE_C_FLAGS=-g1 -DCMAKE_CXX_FLAGS=-g1 "${configure[@]}"
fi
ninja -C "$build" -j "$jobs"

# allow_user_poisoning=0: LLVM's BumpPtrAllocator poisons its slabs in the
# instrumented code inlined into cim, while the uninstrumented MLIR
# libraries hand out memory from the same slabs without unpoisoning it;
# reading that memory would be reported as use-after-poison.
export ASAN_OPTIONS=halt_on_error=1:allow_user_poisoning=0:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}
status=0
ctest --test-dir "$build" --output-on-failure -j "$jobs" "$@" || status=$?
if ((runtime_only)); then
  "$root/scripts/build.sh"
  echo "== malformed inputs through the sanitized cim-run"
  "${PYTHON:-/usr/bin/python3}" "$root/test/malformed/malformed.py" --bin "$build/bin" \
    --compile-bin "${CIM_BUILD_DIR:-$root/build}/bin" --tool cim-run \
    --work "$build/malformed" || status=1
fi
exit $status
