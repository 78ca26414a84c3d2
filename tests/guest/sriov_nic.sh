#!/bin/bash
# SR-IOV on an emulated 82576 (QEMU's igb, 7 VFs): vmrun sets a VF's MAC,
# VLAN, spoof checking and trust on the PF over rtnetlink before the bind; the
# kernel's own report (ip -d link) shows them while the VM runs and what was
# there before after a stop, a QEMU crash and a restore.
min_passes=19
source "$(dirname "$0")/lib.sh"

pf=$(behind_slot $slot_igb 0)
net=""  # the PF's network interface, once the suite has seen the PF
numvfs() { cat "/sys/bus/pci/devices/$pf/sriov_numvfs"; }
vf1() { ip -d link show "$net" | grep -E '^ +vf 1 ' | tr -s ' '; }  # the kernel's record of VF 1

sriov_nic_suite() {
  local p=$profiles/nicvf.yaml sup vf
  check "the emulated igb is an SR-IOV physical function ($pf, $(cat /sys/bus/pci/devices/$pf/sriov_totalvfs 2>/dev/null) VFs)" \
    eval '[ -n "$pf" ] && [ -f "/sys/bus/pci/devices/$pf/sriov_totalvfs" ]'
  [ -n "$pf" ] || return
  net=$(ls "/sys/bus/pci/devices/$pf/net")
  { tiny_guest_head nicvf
    printf 'passthrough:\n  - {pf: %s, vf: 1, id: nic-vf, mac: 52:54:00:5e:00:01, vlan: 10, spoof_check: false, trust: true}\n' "$pf"; } > "$p"
  run check-nicvf check "$p"
  check "vmrun check says what VF 1 gets, on which interface" \
    contains $W/check-nicvf.out "vf 1 of $pf gets mac 52:54:00:5e:00:01, vlan 10, spoof checking off, trusted, set on $net over rtnetlink"

  run start-nicvf start "$p" --detach
  check "vmrun start with mac/vlan/spoof_check/trust on a VF starts the VM" [ $? = 0 ]
  vf=$(readlink "/sys/bus/pci/devices/$pf/virtfn1"); vf=${vf##*/}
  check "vmrun made the 2 VFs" [ "$(numvfs)" = 2 ]
  vf1 > $W/vf1-running.txt
  echo "  kernel: $(cat $W/vf1-running.txt)"
  check "the PF's driver has VF 1's MAC" contains $W/vf1-running.txt "link/ether 52:54:00:5e:00:01"
  check "and its port VLAN 10" contains $W/vf1-running.txt "vlan 10,"
  check "and spoof checking off" contains $W/vf1-running.txt "spoof checking off"
  check "and trust on" contains $W/vf1-running.txt "trust on"
  check "VF 1 ($vf) is on vfio-pci" on_driver "$vf" vfio-pci
  check "query-pci: the inner QEMU opened the VF (rp1 0.0)" wait_placed nicvf "rp1 0.0 nic-vf"
  sup=$(supervisor_pid nicvf)
  run stop-nicvf stop nicvf --force
  check "vmrun stop ends the VM" stopped "$sup"
  check "after stop the PF is back to 0 VFs (their settings gone with them)" [ "$(numvfs)" = 0 ]

  # VFs the user made and set up: vmrun's settings last as long as the VM.
  echo 2 > "/sys/bus/pci/devices/$pf/sriov_numvfs"
  ip link set "$net" vf 1 mac 52:54:00:99:00:01 vlan 5 spoofchk on trust off
  vf1 > $W/vf1-user.txt
  echo "  before: $(cat $W/vf1-user.txt)"
  run start-nicvf2 start "$p" --detach
  sup=$(supervisor_pid nicvf)
  check "with the user's VFs, VF 1 gets the profile's settings" eval 'vf1 | grep -q "52:54:00:5e:00:01.*vlan 10,.*spoof checking off.*trust on"'
  kill -9 "$(qemu_pid nicvf)"
  check "QEMU SIGKILLed: the supervisor ends" stopped "$sup"
  check "and VF 1 has the user's settings again, exactly" [ "$(vf1)" = "$(cat $W/vf1-user.txt)" ]
  check "and the user's 2 VFs stay" [ "$(numvfs)" = 2 ]
  run start-nicvf3 start "$p" --detach
  sup=$(supervisor_pid nicvf)
  kill -9 "$sup"
  check "supervisor SIGKILLed: VF 1 keeps the profile's settings meanwhile" eval 'vf1 | grep -q "52:54:00:5e:00:01"'
  run restore-nicvf restore nicvf
  check "vmrun restore says what it put back" contains $W/restore-nicvf.out "$net VF 1 back to mac 52:54:00:99:00:01, vlan 5, spoof checking on, not trusted"
  check "and VF 1 has the user's settings again" [ "$(vf1)" = "$(cat $W/vf1-user.txt)" ]
  echo 0 > "/sys/bus/pci/devices/$pf/sriov_numvfs"
}

sriov_nic_suite
