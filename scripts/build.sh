#!/usr/bin/env bash
# Configures and builds cim (compiler, runtime, tests) into build/ with Ninja.
# Extra arguments are passed to CMake at configure time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CIM_BUILD_DIR:-$root/build}
jobs=${CIM_JOBS:-$(nproc)}

if [[ ! -f "$build/build.ninja" ]]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release "$@"
fi
ninja -C "$build" -j "$jobs"
