#!/usr/bin/env bash
# Runs the unit tests as built in the sanitized tree (scripts/build-sanitized.sh:
# clang, ASan + UBSan): any memory error, leak or undefined behaviour fails the run.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/build-sanitized.sh" vmrun_unit_tests
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
"$top/build-sanitized/tests/vmrun_unit_tests"
