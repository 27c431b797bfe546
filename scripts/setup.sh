#!/usr/bin/env bash
# Installs every Debian package that cim's build, tests and examples need.
# Idempotent: when everything is present it only checks and returns.
set -euo pipefail

PKGS=(
  # toolchain
  g++ cmake ninja-build ccache git pkg-config
  # LLVM / MLIR 19 (compiler only; the runtime needs none of these)
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools
  # ONNX import and the artifact format
  libonnx-dev libprotobuf-dev protobuf-compiler
  # the simulator's GEMMs
  libopenblas-dev
  # the runtime tools' flag parsing (header-only)
  libcli11-dev
  # tests
  libgtest-dev libonnx-testdata
  # python helpers (evaluation scripts, test-model generators) and the
  # package's bindings
  python3 python3-numpy python3-onnx python3-dev pybind11-dev
  # the package's sweeps: progress bars, plots, and a distributed executor
  python3-tqdm python3-matplotlib python3-distributed
  # real data for the evaluation scripts (Fashion-MNIST)
  dataset-fashion-mnist
  # the King James Bible text of the character language model
  bible-kjv bible-kjv-text
)

if [[ "${1:-}" == "--train" ]]; then
  # Only for re-training the example models; the exported models are committed.
  PKGS+=(python3-sklearn)
fi
if [[ "${1:-}" == "--fuzz" ]]; then
  # Only for scripts/fuzz.sh: clang and its libFuzzer runtime.
  PKGS+=(clang-19 libclang-rt-19-dev)
fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all ${#PKGS[@]} packages present"
fi
