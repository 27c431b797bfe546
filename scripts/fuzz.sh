#!/usr/bin/env bash
# Fuzzes cim's readers and decoders with libFuzzer (docs/Reliability.md):
# installs clang and its fuzzer runtime (setup.sh --fuzz), builds the fuzz
# targets with clang, libFuzzer's coverage, AddressSanitizer and
# UndefinedBehaviorSanitizer into build-fuzz/, writes each target's seed
# corpus (scripts/fuzz-seeds.sh) and runs the target for SECONDS (default
# 60), one target after another for `all`. Any libFuzzer option may follow.
# Exit status 0: no crash found; a crash leaves libFuzzer's crash-* file in
# build-fuzz/findings/TARGET/.
#
#   scripts/fuzz.sh [TARGET|all] [SECONDS] [libFuzzer options...]
#
# TARGETs: board (the board protocol), onnx (the ONNX importer), artifact
# (the .cimx loader and verifier), target (target files), noise (noise
# files), tensor (.pb and .npy tensor files).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CIM_FUZZ_BUILD_DIR:-$root/build-fuzz}
all=(board onnx artifact target noise tensor)
which=${1:-all}
seconds=${2:-60}
shift $(($# < 2 ? $# : 2))
if [[ $which == all ]]; then
  targets=("${all[@]}")
elif [[ " ${all[*]} " == *" $which "* ]]; then
  targets=("$which")
else
  echo "fuzz.sh: unknown target '$which' (${all[*]} or all)" >&2
  exit 2
fi

"$root/scripts/setup.sh" --fuzz
if [[ ! -f "$build/build.ninja" ]]; then
  CC=clang-19 CXX=clang++-19 cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release -DCIM_ENABLE_TESTS=OFF -DCIM_FUZZ=ON \
    -DCIM_SANITIZE=address,undefined \
    -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link -gline-tables-only" \
    -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link -gline-tables-only"
fi
# The artifact target's seeds are compiled from the shipped models: with
# the build's own cim-compile, or $CIM_COMPILE (e.g. build/bin/cim-compile
# of a normal build, which saves building the whole compiler here).
ninja_targets=()
for t in "${targets[@]}"; do
  ninja_targets+=("cim-$t-fuzz" "cim-$t-fuzz-replay")
done
if [[ " ${targets[*]} " == *" artifact "* && -z ${CIM_COMPILE:-} ]]; then
  ninja_targets+=(cim-compile)
fi
ninja -C "$build" "${ninja_targets[@]}"

# Each input's limits: 64 KiB for the text formats and the board's frames,
# 1 MiB for models, artifacts and tensors (the seeds' size); 2 GiB of memory
# and 10 s per input make an out-of-memory or a hang a finding.
max_len() {
  case $1 in
    board | target | noise) echo 65536 ;;
    *) echo 1048576 ;;
  esac
}

# allow_user_poisoning=0: LLVM's BumpPtrAllocator poisons its slabs in the
# instrumented code inlined into cim, while the uninstrumented MLIR
# libraries hand out memory from the same slabs without unpoisoning it;
# reading that memory would be reported as use-after-poison.
export ASAN_OPTIONS=halt_on_error=1:allow_user_poisoning=0:detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}
status=0
for t in "${targets[@]}"; do
  corpus=$build/corpus/$t
  findings=$build/findings/$t
  mkdir -p "$findings"
  "$root/scripts/fuzz-seeds.sh" "$build/bin" "$build/seeds" "$t"
  mkdir -p "$corpus"
  echo "== cim-$t-fuzz for $seconds s"
  # libFuzzer grows the first directory (corpus/, kept between runs) and
  # reads the seeds from the second.
  "$build/bin/cim-$t-fuzz" "$corpus" "$build/seeds/$t" \
    -max_total_time="$seconds" -max_len="$(max_len "$t")" \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$findings/" "$@" || status=1
done
exit $status
