#!/usr/bin/env bash
# Builds cim (compiler, runtime, tests) with AddressSanitizer and
# UndefinedBehaviorSanitizer into build-asan/ and runs every test through
# ctest (the lit suites included). The compiler is gcc, whose sanitizer
# runtimes are shared libraries: Debian's LLVM/MLIR, ONNX, protobuf and
# OpenBLAS libraries load beside them uninstrumented, so errors inside those
# libraries go unseen; errors in cim's own code stop the program at the
# first report (halt_on_error=1, -fno-sanitize-recover=all). Python loads
# the package's extension with the runtimes preloaded (test/CMakeLists.txt).
# Extra arguments go to ctest, e.g. -R lit.
#
#   scripts/sanitize.sh [ctest options...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CIM_ASAN_BUILD_DIR:-$root/build-asan}
jobs=${CIM_JOBS:-$(nproc)}

"$root/scripts/setup.sh"
if [[ ! -f "$build/build.ninja" ]]; then
  CC=gcc CXX=g++ cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release -DCIM_SANITIZE=address,undefined \
    -DCMAKE_C_FLAGS=-g1 -DCMAKE_CXX_FLAGS=-g1
fi
ninja -C "$build" -j "$jobs"

# allow_user_poisoning=0: LLVM's BumpPtrAllocator poisons its slabs in the
# instrumented code inlined into cim, while the uninstrumented MLIR
# libraries hand out memory from the same slabs without unpoisoning it;
# reading that memory would be reported as use-after-poison.
export ASAN_OPTIONS=halt_on_error=1:allow_user_poisoning=0:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}
ctest --test-dir "$build" --output-on-failure -j "$jobs" "$@"
