#!/usr/bin/env bash
# Builds the fuzz targets with clang's libFuzzer (+ ASan/UBSan) into
# build-fuzz/ and runs each for SECONDS (default 90) from its seed corpus
# (tests/fuzz/corpus: the example profiles, recorded QEMU traffic). A crash
# stops with the input saved in build-fuzz/; add it to the corpus and a
# regression test once fixed.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-90}
out=$top/build-fuzz
CC=clang CXX=clang++ cmake -S "$top" -B "$out" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVMRUN_FUZZ=ON >/dev/null
cmake --build "$out" -j"$(nproc)" --target fuzz_profile fuzz_qmp 2>&1 | grep -E 'error|warning: ' || true
for target in profile qmp; do
  work=$out/corpus-$target
  mkdir -p "$work"
  cp -n "$top/tests/fuzz/corpus/$target/"* "$work/" 2>/dev/null || true
  echo "fuzz: $target for ${seconds}s"
  (cd "$out" && "./tests/fuzz/fuzz_$target" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
      -print_final_stats=1 "$work" 2>&1 | grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY)' || true)
  if ls "$out"/crash-* "$out"/leak-* "$out"/timeout-* >/dev/null 2>&1; then
    echo "fuzz: $target found a failing input: $(ls "$out"/crash-* "$out"/leak-* "$out"/timeout-* 2>/dev/null)"
    exit 1
  fi
done
echo "fuzz: no crash"
