#!/usr/bin/env bash
# Throughput of board:// against cim-board-emu on the loopback, beside the
# simulator the emulator computes with (sim://ideal, or sim://quantized
# with rram-nominal), in one cim-bench run each: MVM calls and vectors per
# second, bytes per MVM, and the ratio to the simulator alone. A benchmark,
# not a test. The emulator is stopped on exit.
#
#   scripts/bench-board.sh [cim-bench options, e.g. --min-time 2]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${CIM_BUILD_DIR:-$root/build}/bin
for noise in "" rram-nominal; do
  emu_args=(--listen 127.0.0.1:0)
  reference=sim://ideal
  if [[ -n "$noise" ]]; then
    emu_args+=(--noise "$noise" --seed 1)
    reference="sim://quantized?noise=$noise&seed=1"
  fi
  coproc EMU { exec "$bin/cim-board-emu" "${emu_args[@]}" 2>/dev/null; }
  trap 'kill $EMU_PID 2>/dev/null || true' EXIT
  read -r line <&"${EMU[0]}"
  address=${line#listening on }
  "$bin/cim-bench" --device "board://$address" --reference "$reference" "$@"
  kill "$EMU_PID"
  wait "$EMU_PID" || true
  trap - EXIT
done
