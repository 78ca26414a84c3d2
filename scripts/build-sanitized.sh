#!/usr/bin/env bash
# Configures the sanitized tree, build-sanitized/ (clang; ASan + UBSan and
# libFuzzer's coverage everywhere: CMakeLists.txt, VMRUN_FUZZ), and builds the
# TARGETs named. The sanitized unit tests and the fuzz targets share it, so
# the libraries are compiled once for both. Prints the compiler's errors and
# fails when a target does not build. VMRUN_SANITIZED_JOBS sets the build's
# parallelism (default: every CPU).
#   scripts/build-sanitized.sh TARGET...
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build-sanitized
mkdir -p "$out"
CC=clang CXX=clang++ cmake -S "$top" -B "$out" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVMRUN_FUZZ=ON >/dev/null
log=$out/build-$(IFS=-; echo "$*").log
if ! cmake --build "$out" -j"${VMRUN_SANITIZED_JOBS:-$(nproc)}" --target "$@" >"$log" 2>&1; then
  grep -E 'error' "$log" | head -20
  echo "build-sanitized: $* did not build; see $log"
  exit 1
fi
