#!/usr/bin/env bash
# Fuzzes the board protocol's decoders with libFuzzer: installs clang and
# its fuzzer runtime (setup.sh --fuzz), builds the runtime alone with clang,
# address sanitizer and coverage into build-fuzz/, writes the seed corpus
# and runs cim-board-fuzz for SECONDS (default 60). Any libFuzzer option may
# follow. Exit status 0: no crash found.
#
#   scripts/fuzz.sh [SECONDS] [libFuzzer options...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CIM_FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${1:-60}
shift || true

"$root/scripts/setup.sh" --fuzz
if [[ ! -f "$build/build.ninja" ]]; then
  CC=clang CXX=clang++ cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCIM_ENABLE_COMPILER=OFF \
    -DCIM_ENABLE_TESTS=OFF -DCIM_FUZZ=ON \
    -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address" \
    -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,address"
fi
ninja -C "$build" cim-board-fuzz cim-board-fuzz-replay
corpus=$build/board-corpus
mkdir -p "$corpus"
"$build/bin/cim-board-fuzz-replay" --write-corpus "$corpus"
"$build/bin/cim-board-fuzz" "$corpus" -max_total_time="$seconds" \
  -max_len=65536 -print_final_stats=1 "$@"
