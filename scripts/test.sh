#!/usr/bin/env bash
# The whole test suite from a fresh Debian 12 machine: installs what is
# missing, builds, builds the tiny test guest, runs every test with ctest.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
"$top/scripts/build.sh"
"$top/scripts/build-tiny-guest.sh"
cd "$top/build"
ctest --output-on-failure --timeout 1200 "$@"
