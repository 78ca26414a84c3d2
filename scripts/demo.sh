#!/usr/bin/env bash
# Builds vmrun and runs the built-in demo profile (profiles/demo.yaml).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
"$top/scripts/build.sh"
"$top/scripts/build-tiny-guest.sh"
exec "$top/build/vmrun" --dry-run "$top/profiles/demo.yaml"
