#!/usr/bin/env bash
# Fails when a launcher/ folder includes a header from a folder above it in
# the flow (base < profile < plan < libvirt < host < run < vm < cli), when cli/
# includes host/ (the host is reached through vm/'s operations), or when qmp/
# includes anything of the launcher. Prints every offending line.
set -euo pipefail
top=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
rank() {
    case "$1" in
        base) echo 0 ;; profile) echo 1 ;; plan) echo 2 ;; libvirt) echo 3 ;; host) echo 4 ;; run) echo 5 ;; vm) echo 6 ;; cli) echo 7 ;;
        *) echo -1 ;;
    esac
}
bad=0 checked=0
while IFS= read -r file; do
    rel=${file#"$top"/launcher/}
    own=$(rank "${rel%%/*}")
    if [ "$own" -lt 0 ]; then
        echo "layering: $file is in no stage folder (base, profile, plan, libvirt, host, run, vm, cli)"
        bad=1
        continue
    fi
    while IFS= read -r line; do
        inc=$(sed -E 's/^#include "([^"]+)".*/\1/' <<<"${line#*:}")
        [[ $inc == */* ]] || { echo "layering: ${file}:${line%%:*}: include \"$inc\" without its folder"; bad=1; continue; }
        folder=${inc%%/*}
        [ "$folder" = qmp ] && continue
        theirs=$(rank "$folder")
        if [ "$theirs" -lt 0 ] || [ "$theirs" -gt "$own" ]; then
            echo "layering: ${file}:${line%%:*}: ${rel%%/*}/ must not include $inc"
            bad=1
        elif [ "${rel%%/*}" = cli ] && [ "$folder" = host ]; then
            echo "layering: ${file}:${line%%:*}: cli/ must not include $inc; reach the host through an operation in vm/"
            bad=1
        fi
        checked=$((checked + 1))
    done < <(grep -n '^#include "' "$file" || true)
done < <(find "$top/launcher" -name '*.h' -o -name '*.cc' | sort)
while IFS= read -r hit; do
    echo "layering: qmp/ stands alone but includes: $hit"
    bad=1
done < <(grep -n '^#include "' "$top"/qmp/*.h "$top"/qmp/*.cc | grep -Ev '"(client|protocol|errors|json_stream|agent_protocol|agent_client)\.h"' || true)
[ "$checked" -gt 100 ] || { echo "layering: only $checked includes seen; is the tree there?"; exit 1; }
if [ "$bad" = 0 ]; then
    echo "layering: $checked includes follow base < profile < plan < libvirt < host < run < vm < cli; cli/ reaches host/ only through vm/"
fi
exit "$bad"
