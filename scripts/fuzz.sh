#!/usr/bin/env bash
# Builds the fuzz targets with clang's libFuzzer (+ ASan/UBSan) in the
# sanitized tree (scripts/build-sanitized.sh) and runs each from its seed corpus (tests/fuzz/corpus/NAME:
# example profiles, recorded QEMU traffic, journals, real /proc text, netlink
# replies, libvirt XML). TOTAL seconds (default 300) are split evenly over the
# targets that tests/fuzz/CMakeLists.txt lists, so a new target costs CI no
# time. A crash, a leak, or one input taking over 10 s fails the run (after
# the other targets had their turn), with the input saved in build-sanitized/; add
# it to the corpus and a regression test once fixed.
#   scripts/fuzz.sh [TOTAL_SECONDS]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
total=${1:-300}
out=$top/build-sanitized
"$top/scripts/build-sanitized.sh" fuzz_targets || { echo "fuzz: the fuzz targets did not build"; exit 1; }
mapfile -t targets <"$out/tests/fuzz/targets.txt"
seconds=$((total / ${#targets[@]}))
[ "$seconds" -ge 1 ] || seconds=1
failed=()
for target in "${targets[@]}"; do
  work=$out/corpus-$target
  mkdir -p "$work"
  cp -n "$top/tests/fuzz/corpus/$target/"* "$work/" 2>/dev/null || true
  echo "fuzz: $target for ${seconds}s"
  status=0
  (cd "$out" && "./tests/fuzz/fuzz_$target" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
      -timeout=10 -print_final_stats=1 "$work" >"$out/fuzz-$target.log" 2>&1) || status=$?
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY)' "$out/fuzz-$target.log" || true
  if [ "$status" != 0 ]; then
    grep -E 'Test unit written|ERROR' "$out/fuzz-$target.log" | head -5
    echo "fuzz: $target failed (exit $status); see $out/fuzz-$target.log"
    failed+=("$target")
  fi
done
if [ "${#failed[@]}" != 0 ]; then
  echo "fuzz: ${#failed[@]} of ${#targets[@]} targets failed: ${failed[*]}"
  exit 1
fi
echo "fuzz: no crash in ${#targets[@]} targets"
