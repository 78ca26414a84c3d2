#!/bin/bash
# Runs inside the emulated-IOMMU guest of scripts/vfio-guest-test.sh, chrooted
# into this machine's root (read-only over 9p, with the guest's own /sys,
# /dev, /proc and a tmpfs /run). Drives this checkout's vmrun binary against
# the guest kernel's real vfio-pci and prints one PASS:/FAIL: line per check.
#
#   checks.sh TOP SUITE     SUITE: iommu | passthrough | disks | journal | sriov | sriov-nic | display | input | all
top=$1
suite=${2:-all}
vmrun=$top/build/vmrun
# Scratch space on the guest's tmpfs /run; /tmp is the host's, read-only (and may hold the checkout).
W=/run/vmrun-checks
export TMPDIR=$W/tmp VMRUN_RUNTIME_DIR=$W/run VMRUN_STATE_DIR=$W/state
profiles=$W/profiles
mkdir -p "$profiles" "$TMPDIR"

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
driver_of() { local l; l=$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null) && echo "${l##*/}"; }
group_of() { local l; l=$(readlink "/sys/bus/pci/devices/$1/iommu_group"); echo "${l##*/}"; }
on_driver() { [ "$(driver_of "$1")" = "$2" ]; }
contains() { grep -qF -- "$2" "$1"; }
by_mac() { local n; for n in /sys/class/net/*; do [ "$(cat "$n/address")" = "$1" ] && basename "$(readlink -f "$n/device")"; done; }
by_class() { local d; for d in /sys/bus/pci/devices/*; do [ "$(cat "$d/class")" = "$1" ] && { basename "$d"; return; }; done; }
# run NAME ARGS...: vmrun's output in $W/NAME.out, shown indented; returns its exit code
# A command that has not ended after RUN_LIMIT seconds is stopped, and what its
# processes wait for in the kernel is shown: a hang is named, not a boot's timeout.
run() {
  local name=$1; shift
  timeout --foreground -k 5 "${RUN_LIMIT:-400}" "$vmrun" "$@" > "$W/$name.out" 2>&1
  local rc=$?
  if [ $rc = 124 ]; then
    echo "  (vmrun $* did not end within ${RUN_LIMIT:-400} s; vmrun's processes and their kernel stacks:)"
    for p in $(pgrep -f "^$vmrun"); do
      echo "  pid $p: $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)"
      sed 's/^/    /' "/proc/$p/stack" 2>/dev/null | head -12
    done
    for l in "$VMRUN_STATE_DIR"/*/vmrun.log; do echo "  $l:"; tail -5 "$l" | sed 's/^/    /'; done
  fi
  echo "+ vmrun $* (exit $rc)"
  sed 's/^/  /' "$W/$name.out" | head -40
  return $rc
}
tiny_guest_head() {  # tiny_guest_head NAME: a TCG profile's first keys, booting the tiny guest
  cat <<PROFILE
name: $1
accelerator: tcg
cpu: max
memory: 128M
headless: true
kernel:
  image: $top/build/tiny-guest/vmlinuz
  initrd: $top/build/tiny-guest/initrd.cpio.gz
  cmdline: console=ttyS0 panic=-1 loglevel=4
PROFILE
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

# Where query-pci puts each device behind a root port: "rp1 0.1 hostdev1" lines.
placement() {
  "$vmrun" qmp "$1" query-pci | python3 -c '
import json, sys
def walk(devices, port):
    for d in devices:
        bridge = d.get("pci_bridge")
        if port:
            print(port, "%d.%d" % (d["slot"], d["function"]), d.get("qdev_id", "?"))
        if bridge:
            walk(bridge.get("devices", []), d.get("qdev_id", "?"))
for bus in json.load(sys.stdin):
    walk(bus["devices"], None)'
}
all_on() { local d=$1 a; shift; for a in "$@"; do on_driver "$a" "$d" || return 1; done; }
# A pid file holds "PID START_TIME"; the pid is the first word.
qemu_pid() { { read -r pid _ < "$VMRUN_RUNTIME_DIR/$1/qemu.pid"; } 2>/dev/null && echo "$pid"; }
supervisor_pid() { { read -r pid _ < "$VMRUN_RUNTIME_DIR/$1/supervisor.pid"; } 2>/dev/null && echo "$pid"; }
# stopped PID: PID is known and exits within 60 s
stopped() { local i; [ -n "$1" ] || return 1; for i in $(seq 1 600); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; return 1; }
release_console() { local vt; for vt in /sys/class/vtconsole/vtcon*; do grep -q "frame buffer" "$vt/name" && echo 0 > "$vt/bind"; done; }
no_group_nodes() { ! ls /dev/vfio 2>/dev/null | grep -qv '^vfio$'; }
wait_placed() {  # wait_placed VM LINE: the firmware numbers the buses after cont
  local i; for i in $(seq 1 120); do placement "$1" > $W/placement.out 2>&1; grep -qx "$2" $W/placement.out && return 0; sleep 0.5; done
  return 1
}

passthrough_suite() {
  local vga_driver audio_driver gpu_group
  vga_driver=$(driver_of "$VGA"); audio_driver=$(driver_of "$AUDIO"); gpu_group=$(group_of "$VGA")
  back_home() { on_driver "$VGA" "$vga_driver" && on_driver "$AUDIO" "$audio_driver" && all_on e1000e "$NIC" "$BRNIC" "$PAIR0" "$PAIR1"; }
  local p=$profiles/gpuvm.yaml
  { tiny_guest_head gpuvm; cat <<PROFILE
root_ports:
  spare: 2
passthrough:
  - host: $VGA
    x_vga: true
  - host: $AUDIO
  - host: $NIC
  - host: $BRNIC
PROFILE
  } > "$p"
  run check-gpuvm check "$p"
  check "vmrun check PROFILE: IOMMU PASS" contains $W/check-gpuvm.out "PASS  IOMMU"
  check "vmrun check PROFILE: the GPU pair's group $gpu_group binds whole" \
    grep -qE "PASS  group $gpu_group +$VGA .* -> vfio-pci, $AUDIO .* -> vfio-pci" $W/check-gpuvm.out
  check "vmrun check PROFILE fails on the boot GPU under the console" contains $W/check-gpuvm.out "FAIL  passthrough$VGA is the boot GPU"

  # The emulated VGA carries the guest's framebuffer console, as a desktop's boot GPU does.
  run start-console start "$p" --detach
  check "the boot GPU under the host console is refused" [ $? != 0 ]
  check "the refusal says why and how to release it" contains $W/start-console.out "is the boot GPU and the host console is on it"
  check "nothing was bound after the refusal" on_driver "$VGA" "$vga_driver"
  # Follow vmrun's fix: release the console from the framebuffer. (Giving the
  # GPU back to its driver hands the console back too, so before each start.)
  release_console
  run check-released check "$p"
  check "with the console released, vmrun check PROFILE passes" [ $? = 0 ]
  run start-gpuvm start "$p" --detach
  check "vmrun PROFILE --detach starts the VM" [ $? = 0 ]
  check "every device of the planned groups is on vfio-pci" all_on vfio-pci "$VGA" "$AUDIO" "$NIC" "$BRNIC"
  check "/dev/vfio/$gpu_group exists for the GPU pair" [ -c "/dev/vfio/$gpu_group" ]
  tr '\0' ' ' < "/proc/$(qemu_pid gpuvm)/cmdline" > $W/argv.txt
  echo "  inner QEMU: $(cat $W/argv.txt)"
  check "inner QEMU has ioh3420 root ports" contains $W/argv.txt "ioh3420,id=rp1,bus=pcie.0,addr=0x1c.0x0,multifunction=on"
  check "the VGA function is function 0 with multifunction=on and x-vga=on" \
    contains $W/argv.txt "vfio-pci,host=$VGA,id=hostdev0,bus=rp1,addr=0x0.0x0,multifunction=on,x-vga=on"
  check "the audio function is function 1 of the same slot" contains $W/argv.txt "vfio-pci,host=$AUDIO,id=hostdev1,bus=rp1,addr=0x0.0x1"
  check "query-pci: the VGA function at rp1 0.0" wait_placed gpuvm "rp1 0.0 hostdev0"
  sed 's/^/  /' $W/placement.out
  check "query-pci: the audio function at rp1 0.1" grep -qx "rp1 0.1 hostdev1" $W/placement.out
  check "query-pci: the NIC at rp2 0.0" grep -qx "rp2 0.0 hostdev2" $W/placement.out
  check "query-pci: the NIC behind the host's ioh3420 at rp3 0.0" grep -qx "rp3 0.0 hostdev3" $W/placement.out
  run xvga qmp gpuvm qom-get '{"path": "/machine/peripheral/hostdev0", "property": "x-vga"}'
  check "QEMU reports x-vga on for the VGA function" grep -qx "true" $W/xvga.out

  placed_pair() { placement gpuvm > $W/hp.out; sed 's/^/  /' $W/hp.out; grep -qx 'rp4 0.0 hostdev4' $W/hp.out && grep -qx 'rp4 0.1 hostdev4.f1' $W/hp.out; }
  local t0=$SECONDS i
  for i in $(seq 1 600); do grep -q VMRUN-GUEST-READY "$VMRUN_STATE_DIR/gpuvm/console.log" 2>/dev/null && break; sleep 1; done
  local console=$VMRUN_STATE_DIR/gpuvm/console.log
  check "the inner guest (tiny Linux) boots, $((SECONDS - t0)) s under nested TCG" grep -q VMRUN-GUEST-READY "$console"
  cp "$p" $W/gpuvm.yaml.before
  run hotplug hotplug gpuvm --pci "$PAIR0,$PAIR1" --persist
  check "vmrun hotplug --pci --persist binds the pair and adds it" [ $? = 0 ]
  # (No process substitution: the chroot's /dev has no /dev/fd.)
  sed '/^  - host: '"$BRNIC"'$/a\
  - host: "'"$PAIR0"'"\
    id: hostdev4\
  - host: "'"$PAIR1"'"\
    id: hostdev4.f1' $W/gpuvm.yaml.before > $W/gpuvm.yaml.expected
  check "--persist wrote both functions into the profile, after the last passthrough item" diff $W/gpuvm.yaml.expected "$p"
  run validate-persisted validate "$p"
  check "the persisted profile validates" [ $? = 0 ]
  check "the hotplugged pair is on vfio-pci" all_on vfio-pci "$PAIR0" "$PAIR1"
  check "query-pci: the pair in the reserved port rp4 as 0.0 and 0.1" \
    placed_pair
  guest_saw() { local i; for i in $(seq 1 120); do grep -qiE "$1" "$console" && return 0; sleep 0.5; done; return 1; }
  check "the inner guest's kernel sees the hotplugged functions (uevent add, 8086:10D3)" guest_saw "VMRUN-UEVENT add pci .* 8086:10D3"
  run unplug unplug gpuvm hostdev4 --timeout 60 --persist
  local unplug_rc=$?
  if grep -q "removed 'hostdev4'" $W/unplug.out; then
    check "vmrun unplug waits for DEVICE_DELETED and gives the pair back" all_on e1000e "$PAIR0" "$PAIR1"
    check "the inner guest saw the pair go (uevent remove)" guest_saw "VMRUN-UEVENT remove pci"
    check "unplug --persist took both functions out of the profile, byte for byte" cmp $W/gpuvm.yaml.before "$p"
  else
    cp $W/gpuvm.yaml.before "$p"  # the later starts use the profile as it was
    fail "vmrun unplug: the guest released the pair (exit $unplug_rc)"
    check "when the guest does not answer, the pair stays on vfio-pci while QEMU holds it" all_on vfio-pci "$PAIR0" "$PAIR1"
  fi

  local sup; sup=$(supervisor_pid gpuvm)
  run stop-gpuvm stop gpuvm --force
  check "vmrun stop --force ends the VM" stopped "$sup"
  check "the VGA function is back on $vga_driver" on_driver "$VGA" "$vga_driver"
  check "the audio function is back on $audio_driver" on_driver "$AUDIO" "$audio_driver"
  check "both NICs are back on e1000e" all_on e1000e "$NIC" "$BRNIC"
  check "the hotplugged pair is back on e1000e" all_on e1000e "$PAIR0" "$PAIR1"
  check "no /dev/vfio group node is left" no_group_nodes

  # Fault: the inner QEMU dies; the supervisor gives everything back.
  release_console
  run start-again start "$p" --detach
  sup=$(supervisor_pid gpuvm)
  check "started again, devices on vfio-pci" all_on vfio-pci "$VGA" "$AUDIO" "$NIC" "$BRNIC"
  local qemu; qemu=$(qemu_pid gpuvm)
  [ -n "$qemu" ] && kill -9 "$qemu"
  check "QEMU SIGKILLed: the supervisor ends" stopped "$sup"
  check "QEMU SIGKILLed: the supervisor gave every device back" back_home
  check "QEMU SIGKILLed: no /dev/vfio group node is left" no_group_nodes

  # Fault: the supervisor dies; vmrun restore stops the orphan and gives everything back.
  release_console
  run start-third start "$p" --detach
  sup=$(supervisor_pid gpuvm)
  local orphan; orphan=$(qemu_pid gpuvm)
  [ -n "$sup" ] && kill -9 "$sup"
  check "supervisor SIGKILLed: it is gone" stopped "$sup"
  check "supervisor SIGKILLed: the orphaned QEMU still holds the devices" \
    sh -c "[ -n '$orphan' ] && kill -0 '$orphan' 2>/dev/null && [ \"\$(basename \"\$(readlink /sys/bus/pci/devices/$VGA/driver)\")\" = vfio-pci ]"
  run restore-gpuvm restore gpuvm
  check "vmrun restore exits 0" [ $? = 0 ]
  check "vmrun restore stopped the orphaned QEMU" stopped "$orphan"
  check "vmrun restore gave every device back" back_home
  check "vmrun restore: no /dev/vfio group node is left" no_group_nodes

  # A profile with only one function of the pair: refused, nothing bound.
  cat > "$profiles/half-gpu.yaml" <<PROFILE
name: halfgpu
accelerator: tcg
cpu: max
memory: 128M
headless: true
passthrough:
  - host: $VGA
    x_vga: true
PROFILE
  run start-half start "$profiles/half-gpu.yaml" --detach
  check "a profile with the VGA function alone is refused" [ $? != 0 ]
  check "the refusal names the audio function and its driver" contains $W/start-half.out "also holds $AUDIO"
  check "nothing was bound: the VGA function is still on $vga_driver" on_driver "$VGA" "$vga_driver"
}

# The PCI function of the NVMe controller with serial $1.
nvme_by_serial() { local c; for c in /sys/class/nvme/nvme*; do [ "$(tr -d ' ' < "$c/serial")" = "$1" ] && basename "$(readlink -f "$c/device")"; done; }
# The block device the host uses for the first namespace of the NVMe at $1:
# the subsystem's head for a multipath path device (nvme0c0n1 -> nvme0n1).
nvme_disk() { local d; for d in /sys/bus/pci/devices/$1/nvme/nvme*/nvme*n1; do [ -e "$d" ] && basename "$d" | sed 's/c[0-9]*n/n/'; done | head -1; }
eventually() { local i; for i in $(seq 1 100); do "$@" && return 0; sleep 0.1; done; return 1; }
swap_active() { grep -q "^/dev/$1 " /proc/swaps; }
untouched() { on_driver "$1" nvme && [ "$(cat "/sys/bus/pci/devices/$1/driver_override")" = "(null)" ]; }

disks_suite() {
  local mp plain a disk name p rc holder
  mp=$(nvme_by_serial vmrunA); plain=$(nvme_by_serial vmrunB)
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
  run "$name-lazy" bind "$p"; rc=$?
  check "vmrun bind refuses $a on the kernel's word (exclusive open: EBUSY)" [ $rc != 0 ]
  check "the refusal says the kernel reports /dev/$disk in use" contains "$W/$name-lazy.out" "the kernel reports /dev/$disk in use"
  check "nothing was written: $a still on nvme" untouched "$a"
  [ $rc = 0 ] && run "$name-undo" restore "$name"
  kill "$holder"; wait "$holder" 2>/dev/null

  unshare -m sh -c "mount /dev/$disk $W/ns && exec sleep 600" & holder=$!
  check "mounted in a new mount namespace by pid $holder" eventually grep -q " $W/ns " "/proc/$holder/mountinfo"
  check "mounted in another mount namespace only: not in vmrun's /proc/self/mountinfo" eval '! grep -q " $W/ns " /proc/self/mountinfo'
  run "$name-ns" bind "$p"; rc=$?
  check "vmrun bind refuses $a mounted in another mount namespace" [ $rc != 0 ]
  check "the refusal names the namespace's process" contains "$W/$name-ns.out" "mounted at $W/ns in another mount namespace (that of pid $holder (sleep))"
  check "nothing was written: $a still on nvme" untouched "$a"
  [ $rc = 0 ] && run "$name-undo" restore "$name"
  kill "$holder"; wait "$holder" 2>/dev/null

  # A device-mapper volume stacked on the disk (what LVM makes): named through holders/.
  check "a device-mapper volume vmrun-test-linear on /dev/$disk is created" \
    dmsetup create --noudevsync --verifyudev vmrun-test-linear --table "0 $(cat /sys/class/block/$disk/size) linear /dev/$disk 0"
  run "$name-dm" bind "$p"; rc=$?
  check "vmrun bind refuses $a under a device-mapper volume" [ $rc != 0 ]
  check "the refusal names the volume and its dm node" contains "$W/$name-dm.out" "is claimed by device-mapper device vmrun-test-linear (/dev/dm-"
  check "nothing was written: $a still on nvme" untouched "$a"
  [ $rc = 0 ] && run "$name-undo" restore "$name"
  dmsetup remove --noudevsync --verifyudev vmrun-test-linear

  check "once released, vmrun bind takes $a" eval 'run "$name-last" bind "$p" && on_driver "$a" vfio-pci'
  run "$name-last-restore" restore "$name"
  check "and gives it back" on_driver "$a" nvme
}

# Give back only what is still vmrun's. The kernel gives a device back to its
# driver at boot, and the user can move it by hand: a restore after that must
# leave it where it is and say why, not unbind the host's driver (the disk).
give_back_to_nvme() {  # as a reboot (or the user) does: no override, on nvme
  echo > "/sys/bus/pci/devices/$1/driver_override"
  [ -z "$(driver_of "$1")" ] || echo "$1" > "/sys/bus/pci/devices/$1/driver/unbind"
  echo "$1" > /sys/bus/pci/drivers/nvme/bind
}
disk_reads() { dd if="/dev/$1" of=/dev/null bs=4096 count=1 status=none 2>/dev/null; }
lock_free() { flock -n "$VMRUN_RUNTIME_DIR/$1.lock" true; }

journal_suite() {
  local a disk name p rc holder journal group line
  a=$(nvme_by_serial vmrunB); disk=$(nvme_disk "$a")
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
  python3 "$top/scripts/vfio-guest/hold-vfio-device.py" "$group" "$a" > "$W/holder.out" 2>&1 & holder=$!
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

# SR-IOV on QEMU's emulated NVMe (sriov_max_vfs=2): vmrun makes the VFs the
# profile names (pf/vf), binds the one asked for by address, the second-level
# QEMU opens it, and the PF's VF count is back at 0 after a stop and after
# each fault; a non-zero count that is too low is refused.
sriov_suite() {
  local d pf=""
  for d in /sys/bus/pci/devices/*; do [ -f "$d/sriov_totalvfs" ] && [ "$(cat "$d/vendor")" = 0x1b36 ] && pf=${d##*/}; done
  check "the emulated NVMe is an SR-IOV physical function ($pf, $(cat /sys/bus/pci/devices/$pf/sriov_totalvfs 2>/dev/null) VFs)" [ -n "$pf" ]
  [ -n "$pf" ] || return
  numvfs() { cat "/sys/bus/pci/devices/$pf/sriov_numvfs"; }
  no_vfs() { [ "$(numvfs)" = 0 ] && ! ls "/sys/bus/pci/devices/$pf/" | grep -q '^virtfn'; }
  run iommu-pf iommu
  check "vmrun iommu shows the PF with its VF counts" grep -q "$pf .*SR-IOV PF: 0 of 2 VFs" $W/iommu-pf.out
  local p=$profiles/vfvm.yaml
  { tiny_guest_head vfvm; printf 'passthrough:\n  - {pf: %s, vf: 1, id: nvme-vf}\n' "$pf"; } > "$p"
  run check-vfvm check "$p"
  check "vmrun check PROFILE says start creates 2 VFs and which one it binds" \
    grep -q "PASS  sriov      $pf has no virtual functions: start creates 2" $W/check-vfvm.out
  local sup vf
  run start-vfvm start "$p" --detach
  check "vmrun start with a pf/vf item starts the VM" [ $? = 0 ]
  vf=$(readlink "/sys/bus/pci/devices/$pf/virtfn1"); vf=${vf##*/}
  check "the PF has the 2 VFs vmrun made (sriov_numvfs)" [ "$(numvfs)" = 2 ]
  check "VF 1 ($vf) is on vfio-pci in its own IOMMU group $(group_of "$vf")" on_driver "$vf" vfio-pci
  check "VF 0 was left to the host" eval '! on_driver "$(basename "$(readlink /sys/bus/pci/devices/$pf/virtfn0)")" vfio-pci'
  tr '\0' ' ' < "/proc/$(qemu_pid vfvm)/cmdline" > $W/vf-argv.txt 2>/dev/null
  check "the inner QEMU has the VF behind its own root port" contains $W/vf-argv.txt "vfio-pci,host=$vf,id=nvme-vf,bus=rp1,addr=0x0"
  check "query-pci: the inner QEMU opened the VF (rp1 0.0)" wait_placed vfvm "rp1 0.0 nvme-vf"
  sup=$(supervisor_pid vfvm)
  run stop-vfvm stop vfvm --force
  check "vmrun stop ends the VM" stopped "$sup"
  check "after stop the PF is back to 0 VFs" no_vfs

  # Faults: QEMU killed; then the supervisor killed and 'vmrun restore'.
  run start-vfvm2 start "$p" --detach
  check "the VM starts again for the QEMU fault" [ $? = 0 ]
  sup=$(supervisor_pid vfvm)
  kill -9 "$(qemu_pid vfvm)"
  check "QEMU SIGKILLed: the supervisor ends" stopped "$sup"
  check "and the PF is back to 0 VFs" no_vfs
  run start-vfvm3 start "$p" --detach
  check "the VM starts again for the supervisor fault" [ $? = 0 ]
  sup=$(supervisor_pid vfvm)
  [ -n "$sup" ] && kill -9 "$sup"
  check "supervisor SIGKILLed: the VFs stay with the orphan" [ "$(numvfs)" = 2 ]
  run restore-vfvm restore vfvm
  check "vmrun restore stops it and the PF is back to 0 VFs" no_vfs

  # The kernel changes a count only from 0: one VF made by hand is too few for vf 1.
  echo 1 > "/sys/bus/pci/devices/$pf/sriov_numvfs"
  run start-short start "$p" --detach
  check "a PF with 1 VF, not 0, is refused for vf 1" [ $? != 0 ]
  check "the refusal names the fix" contains $W/start-short.out "the kernel changes a VF count only from 0"
  check "the count stays as the user left it" [ "$(numvfs)" = 1 ]
  echo 0 > "/sys/bus/pci/devices/$pf/sriov_numvfs"
}

# SR-IOV on an emulated 82576 (QEMU's igb, 7 VFs): vmrun sets a VF's MAC,
# VLAN, spoof checking and trust on the PF over rtnetlink before the bind; the
# kernel's own report (ip -d link) shows them while the VM runs and what was
# there before after a stop, a QEMU crash and a restore.
sriov_nic_suite() {
  local pf net p=$profiles/nicvf.yaml sup vf
  pf=$(by_mac 52:54:00:00:00:08)
  check "the emulated igb is an SR-IOV physical function ($pf, $(cat /sys/bus/pci/devices/$pf/sriov_totalvfs 2>/dev/null) VFs)" \
    [ -n "$pf" ] && [ -f "/sys/bus/pci/devices/$pf/sriov_totalvfs" ]
  [ -n "$pf" ] || return
  net=$(ls "/sys/bus/pci/devices/$pf/net")
  numvfs() { cat "/sys/bus/pci/devices/$pf/sriov_numvfs"; }
  vf1() { ip -d link show "$net" | grep -E '^ +vf 1 ' | tr -s ' '; }  # the kernel's record of VF 1
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

# Single-GPU handoff: the emulated VGA is the boot GPU, driven by the bochs
# module with the framebuffer console on it, as a desktop's GPU is. A stand-in
# display manager (a process holding /dev/dri/card0, stopped and started by
# the profile's commands) runs. vmrun hands the GPU over without the console
# being released by hand, and gives everything back after a stop and each fault.
display_suite() {
  local p=$profiles/deskvm.yaml dm=$W/bin/display-manager sup qemu orphan
  mkdir -p "$W/bin"
  cat > "$dm" <<'DM'
#!/bin/bash
# A display manager's stand-in: holds the GPU's DRM node open while it runs.
pidfile=/run/vmrun-checks/display-manager.pid
case $1 in
  start)
    [ -e /dev/dri/card0 ] || { echo "no /dev/dri/card0: the GPU has no DRM driver" >&2; exit 1; }
    setsid bash -c 'exec 3</dev/dri/card0; exec -a vmrun-display-manager sleep 100000' </dev/null >/dev/null 2>&1 &
    echo $! > "$pidfile"
    echo "started $(cat "$pidfile")" >> /run/vmrun-checks/display-manager.log ;;
  stop)
    pid=$(cat "$pidfile") && kill "$pid" && rm -f "$pidfile"
    echo "stopped $pid" >> /run/vmrun-checks/display-manager.log ;;
esac
DM
  chmod +x "$dm"
  dm_running() { local pid; pid=$(cat $W/display-manager.pid 2>/dev/null) && [ -n "$pid" ] && [ "$(readlink "/proc/$pid/fd/3")" = /dev/dri/card0 ]; }
  fb_console() { local vt; for vt in /sys/class/vtconsole/vtcon*; do grep -q "frame buffer" "$vt/name" && [ "$(cat "$vt/bind")" = 1 ] && return 0; done; return 1; }
  host_has_display() { on_driver "$VGA" bochs-drm && [ -d /sys/module/bochs ] && fb_console && dm_running && on_driver "$AUDIO" snd_hda_intel; }
  handed_over() { on_driver "$VGA" vfio-pci && [ ! -d /sys/module/bochs ] && ! fb_console && ! dm_running && [ ! -e /dev/dri/card0 ]; }

  "$dm" start
  check "the boot VGA $VGA is on bochs-drm (module bochs) with the framebuffer console on it" eval 'on_driver "$VGA" bochs-drm && fb_console && [ "$(cat /sys/bus/pci/devices/$VGA/boot_vga)" = 1 ]'
  check "the stand-in display manager holds /dev/dri/card0" eventually dm_running

  { tiny_guest_head deskvm; cat <<PROFILE
passthrough:
  - host: $VGA
    x_vga: true
  - host: $AUDIO
host_display:
  stop: [$dm, stop]
  start: [$dm, start]
  timeout: 20
PROFILE
  } > "$p"
  run check-deskvm check "$p"
  check "vmrun check PROFILE: the console on the boot GPU is handed over, not a failure" \
    contains $W/check-deskvm.out "PASS  handoff    $VGA is the boot GPU and the host console is on it"
  check "vmrun check PROFILE: the handoff unloads the module bochs" contains $W/check-deskvm.out "unloads bochs"
  check "vmrun check PROFILE passes" [ "$(grep -c '^FAIL' $W/check-deskvm.out)" = 0 ]

  run start-deskvm start "$p" --detach
  if [ $? != 0 ]; then
    fail "vmrun start hands the boot GPU over and starts the VM"
    run restore-after-failure restore deskvm; "$dm" stop
    return
  fi
  pass "vmrun start hands the boot GPU over and starts the VM"
  check "while the VM runs: the display manager stopped, the console released, bochs unloaded, the GPU on vfio-pci" handed_over
  check "the audio function is on vfio-pci too" on_driver "$AUDIO" vfio-pci
  check "query-pci: the inner QEMU has the GPU at rp1 0.0" wait_placed deskvm "rp1 0.0 hostdev0"
  check "the journal holds the handoff's steps in order" \
    eval 'grep -o "\"action\":\"[a-z-]*\"" "$VMRUN_STATE_DIR/deskvm/journal" | tr "\n" " " | grep -q "display-manager.*vtconsole.*kernel-module.*pci-driver"'
  sup=$(supervisor_pid deskvm)
  run stop-deskvm stop deskvm --force
  check "vmrun stop ends the VM" stopped "$sup"
  check "after stop: bochs is back on the GPU, the framebuffer console on it, the display manager running" host_has_display

  # Fault: the inner QEMU dies; the supervisor gives the display back.
  run start-deskvm2 start "$p" --detach
  check "the VM starts again for the QEMU fault (no console released by hand)" [ $? = 0 ]
  sup=$(supervisor_pid deskvm); qemu=$(qemu_pid deskvm)
  check "and the host's display is handed over again" handed_over
  [ -n "$qemu" ] && kill -9 "$qemu"
  check "QEMU SIGKILLed: the supervisor ends" stopped "$sup"
  check "QEMU SIGKILLed: the display is the host's again" host_has_display

  # Fault: the supervisor dies; 'vmrun restore' stops the orphan and gives the display back.
  run start-deskvm3 start "$p" --detach
  check "the VM starts again for the supervisor fault" [ $? = 0 ]
  sup=$(supervisor_pid deskvm); orphan=$(qemu_pid deskvm)
  [ -n "$sup" ] && kill -9 "$sup"
  check "supervisor SIGKILLed: the orphaned QEMU keeps the GPU, the display stays handed over" \
    eval 'stopped "$sup" && kill -0 "$orphan" 2>/dev/null && handed_over'
  run restore-deskvm restore deskvm
  check "vmrun restore exits 0" [ $? = 0 ]
  check "vmrun restore stopped the orphaned QEMU" stopped "$orphan"
  check "vmrun restore: the display is the host's again" host_has_display
  check "vmrun restore says it loaded bochs and started the display manager" \
    eval 'contains $W/restore-deskvm.out "kernel module bochs loaded again" && contains $W/restore-deskvm.out "display manager'"'"'s start command"'

  # A holder the stop command does not end: named, and nothing is left changed.
  bash -c 'exec 3</dev/dri/card0; exec -a vmrun-stray-client sleep 100000' </dev/null >/dev/null 2>&1 & local stray=$!
  sed -i 's/timeout: 20/timeout: 2/' "$p"
  run start-held start "$p" --detach
  check "a GPU still held after the display manager stopped is refused" [ $? != 0 ]
  check "the refusal names the holder" contains $W/start-held.out "pid $stray (sleep) has /dev/dri/card0 open"
  check "and the display manager was started again, the GPU never left bochs" eval 'host_has_display && ! on_driver "$VGA" vfio-pci'
  kill "$stray"; wait "$stray" 2>/dev/null
  "$dm" stop
}

# evdev input: a keyboard made with the guest kernel's uinput is handed to a
# second-level VM (QEMU's input-linux, grabbed), keys typed on it reach the
# inner kernel's virtio keyboard (the tiny guest prints each key event with
# vmrun.keys); a second keyboard is hotplugged and unplugged live.
input_suite() {
  local kbd ev ev2 p=$profiles/kbdvm.yaml sup console=$VMRUN_STATE_DIR/kbdvm/console.log
  event_of() { local e; for e in /sys/class/input/event*; do [ "$(cat "$e/device/name")" = "$1" ] && { echo "/dev/input/${e##*/}"; return; }; done; }
  held_by() { [ -n "$2" ] && ls -l "/proc/$2/fd" 2>/dev/null | grep -q -- "-> $1\$"; }
  guest_saw() { local i; for i in $(seq 1 120); do grep -qF "$1" "$console" 2>/dev/null && return 0; sleep 0.5; done; return 1; }
  mkfifo "$W/keys"
  python3 "$top/scripts/vfio-guest/uinput-keyboard.py" "$W/keys" > "$W/uinput.out" 2>&1 & kbd=$!
  exec 7> "$W/keys"
  eventually grep -q created "$W/uinput.out"
  ev=$(event_of vmrun-test-keyboard)
  check "uinput made the keyboard vmrun-test-keyboard ($ev)" [ -c "$ev" ]

  # QEMU drops to nobody, who cannot open the device (0600 root): it opens it before.
  check "$ev is root's alone (0600)" [ "$(stat -c %a:%U "$ev")" = 600:root ]
  { tiny_guest_head kbdvm | sed 's/cmdline: console=ttyS0/cmdline: vmrun.keys console=ttyS0/'; cat <<PROFILE
run_as: nobody
input:
  - evdev: $ev
    grab_all: true
    repeat: true
input_toggle: scrolllock
PROFILE
  } > "$p"
  sed "s|evdev: $ev|evdev: /dev/null|" "$p" > "$profiles/kbd-null.yaml"
  run start-null start "$profiles/kbd-null.yaml" --detach
  check "an input that is no evdev device is refused before anything starts" contains $W/start-null.out "input /dev/null is not an input device"
  run start-kbdvm start "$p" --detach
  if [ $? != 0 ]; then fail "vmrun start with input starts the VM"; exec 7>&-; return; fi
  pass "vmrun start with input starts the VM"
  sup=$(supervisor_pid kbdvm)
  tr '\0' ' ' < "/proc/$(qemu_pid kbdvm)/cmdline" > $W/kbd-argv.txt
  check "the inner QEMU has input-linux on $ev with grab_all, repeat and the toggle" \
    contains $W/kbd-argv.txt "input-linux,id=vmrun-input0,evdev=$ev,grab_all=on,repeat=on,grab-toggle=scrolllock"
  check "and a virtio keyboard and mouse" eval 'contains $W/kbd-argv.txt "virtio-keyboard-pci,id=vmrun-keyboard" && contains $W/kbd-argv.txt "virtio-mouse-pci,id=vmrun-mouse"'
  check "the inner QEMU holds $ev open" eventually held_by "$ev" "$(qemu_pid kbdvm)"
  check "QEMU runs as nobody: it opened the root-only device before it dropped to run_as" \
    eval '[ "$(stat -c %U "/proc/$(qemu_pid kbdvm)")" = nobody ] && [ "$(stat -c %a:%U "$ev")" = 600:root ]'
  local t0=$SECONDS i
  for i in $(seq 1 600); do grep -q VMRUN-GUEST-READY "$console" 2>/dev/null && break; sleep 1; done
  check "the inner guest boots ($((SECONDS - t0)) s under nested TCG)" grep -q VMRUN-GUEST-READY "$console"
  sleep 2  # its key reporters open their devices after READY is printed
  echo 30 >&7; echo 48 >&7   # KEY_A, KEY_B
  check "a key typed on the host's keyboard reaches the inner guest's virtio keyboard (KEY_A pressed)" \
    guest_saw "VMRUN-KEY QEMU Virtio Keyboard: code 30 value 1"
  check "and released, and the next key too (KEY_B)" eval 'guest_saw "VMRUN-KEY QEMU Virtio Keyboard: code 30 value 0" && guest_saw "VMRUN-KEY QEMU Virtio Keyboard: code 48 value 1"'

  # A second keyboard, plugged in while the VM runs.
  mkfifo "$W/keys2"
  python3 "$top/scripts/vfio-guest/uinput-keyboard.py" "$W/keys2" > "$W/uinput2.out" 2>&1 & local kbd2=$!
  exec 8> "$W/keys2"
  eventually grep -q created "$W/uinput2.out"
  sleep 0.5
  local n
  for n in /sys/class/input/event*; do [ "$(cat "$n/device/name")" = vmrun-test-keyboard ] && [ "/dev/input/${n##*/}" != "$ev" ] && ev2=/dev/input/${n##*/}; done
  run hotplug-input hotplug kbdvm --input "$ev2" --json
  check "vmrun hotplug --input adds the second keyboard ($ev2)" eval 'contains $W/hotplug-input.out "\"kind\": \"input\"" && contains $W/hotplug-input.out "vmrun-input1"'
  check "QEMU, now nobody, could open it: vmrun gave $ev2 to nobody for the VM's lifetime" \
    eval '[ "$(stat -c %U "$ev2")" = nobody ] && contains $W/hotplug-input.out "belongs to uid 65534 until the VM ends"'
  check "the inner QEMU holds $ev2 open" eventually held_by "$ev2" "$(qemu_pid kbdvm)"
  echo 18 >&8   # KEY_E
  check "a key typed on it reaches the inner guest (KEY_E)" guest_saw "VMRUN-KEY QEMU Virtio Keyboard: code 18 value 1"
  run unplug-input unplug kbdvm vmrun-input1
  check "vmrun unplug takes it away again" contains $W/unplug-input.out "removed input 'vmrun-input1'"
  check "and QEMU let go of $ev2" eventually eval '! held_by "$ev2" "$(qemu_pid kbdvm)"'

  run stop-kbdvm stop kbdvm --force
  check "vmrun stop ends the VM" stopped "$sup"
  check "and $ev2 is root's alone again (0600)" [ "$(stat -c %a:%U "$ev2")" = 600:root ]
  exec 8>&-; wait "$kbd2" 2>/dev/null
  exec 7>&-; wait "$kbd" 2>/dev/null
}

case "$suite" in
  iommu) iommu_suite ;;
  passthrough) passthrough_suite ;;
  disks) disks_suite; journal_suite ;;
  journal) journal_suite ;;
  sriov) sriov_suite ;;
  sriov-nic) sriov_nic_suite ;;
  display) display_suite ;;
  input) input_suite ;;
  all) iommu_suite; passthrough_suite; disks_suite; sriov_suite ;;
  *) fail "unknown suite $suite" ;;
esac
