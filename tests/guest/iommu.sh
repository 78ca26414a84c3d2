#!/bin/bash
# The emulated IOMMU as vmrun sees it: vmrun iommu and check, bind by address,
# the refusal of one function of a shared group, restore, the bridge exception.
min_passes=28
source "$(dirname "$0")/lib.sh"

iommu_suite() {
  local g
  run iommu iommu
  check "vmrun iommu exits 0 on a host with an IOMMU" [ $? = 0 ]
  g=$(group_of "$NIC")
  check "vmrun iommu lists group $g with $NIC on e1000e" grep -qE "^  $NIC .* e1000e" $W/iommu.out
  local port; port=$(basename "$(readlink -f "/sys/bus/pci/devices/$BRNIC/..")")
  check "the ioh3420 port $port shares $BRNIC's group" [ "$(group_of "$port")" = "$(group_of "$BRNIC")" ]
  check "vmrun iommu marks that port as a bridge on pcieport" grep -qE "^  $port .*pcieport +bridge" $W/iommu.out

  run check-host check
  check "vmrun check: IOMMU PASS inside the emulated-IOMMU guest" contains $W/check-host.out "PASS  IOMMU"
  check "vmrun check: interrupt remapping PASS" contains $W/check-host.out "PASS  IRQ"
  check "vmrun check: vfio modules PASS" contains $W/check-host.out "PASS  vfio"
  check "vmrun check: no /dev/kvm here is an honest FAIL" contains $W/check-host.out "FAIL  KVM"

  local nic_profile; nic_profile=$(profile nic "$NIC")
  run check-nic check "$nic_profile"
  check "vmrun check PROFILE passes (tcg profile, whole group)" [ $? = 0 ]
  check "vmrun check PROFILE shows the group plan" contains $W/check-nic.out "PASS  group $g"

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
  check "the refusal names the missing function $PAIR1 and its driver" contains $W/bind-half.out "also holds $PAIR1"
  check "the refusal says which line to add" contains $W/bind-half.out "add '- host: $PAIR1' to passthrough"
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

have_base_devices && iommu_suite
