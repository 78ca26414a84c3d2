#!/bin/bash
# Runs inside the emulated-IOMMU guest of scripts/vfio-guest-test.sh, chrooted
# into this machine's root (read-only over 9p, with the guest's own /sys,
# /dev, /proc and a tmpfs /tmp). Drives this checkout's vmrun binary against
# the guest kernel's real vfio-pci and prints one PASS:/FAIL: line per check.
#
#   checks.sh TOP SUITE     SUITE: iommu | passthrough | all
top=$1
suite=${2:-all}
vmrun=$top/build/vmrun
export VMRUN_RUNTIME_DIR=/tmp/vmrun/run VMRUN_STATE_DIR=/tmp/vmrun/state
profiles=/tmp/profiles
mkdir -p "$profiles"

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
driver_of() { local l; l=$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null) && echo "${l##*/}"; }
group_of() { local l; l=$(readlink "/sys/bus/pci/devices/$1/iommu_group"); echo "${l##*/}"; }
on_driver() { [ "$(driver_of "$1")" = "$2" ]; }
contains() { grep -qF -- "$2" "$1"; }
by_mac() { local n; for n in /sys/class/net/*; do [ "$(cat "$n/address")" = "$1" ] && basename "$(readlink -f "$n/device")"; done; }
by_class() { local d; for d in /sys/bus/pci/devices/*; do [ "$(cat "$d/class")" = "$1" ] && { basename "$d"; return; }; done; }
# run NAME ARGS...: vmrun's output in /tmp/NAME.out, shown indented; returns its exit code
run() {
  local name=$1; shift
  "$vmrun" "$@" > "/tmp/$name.out" 2>&1
  local rc=$?
  echo "+ vmrun $* (exit $rc)"
  sed 's/^/  /' "/tmp/$name.out" | head -40
  return $rc
}
profile() {  # profile NAME ADDRESS...: a TCG profile passing ADDRESS... through
  local name=$1 a; shift
  {
    printf 'name: %s\naccelerator: tcg\ncpu: max\nmemory: 128M\nheadless: true\n%s\npassthrough:\n' "$name" "${EXTRA:-}"
    for a in "$@"; do printf '  - host: %s\n' "$a"; done
  } > "$profiles/$name.yaml"
  echo "$profiles/$name.yaml"
}

NIC=$(by_mac 52:54:00:00:00:01)      # alone in its group behind a pcie-root-port
BRNIC=$(by_mac 52:54:00:00:00:02)    # behind an ioh3420, shares the group with the port
PAIR0=$(by_mac 52:54:00:00:00:04)    # two functions of one device, one group
PAIR1=$(by_mac 52:54:00:00:00:05)
VGA=$(by_class 0x030000)
AUDIO=$(by_class 0x040300)
echo "devices: nic=$NIC nic-behind-ioh3420=$BRNIC pair=$PAIR0,$PAIR1 vga=$VGA audio=$AUDIO"
[ -n "$NIC" ] && [ -n "$BRNIC" ] && [ -n "$PAIR0" ] && [ -n "$PAIR1" ] && [ -n "$VGA" ] && [ -n "$AUDIO" ] \
  || { fail "the guest's devices are all there"; exit 0; }

iommu_suite() {
  local g
  run iommu iommu
  check "vmrun iommu exits 0 on a host with an IOMMU" [ $? = 0 ]
  g=$(group_of "$NIC")
  check "vmrun iommu lists group $g with $NIC on e1000e" grep -qE "^  $NIC .* e1000e" /tmp/iommu.out
  local port; port=$(basename "$(readlink -f "/sys/bus/pci/devices/$BRNIC/..")")
  check "the ioh3420 port $port shares $BRNIC's group" [ "$(group_of "$port")" = "$(group_of "$BRNIC")" ]
  check "vmrun iommu marks that port as a bridge on pcieport" grep -qE "^  $port .*pcieport +bridge" /tmp/iommu.out

  run check-host check
  check "vmrun check: IOMMU PASS inside the emulated-IOMMU guest" contains /tmp/check-host.out "PASS  IOMMU"
  check "vmrun check: interrupt remapping PASS" contains /tmp/check-host.out "PASS  IRQ"
  check "vmrun check: vfio modules PASS" contains /tmp/check-host.out "PASS  vfio"
  check "vmrun check: no /dev/kvm here is an honest FAIL" contains /tmp/check-host.out "FAIL  KVM"

  local nic_profile; nic_profile=$(profile nic "$NIC")
  run check-nic check "$nic_profile"
  check "vmrun check PROFILE passes (tcg profile, whole group)" [ $? = 0 ]
  check "vmrun check PROFILE shows the group plan" contains /tmp/check-nic.out "PASS  group $g"

  g=$(group_of "$NIC")
  run bind-nic bind "$nic_profile"
  check "vmrun bind binds $NIC by address" [ $? = 0 ]
  check "$NIC's driver link says vfio-pci" on_driver "$NIC" vfio-pci
  check "/dev/vfio/$g is a character device" [ -c "/dev/vfio/$g" ]
  check "driver_override of $NIC reads vfio-pci" [ "$(cat /sys/bus/pci/devices/$NIC/driver_override)" = vfio-pci ]
  check "the other e1000e devices stayed on e1000e" on_driver "$PAIR0" e1000e

  local half; half=$(profile half "$PAIR0")
  run bind-half bind "$half"
  check "binding one function of the shared pair is refused by vmrun" [ $? != 0 ]
  check "the refusal names the missing function $PAIR1 and its driver" contains /tmp/bind-half.out "also holds $PAIR1"
  check "the refusal says which line to add" contains /tmp/bind-half.out "add '- host: $PAIR1' to passthrough"
  check "nothing was bound: $PAIR0 still on e1000e" on_driver "$PAIR0" e1000e
  check "nothing was bound: no /dev/vfio/$(group_of "$PAIR0")" [ ! -e "/dev/vfio/$(group_of "$PAIR0")" ]

  run restore-nic restore nic
  check "vmrun restore exits 0" [ $? = 0 ]
  check "$NIC back on e1000e" on_driver "$NIC" e1000e
  check "/dev/vfio/$g is gone" [ ! -e "/dev/vfio/$g" ]
  check "driver_override of $NIC cleared" [ "$(cat /sys/bus/pci/devices/$NIC/driver_override)" = "(null)" ]
  check "$NIC has its network interface back" [ -d "/sys/bus/pci/devices/$NIC/net" ]

  local br; br=$(profile bridged "$BRNIC")
  run bind-bridged bind "$br"
  check "a device sharing its group with an ACS-less ioh3420 port binds (bridge exception)" on_driver "$BRNIC" vfio-pci
  check "its ioh3420 port $port stays on pcieport" on_driver "$port" pcieport
  run restore-bridged restore bridged
  check "$BRNIC back on e1000e" on_driver "$BRNIC" e1000e
}

case "$suite" in
  iommu) iommu_suite ;;
  all) iommu_suite ;;
  *) fail "unknown suite $suite" ;;
esac
