#!/usr/bin/env bash
# The whole test suite from a fresh Debian 12 machine: installs what is
# missing, builds, builds the tiny test guest, runs every test with ctest.
#
#   scripts/test.sh            everything (what CI runs)
#   scripts/test.sh --quick    the quick tier, after each edit: unit tests, the
#                              layering test and the integration tests that boot
#                              no guest (ctest -L quick), a few minutes
# Further arguments go to ctest (-R NAME, -j1, ...). The full run is two
# entries at a time (VMRUN_TEST_JOBS, default 2): most entries wait on a TCG
# guest or QEMU more than they compute.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
quick=
if [ "${1:-}" = --quick ]; then quick=1; shift; fi
"$top/scripts/install-deps.sh"
"$top/scripts/build.sh"
"$top/scripts/build-tiny-guest.sh"
cd "$top/build"
if [ -n "$quick" ]; then
  exec ctest -L quick -j"$(nproc)" --output-on-failure --timeout 300 "$@"
fi
ctest -j"${VMRUN_TEST_JOBS:-2}" --output-on-failure --timeout 1200 "$@"
