#!/usr/bin/env bash
# Writes the seed corpus of each fuzz target named (or of all) into
# OUT_DIR/TARGET/, from what the repository ships: the example and test
# models (onnx), artifacts compiled from them for every target preset
# (artifact), the example and test target files and the presets
# (target), the example noise files and the presets (noise), the example
# and test tensors and each of them as .npy (tensor), and the board
# protocol's session (board), and the inputs that once failed, kept in
# test/fuzz/ (each target takes the files with its extensions). The replay
# programs in BIN_DIR write the
# corpora (cim-NAME-fuzz-replay --write-corpus); the artifacts come from
# $CIM_COMPILE (default BIN_DIR/cim-compile). The tests replay the same
# sources (runtime/test/CMakeLists.txt, test/CMakeLists.txt).
#
#   scripts/fuzz-seeds.sh BIN_DIR OUT_DIR [board|onnx|artifact|target|noise|tensor]...
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$1
out=$2
shift 2
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(board onnx artifact target noise tensor)
fi

# Models to compile into artifacts: every shipped one up to 1 MB.
compile_artifacts() {
  local dir=$1 compile=${CIM_COMPILE:-$bin/cim-compile}
  mkdir -p "$dir"
  local presets
  presets=$("$compile" --list-targets | awk '{print $1}')
  local n=0 model preset
  while IFS= read -r model; do
    n=$((n + 1))
    # The examples for the default target; the small test models for
    # every preset (tiles, converters and neurons of each kind).
    if [[ $model == "$root"/examples/* ]]; then
      "$compile" "$model" -o "$dir/model-$n.cimx" 2>/dev/null || true
    else
      for preset in $presets; do
        "$compile" "$model" --target "$preset" \
          -o "$dir/model-$n-$preset.cimx" 2>/dev/null || true
      done
    fi
  done < <(find "$root/examples" "$root/test/models" -name '*.onnx' \
             -size -1024k | sort)
}

for t in "${targets[@]}"; do
  case $t in
    board) sources=() ;;
    onnx) sources=("$root/examples" "$root/test/models"
                   "$root/test/Frontend/ONNX/Inputs" "$root/test/fuzz") ;;
    artifact)
      compile_artifacts "$out/artifact-compiled"
      sources=("$out/artifact-compiled" "$root/test/fuzz") ;;
    target) sources=("$root/examples" "$root/test/tools/cim-compile/Inputs"
                     "$root/test/e2e/Inputs" "$root/test/fuzz") ;;
    noise) sources=("$root/examples" "$root/test/fuzz") ;;
    tensor) sources=("$root/examples" "$root/test/models"
                     "$root/test/fuzz") ;;
    *) echo "fuzz-seeds: unknown target '$t'" >&2; exit 2 ;;
  esac
  existing=()
  for s in "${sources[@]}"; do
    [[ -e $s ]] && existing+=("$s")
  done
  rm -rf "${out:?}/$t"
  "$bin/cim-$t-fuzz-replay" --write-corpus "$out/$t" "${existing[@]}"
done
