#!/bin/bash
# SR-IOV on QEMU's emulated NVMe (sriov_max_vfs=2): vmrun makes the VFs the
# profile names (pf/vf), binds the one asked for by address, the second-level
# QEMU opens it, and the PF's VF count is back at 0 after a stop and after
# each fault; a non-zero count that is too low is refused.
min_passes=23
source "$(dirname "$0")/lib.sh"

pf=$(behind_slot $slot_nvme_sriov 0)
numvfs() { cat "/sys/bus/pci/devices/$pf/sriov_numvfs"; }
vf_address() { local l; l=$(readlink "/sys/bus/pci/devices/$pf/virtfn$1") && echo "${l##*/}"; }
no_vfs() { [ "$(numvfs)" = 0 ] && ! ls "/sys/bus/pci/devices/$pf/" | grep -q '^virtfn'; }
vf1_handed_over() { [ "$(numvfs)" = 2 ] && on_driver "$(vf_address 1)" vfio-pci; }

sriov_suite() {
  local p=$profiles/vfvm.yaml vf
  check "the emulated NVMe is an SR-IOV physical function ($pf, $(cat /sys/bus/pci/devices/$pf/sriov_totalvfs 2>/dev/null) VFs)" \
    eval '[ -n "$pf" ] && [ -f "/sys/bus/pci/devices/$pf/sriov_totalvfs" ]'
  [ -n "$pf" ] || return
  run iommu-pf iommu
  check "vmrun iommu shows the PF with its VF counts" grep -q "$pf .*SR-IOV PF: 0 of 2 VFs" $W/iommu-pf.out
  { tiny_guest_head vfvm; printf 'passthrough:\n  - {pf: %s, vf: 1, id: nvme-vf}\n' "$pf"; } > "$p"
  run check-vfvm check "$p"
  check "vmrun check PROFILE says start creates 2 VFs and which one it binds" \
    grep -q "PASS  sriov      $pf has no virtual functions: start creates 2" $W/check-vfvm.out
  run start-vfvm start "$p" --detach
  check "vmrun start with a pf/vf item starts the VM" [ $? = 0 ]
  vf=$(vf_address 1)
  check "the PF has the 2 VFs vmrun made (sriov_numvfs)" [ "$(numvfs)" = 2 ]
  check "VF 1 ($vf) is on vfio-pci in its own IOMMU group $(group_of "$vf")" on_driver "$vf" vfio-pci
  check "VF 0 was left to the host" eval '! on_driver "$(vf_address 0)" vfio-pci'
  tr '\0' ' ' < "/proc/$(qemu_pid vfvm)/cmdline" > $W/vf-argv.txt 2>/dev/null
  check "the inner QEMU has the VF behind its own root port" contains $W/vf-argv.txt "vfio-pci,host=$vf,id=nvme-vf,bus=rp1,addr=0x0"
  check "query-pci: the inner QEMU opened the VF (rp1 0.0)" wait_placed vfvm "rp1 0.0 nvme-vf"

  stop_and_faults vfvm "$p" vf1_handed_over "VF 1 of the PF's 2 VFs is on vfio-pci" \
    no_vfs "the PF is back to 0 VFs"

  # The kernel changes a count only from 0: one VF made by hand is too few for vf 1.
  echo 1 > "/sys/bus/pci/devices/$pf/sriov_numvfs"
  run start-short start "$p" --detach
  check "a PF with 1 VF, not 0, is refused for vf 1" [ $? != 0 ]
  check "the refusal names the fix" contains $W/start-short.out "the kernel changes a VF count only from 0"
  check "the count stays as the user left it" [ "$(numvfs)" = 1 ]
  echo 0 > "/sys/bus/pci/devices/$pf/sriov_numvfs"
}

sriov_suite
