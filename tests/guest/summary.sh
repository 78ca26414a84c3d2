# Sourced by boot.sh: the per-suite summary of a guest's console log.
#
#   summarize LOG SUITE...   prints each suite's PASS/FAIL lines and counts;
#                            sets summary_passed and summary_failed
# A suite whose PASS lines are fewer than the min_passes its file declares
# counts as failed: a check that stopped running would otherwise go unseen.
summarize() {
  local log=$1 suite lines np nf min; shift
  summary_passed=0 summary_failed=0
  for suite in "$@"; do
    min=$(sed -n 's/^min_passes=\([0-9]*\)$/\1/p' "$here/$suite.sh")
    lines=$(sed -n "/^GUEST-SUITE-BEGIN $suite\$/,/^GUEST-SUITE-END $suite\$/p" "$log" | grep -E '^(PASS|FAIL): ' || true)
    echo "--- suite $suite"
    [ -z "$lines" ] || echo "$lines"
    np=$(grep -c '^PASS: ' <<< "$lines" || true)
    nf=$(grep -c '^FAIL: ' <<< "$lines" || true)
    echo "suite $suite: $np passed (at least ${min:-?} expected), $nf failed"
    if ! grep -qx "GUEST-SUITE-END $suite" "$log"; then
      echo "FAIL: suite $suite did not run to its end"; nf=$((nf + 1))
    fi
    if [ -z "$min" ]; then
      echo "FAIL: suite $suite declares no min_passes"; nf=$((nf + 1))
    elif [ "$np" -lt "$min" ]; then
      echo "FAIL: suite $suite ran $np checks that passed, fewer than its min_passes=$min"; nf=$((nf + 1))
    fi
    summary_passed=$((summary_passed + np)) summary_failed=$((summary_failed + nf))
  done
}
