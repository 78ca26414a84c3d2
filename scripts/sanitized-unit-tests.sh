#!/usr/bin/env bash
# Builds the unit tests with AddressSanitizer + UndefinedBehaviorSanitizer into
# build-asan/ and runs them: any memory error, leak or undefined behaviour
# fails the run.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build-asan
cmake -S "$top" -B "$out" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVMRUN_SANITIZE=ON >/dev/null
cmake --build "$out" -j"$(nproc)" --target vmrun_unit_tests 2>&1 | grep -E ' error: ' || true
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
"$out/tests/vmrun_unit_tests"
