#!/bin/bash
# Give back only what is still vmrun's. The kernel gives a device back to its
# driver at boot, and the user can move it by hand: a restore after that must
# leave it where it is and say why, not unbind the host's driver (the disk).
# Also an earlier boot's journal entry, and an unbind that blocks in the kernel.
min_passes=26
source "$(dirname "$0")/lib.sh"

give_back_to_nvme() {  # as a reboot (or the user) does: no override, on nvme
  echo > "/sys/bus/pci/devices/$1/driver_override"
  [ -z "$(driver_of "$1")" ] || echo "$1" > "/sys/bus/pci/devices/$1/driver/unbind"
  echo "$1" > /sys/bus/pci/drivers/nvme/bind
}
disk_reads() { dd if="/dev/$1" of=/dev/null bs=4096 count=1 status=none 2>/dev/null; }
lock_free() { flock -n "$VMRUN_RUNTIME_DIR/$1.lock" true; }

journal_suite() {
  local a disk name p rc holder journal group line
  a=$(behind_slot $slot_nvme_plain 0); disk=$(nvme_disk "$a")
  [ -n "$a" ] && [ -n "$disk" ] || { fail "the plain NVMe controller is there"; return; }
  name=ours-${a//[:.]/-}; p=$(profile "$name" "$a"); journal=$VMRUN_STATE_DIR/$name/journal

  echo "$a" > /sys/bus/pci/drivers/nvme/unbind
  check "$a has no driver before vmrun takes it" [ -z "$(driver_of "$a")" ]
  run "$name-bind" bind "$p"
  check "vmrun bind takes the driverless $a" on_driver "$a" vfio-pci
  give_back_to_nvme "$a"
  check "as after a reboot, $a is on nvme again and /dev/$disk is back" eventually [ -b "/dev/$disk" ]
  run "$name-restore" restore "$name"; rc=$?
  check "vmrun restore succeeds" [ $rc = 0 ]
  check "and leaves $a on nvme (driver_override untouched)" untouched "$a"
  check "saying why" contains "$W/$name-restore.out" "$a is on nvme now, not on vfio-pci as vmrun left it: not touched"
  check "/dev/$disk still reads" disk_reads "$disk"
  check "the journal is settled" [ ! -e "$journal" ]

  # The same with swap on the disk, found by the next start.
  echo "$a" > /sys/bus/pci/drivers/nvme/unbind
  run "$name-bind2" bind "$p"
  give_back_to_nvme "$a"
  eventually [ -b "/dev/$disk" ] && mkswap -q "/dev/$disk" > /dev/null && swapon "/dev/$disk"
  check "back on nvme, swap is active on /dev/$disk" swap_active "$disk"
  run "$name-start" start "$p"; rc=$?
  check "vmrun start refuses to take it: swap on /dev/$disk" eval '[ $rc != 0 ] && contains "$W/$name-start.out" "$a holds active swap: /dev/$disk"'
  run "$name-restore2" restore "$name"; rc=$?
  check "vmrun restore leaves $a alone, saying why" eval '[ $rc = 0 ] && contains "$W/$name-restore2.out" "$a is on nvme now, not on vfio-pci as vmrun left it: not touched"'
  check "$a is still on nvme, its swap still active" eval 'untouched "$a" && swap_active "$disk"'
  swapoff "/dev/$disk"

  # An entry of an earlier boot: the kernel state it speaks of went with that boot.
  run "$name-bind3" bind "$p"
  check "vmrun bind takes $a (from nvme)" on_driver "$a" vfio-pci
  sed -i 's/"boot":"[^"]*"/"boot":"00000000-0000-0000-0000-000000000000"/' "$journal"
  run "$name-stale" restore "$name"
  check "an earlier boot's entry is reported, not undone" contains "$W/$name-stale.out" "'pci-driver' was written in an earlier boot"
  check "$a stays on vfio-pci" on_driver "$a" vfio-pci
  give_back_to_nvme "$a"
  check "(given back by hand)" eventually untouched "$a"

  # A remove that blocks: vfio-pci waits while a process holds the device
  # through its fd alone (no /proc/PID/fd names the group).
  run "$name-bind4" bind "$p"
  group=$(group_of "$a")
  python3 "$guest_dir/hold-vfio-device.py" "$group" "$a" > "$W/holder.out" 2>&1 & holder=$!
  check "a process holds $a's vfio device fd" eventually grep -qx held "$W/holder.out"
  sed 's/^/  /' "$W/holder.out"
  check "and no /proc/PID/fd names /dev/vfio/$group" eval '! ls -l /proc/[0-9]*/fd 2>/dev/null | grep -q "/dev/vfio/$group\$"'
  SECONDS=0
  run "$name-stuck" restore "$name"; rc=$?
  echo "  (vmrun restore took $SECONDS s)"
  check "vmrun restore ends (exit $rc) within 90 s instead of hanging in the kernel" eval '[ $rc != 0 ] && [ $SECONDS -lt 90 ]'
  check "naming the device and the stuck unbind" contains "$W/$name-stuck.out" "unbinding $a from vfio-pci: writing '$a' to"
  check "and that it stopped waiting" contains "$W/$name-stuck.out" "did not return within 60 s"
  check "vmrun's lock on $name is free" lock_free "$name"
  check "the journal is kept for a later restore" [ -e "$journal" ]
  kill "$holder"; wait "$holder" 2>/dev/null
  check "once the holder is gone, the kernel finishes the unbind" eventually [ -z "$(driver_of "$a")" ]
  run "$name-after" restore "$name"
  check "and vmrun restore gives $a back to nvme" untouched "$a"
  check "/dev/$disk is back and reads" eval 'eventually [ -b "/dev/$disk" ] && disk_reads "$disk"'
}

journal_suite
