#!/usr/bin/env bash
# Runs every benchmark and prints one table (median, min, max, samples).
#   tests/bench/run.sh [ROUNDS] [IDLE_SECONDS]
# Everything runs on this machine: QEMU on unix sockets, the guest with
# user-mode networking and no listening ports.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
"$top/scripts/install-deps.sh"
"$top/scripts/build.sh"
"$top/scripts/build-tiny-guest.sh"
rounds=${1:-10}
idle=${2:-60}
echo "vmrun benchmarks, $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(qemu-system-x86_64 --version | head -1)"
echo
echo "| what                                                       |     median |        min |        max |     n | unit"
echo "|------------------------------------------------------------|-----------:|-----------:|-----------:|------:|-----"
"$top/build/tests/bench/vmrun_bench" qmp 2000
"$top/build/tests/bench/vmrun_bench" vm "$top/build/vmrun" "$top" "$rounds" "$idle"
"$top/build/tests/bench/vmrun_bench" hugepages "$top/build/vmrun" "$top" "$rounds"
