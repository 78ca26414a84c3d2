#!/usr/bin/env bash
# Builds the Debian package from build/ (made by scripts/build.sh when missing):
# vmrun, its man pages, completions, vmrun@.service and the example profiles,
# under /usr. The package lands in OUT (default build-package/):
#   scripts/package.sh && sudo apt install ./build-package/vmrun_*.deb
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build-package}
[ -x "$top/build/vmrun" ] || "$top/scripts/build.sh"
cmake --build "$top/build" -j"$(nproc)" --target vmrun vmrun_share vmrun_generate 2>&1 | grep -vE '^\[ *[0-9]+%\]|^make|^Consolidate|^-- ' || true
mkdir -p "$out"
rm -f "$out"/vmrun_*.deb
( cd "$top/build" && cpack -G DEB -B "$out" >/dev/null )
rm -rf "$out/_CPack_Packages"
ls "$out"/vmrun_*.deb
