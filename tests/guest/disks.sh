#!/bin/bash
# Never take a disk the host uses: NVMe multipath and plain controllers with
# swap, a lazy unmount, another namespace's mount, a device-mapper volume.
min_passes=38
source "$(dirname "$0")/lib.sh"

# bind_refused ADDR NAME PROFILE CASE WHY SAID TEXT: vmrun bind refuses ADDR
# (WHY) with TEXT in its output (checked as SAID) and writes nothing; a bind
# that went through anyway is undone, so the next case starts from nvme.
bind_refused() {
  local a=$1 name=$2 p=$3 case=$4 why=$5 said=$6 text=$7 rc
  run "$name-$case" bind "$p"; rc=$?
  check "vmrun bind refuses $a $why" [ $rc != 0 ]
  check "$said" contains "$W/$name-$case.out" "$text"
  check "nothing was written: $a still on nvme" untouched "$a"
  [ $rc = 0 ] && run "$name-undo" restore "$name"
}

disks_suite() {
  local mp plain a disk name p rc holder
  mp=$(behind_slot $slot_nvme_mp 0); plain=$(behind_slot $slot_nvme_plain 0)
  echo "disks: multipath-layout nvme=$mp ($(nvme_disk "$mp")) plain nvme=$plain ($(nvme_disk "$plain"))"
  [ -n "$mp" ] && [ -n "$plain" ] || { fail "the guest's NVMe controllers are there"; return; }
  disk=$(nvme_disk "$mp")
  check "the nvme-subsys controller is in the multipath layout: /dev/$disk lives under the subsystem" \
    eval 'readlink -f /sys/class/block/$disk | grep -q /nvme-subsystem/ && ls -d /sys/bus/pci/devices/$mp/nvme/nvme*/nvme*c*n1 >/dev/null'
  check "the plain controller's /dev/$(nvme_disk "$plain") lives under its PCI function" \
    eval 'readlink -f /sys/class/block/$(nvme_disk "$plain") | grep -q "/$plain/nvme/"'

  for a in "$mp" "$plain"; do
    disk=$(nvme_disk "$a"); name=disk-${a//[:.]/-}
    p=$(profile "$name" "$a")
    mkswap -q "/dev/$disk" > /dev/null && swapon "/dev/$disk"
    check "swap is active on /dev/$disk" swap_active "$disk"
    run "$name-swap" bind "$p"; rc=$?
    check "vmrun bind refuses $a: swap on /dev/$disk" [ $rc != 0 ]
    check "the refusal names the swap on /dev/$disk" contains "$W/$name-swap.out" "$a holds active swap: /dev/$disk"
    check "nothing was written: $a still on nvme, driver_override untouched" untouched "$a"
    check "the swap on /dev/$disk is still active" swap_active "$disk"
    check "no journal was left for $name" [ ! -e "$VMRUN_STATE_DIR/$name/journal" ]
    swapoff "/dev/$disk"
    run "$name-free" bind "$p"
    check "with swap off, vmrun bind takes $a" on_driver "$a" vfio-pci
    check "/dev/$disk went with its controller" eventually [ ! -b "/dev/$disk" ]
    run "$name-restore" restore "$name"
    check "vmrun restore gives $a back to nvme" on_driver "$a" nvme
    check "restore brings /dev/$disk back" eventually [ -b "/dev/$disk" ]
  done

  # Claims no table in this namespace shows: only the kernel's answer (and a
  # scan of the other namespaces) can refuse them.
  a=$plain; disk=$(nvme_disk "$a"); name=disk-${a//[:.]/-}; p=$profiles/$name.yaml
  mkfs.ext4 -q -F "/dev/$disk" && mkdir -p "$W/lazy" "$W/ns"
  check "an ext4 filesystem on /dev/$disk mounts" mount "/dev/$disk" "$W/lazy"
  (cd "$W/lazy" && exec sleep 600) & holder=$!
  sleep 0.5; umount -l "$W/lazy"
  check "lazily unmounted, still busy: /dev/$disk is in no mount table" eval '! grep -q " 259:" /proc/*/mountinfo 2>/dev/null'
  bind_refused "$a" "$name" "$p" lazy "on the kernel's word (exclusive open: EBUSY)" \
    "the refusal says the kernel reports /dev/$disk in use" "the kernel reports /dev/$disk in use"
  kill "$holder"; wait "$holder" 2>/dev/null

  unshare -m sh -c "mount /dev/$disk $W/ns && exec sleep 600" & holder=$!
  check "mounted in a new mount namespace by pid $holder" eventually grep -q " $W/ns " "/proc/$holder/mountinfo"
  check "mounted in another mount namespace only: not in vmrun's /proc/self/mountinfo" eval '! grep -q " $W/ns " /proc/self/mountinfo'
  bind_refused "$a" "$name" "$p" ns "mounted in another mount namespace" \
    "the refusal names the namespace's process" "mounted at $W/ns in another mount namespace (that of pid $holder (sleep))"
  kill "$holder"; wait "$holder" 2>/dev/null

  # A device-mapper volume stacked on the disk (what LVM makes): named through holders/.
  check "a device-mapper volume vmrun-test-linear on /dev/$disk is created" \
    dmsetup create --noudevsync --verifyudev vmrun-test-linear --table "0 $(cat /sys/class/block/$disk/size) linear /dev/$disk 0"
  bind_refused "$a" "$name" "$p" dm "under a device-mapper volume" \
    "the refusal names the volume and its dm node" "is claimed by device-mapper device vmrun-test-linear (/dev/dm-"
  dmsetup remove --noudevsync --verifyudev vmrun-test-linear

  check "once released, vmrun bind takes $a" eval 'run "$name-last" bind "$p" && on_driver "$a" vfio-pci'
  run "$name-last-restore" restore "$name"
  check "and gives it back" on_driver "$a" nvme
}

disks_suite
