#!/usr/bin/env bash
# Builds vmrun and runs the built-in demo profile (profiles/demo.yaml): starts
# the tiny guest headless, shows its boot reaching the shell prompt, runs a
# command on its serial console, hotplugs a disk the guest reports, and
# powers it off through ACPI.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
"$top/scripts/build.sh"
"$top/scripts/build-tiny-guest.sh"

vmrun="$top/build/vmrun"
# Keep the demo's folders out of the system ones unless the caller chose.
export VMRUN_RUNTIME_DIR=${VMRUN_RUNTIME_DIR:-$top/build/demo/run}
export VMRUN_STATE_DIR=${VMRUN_STATE_DIR:-$top/build/demo/state}
log="$VMRUN_STATE_DIR/demo/console.log"
scratch="$top/build/demo/scratch.img"
trap '"$vmrun" stop demo --timeout 20 >/dev/null 2>&1 || true' EXIT

echo "== vmrun --dry-run profiles/demo.yaml"
"$vmrun" --dry-run "$top/profiles/demo.yaml"
echo
echo "== vmrun profiles/demo.yaml"
"$vmrun" "$top/profiles/demo.yaml"
for _ in $(seq 600); do grep -q VMRUN-GUEST-READY "$log" 2>/dev/null && break; sleep 0.1; done
grep -q VMRUN-GUEST-READY "$log" || { echo "the guest did not come up; see $log" >&2; exit 1; }
echo
echo "== the guest's boot, from its serial console ($log)"
tr -d '\r' < "$log" | sed 's/\x1b\[6n//g' | grep -avE '^\s*$' | tail -n 8
echo
echo "== vmrun console demo  (a command typed at the guest's prompt)"
printf 'uname -sr; cat /proc/cpuinfo | grep -m1 "model name"\n' | "$vmrun" console demo --linger 2 | tr -d '\r' | sed 's/\x1b\[6n//g' | grep -av '^\s*$'
echo
echo "== vmrun hotplug demo --disk ..."
head -c 8M /dev/zero > "$scratch"
"$vmrun" hotplug demo --disk "$scratch"
for _ in $(seq 100); do grep -q 'VMRUN-UEVENT add block vda' "$log" && break; sleep 0.1; done
grep -a 'VMRUN-UEVENT add' "$log" | tr -d '\r'
"$vmrun" status demo
"$vmrun" unplug demo disk0
echo
echo "== vmrun stop demo"
"$vmrun" stop demo
trap - EXIT
