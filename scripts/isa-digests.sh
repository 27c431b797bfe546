#!/usr/bin/env bash
# The output digests (test/digests) with the runtime's per-element loops
# compiled for one ISA at a time (-DCIM_VECTOR_ISA, runtime/src/base/
# VectorClones.h): the baseline, and AVX2 and x86-64-v4 where this CPU has
# them. Each must give the recorded results bit for bit, as the normal
# build (all three, picked at load time) does. The one-ISA builds also
# run the variance product's portable kernel where the normal build runs
# its AVX-512 BF16 one (drivers/sim/VarianceProduct.h), so on a CPU with
# BF16 the check covers that kernel too. Runtime-only builds in
# build-isa-<isa>/; models compiled by the normal build's cim-compile
# (scripts/build.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CIM_BUILD_DIR:-$root/build}
jobs=${CIM_JOBS:-$(nproc)}

flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
isas=(baseline)
[[ " $flags " == *" avx2 "* ]] && isas+=(avx2)
v4=1
for f in avx512f avx512bw avx512cd avx512dq avx512vl; do
  [[ " $flags " == *" $f "* ]] || v4=0
done
((v4)) && isas+=(arch=x86-64-v4)

status=0
for isa in "${isas[@]}"; do
  dir=$root/build-isa-${isa#arch=}
  if [[ ! -f "$dir/build.ninja" ]]; then
    cmake -G Ninja -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Release \
      -DCIM_ENABLE_COMPILER=OFF -DCIM_ENABLE_TESTS=OFF \
      -DCIM_VECTOR_ISA="$isa" > /dev/null
  fi
  ninja -C "$dir" -j "$jobs" cim-run > /dev/null
  echo "== output digests, per-element loops for $isa only"
  rc=0
  "${PYTHON:-/usr/bin/python3}" "$root/test/digests/digests.py" \
    --bin "$dir/bin" --compile-bin "$build/bin" --root "$root" \
    --work "$dir/digests" --check "$root/test/digests/digests.json" \
    > "$dir/digests.log" 2>&1 || rc=$?
  tail -n 20 "$dir/digests.log"
  # 77: skipped, this CPU cannot run the OpenBLAS kernel they were
  # recorded with.
  if ((rc != 0 && rc != 77)); then
    status=1
  fi
done
exit $status
