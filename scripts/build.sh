#!/usr/bin/env bash
# Configures and builds vmrun and its tests into build/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$top/build" -j"$(nproc)" 2>&1 | grep -vE '^\[ *[0-9]+%\]|^make|^Consolidate|^-- ' || true
test -x "$top/build/vmrun"
