#!/usr/bin/env bash
# Runs vmrun against a real kernel's vfio-pci without passthrough hardware.
#
#   tests/guest/boot.sh SUITE...   SUITE: iommu passthrough disks journal sriov sriov_nic display input
#                                  (or all: iommu passthrough disks journal sriov, on one boot)
#
# Boots a stock Debian kernel (fetched with apt-get download, never installed)
# under QEMU TCG on q35 with an emulated Intel IOMMU (intel-iommu with
# interrupt remapping, intel_iommu=on), once, with the devices the named
# suites need, and runs the suites in order inside it. The PCI layout, shaped
# like the seeds' hosts, is in layout.sh; the NVMe controllers come only for
# disks/journal/sriov, the igb NIC only for sriov_nic (on QEMU from
# bookworm-backports: 7.2 has no SR-IOV NIC).
# The guest mounts this machine's root read-only over virtio-9p and, chrooted
# into it, runs tests/guest/SUITE.sh with this checkout's vmrun binary —
# unmodified. Its scratch space is a tmpfs on /run (the host's /tmp stays
# visible, read-only: a checkout may live there). The checks print
# "PASS: ..." / "FAIL: ..." lines; this script prints them again at the end,
# per suite, and fails a suite that ran fewer checks than the min_passes its
# file declares (a check that silently stopped running), then "RESULT: PASS"
# or "RESULT: FAIL".
# The display suite has the emulated VGA (module bochs) carry the guest's
# framebuffer console, and kmod's modprobe find the initramfs's modules.
#
# Env: BOOT_TIMEOUT (s, default 600; 1200 with input), KEEP=1 keeps the console log.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
die() { echo "FAIL: $*"; echo "RESULT: FAIL"; exit 1; }

[ $# -gt 0 ] || die "name one or more suites (usage: tests/guest/boot.sh SUITE...)"
suites=()
for s in "$@"; do
  case "$s" in
    all) suites+=(iommu passthrough disks journal sriov) ;;
    # A suite is a file here that declares its min_passes.
    *) s=${s//-/_}; grep -qs '^min_passes=' "$here/$s.sh" || die "unknown suite $s"; suites+=("$s") ;;
  esac
done
wants() { local s; for s in "${suites[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

# The input suite boots a second-level guest: about 2 minutes alone, 6 on a busy machine.
if wants input; then BOOT_TIMEOUT=${BOOT_TIMEOUT:-1200}; else BOOT_TIMEOUT=${BOOT_TIMEOUT:-600}; fi
QEMU=${QEMU:-qemu-system-x86_64}
source "$top/scripts/lib/kernel.sh"
source "$top/scripts/lib/qemu-backports.sh"
source "$here/layout.sh"

[ -x "$top/build/vmrun" ] || die "build vmrun first (scripts/build.sh)"
if wants sriov_nic; then
  fetch_backports_qemu || die "cannot fetch QEMU from bookworm-backports for its igb NIC"
  QEMU=$BPO_QEMU
fi
command -v "$QEMU" >/dev/null || die "$QEMU not found (scripts/install-deps.sh)"
"$BUSYBOX" --help >/dev/null 2>&1 || die "need busybox-static (scripts/install-deps.sh)"
case "$top" in *" "*) die "the checkout's path must not contain spaces (it goes on the guest's kernel command line)" ;; esac
fetch_debian_kernel || die "cannot fetch the Debian kernel"

work=$(mktemp -d /tmp/vmrun-guest.XXXXXX)
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
ird=$work/root
mkdir -p "$ird"/{bin,dev,proc,sys,tmp,etc,host}
cp "$BUSYBOX" "$ird/bin/busybox"
add_modules "$ird" vfio vfio_iommu_type1 vfio_pci e1000e virtio_pci 9pnet_virtio 9p bochs snd_hda_codec_generic snd_hda_intel nvme crc32c_generic ext4 dm_mod igb igbvf overlay uinput evdev \
  || die "kernel modules missing"
# The display suite unloads the GPU's module and vmrun loads it again with
# modprobe, and the passthrough suite reloads vfio_pci, in the chroot: the initramfs's module tree, indexed by kmod's
# depmod, is laid over the chroot's /usr/lib as /usr/lib/modules (this
# machine has none: its kernel is not Debian's).
command -v depmod >/dev/null || PATH=$PATH:/usr/sbin:/sbin
command -v depmod >/dev/null || die "need kmod's depmod (scripts/install-deps.sh)"
depmod -b "$ird" "$KVER" 2>/dev/null || die "depmod failed"  # (no modules.order or .builtin here: not needed)
mkdir -p "$ird/modlayer"
mv "$ird/lib/modules" "$ird/modlayer/modules"
ln -s /modlayer/modules "$ird/lib/modules"

cat > "$ird/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo 1 > /proc/sys/kernel/printk
while read -r ko; do insmod "$ko" 2>/dev/null; done < /etc/modules.order
for arg in $(cat /proc/cmdline); do
  case "$arg" in vmrun.top=*) top=${arg#vmrun.top=} ;; vmrun.suites=*) suites=$(echo "${arg#vmrun.suites=}" | tr , ' ') ;; esac
done
echo "VFIO-GUEST-BOOTED $(uname -r) $(cut -d' ' -f1 /proc/uptime)s"
if mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 hostroot /host; then
  mkdir -p /dev/shm && mount -t tmpfs tmpfs /dev/shm
  mount -o bind /dev /host/dev
  mount -t proc proc /host/proc
  mount -t sysfs sysfs /host/sys
  mount -t tmpfs tmpfs /host/run
  case " $suites " in *" display "*|*" passthrough "*) mount -t overlay overlay -o lowerdir=/modlayer:/host/usr/lib /host/usr/lib ;; esac
  chroot /host /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/run TERM=dumb \
    /bin/bash "$top/tests/guest/in_guest.sh" "$top" $suites 2>&1
else
  echo "FAIL: cannot mount the host's root over virtio-9p"
fi
echo "VFIO-GUEST-DONE"
sync
poweroff -f
INIT
chmod +x "$ird/init"
( cd "$ird" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null | gzip -1 ) > "$work/initrd.gz"

suite_list=$(IFS=,; echo "${suites[*]}")
args=(
  -machine q35,dump-guest-core=off -accel tcg,thread=multi -cpu max -smp 2 -m 2048
  -nodefaults -no-user-config -vga none -display none -no-reboot -serial stdio
  -kernel "$VMLINUZ" -initrd "$work/initrd.gz"
  -append "console=ttyS0 intel_iommu=on iommu=pt panic=-1 loglevel=4 vmrun.top=$top vmrun.suites=$suite_list"
  -device intel-iommu,intremap=on,caching-mode=on
  -audiodev none,id=snd0
  -device pcie-root-port,id=rp1,bus=pcie.0,addr=0x$slot_nic,chassis=1,port=1
  -device e1000e,id=nic1,bus=rp1,addr=0x0,mac=52:54:00:00:00:01
  -device ioh3420,id=rp2,bus=pcie.0,addr=0x$slot_bridged_nic,chassis=2,port=2
  -device e1000e,id=nic2,bus=rp2,addr=0x0,mac=52:54:00:00:00:02
  -device pcie-root-port,id=rp3,bus=pcie.0,addr=0x$slot_gpu,chassis=3,port=3
  -device VGA,id=gpu,bus=rp3,addr=0x0.0,multifunction=on
  -device intel-hda,id=hda,bus=rp3,addr=0x0.1
  -device hda-output,bus=hda.0,audiodev=snd0
  -device pcie-root-port,id=rp4,bus=pcie.0,addr=0x$slot_pair,chassis=4,port=4
  -device e1000e,id=pair0,bus=rp4,addr=0x0.0,multifunction=on,mac=52:54:00:00:00:04
  -device e1000e,id=pair1,bus=rp4,addr=0x0.1,mac=52:54:00:00:00:05
  -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot,bus=pcie.0,addr=0x$slot_9p
)
if wants disks || wants journal; then
  # Two NVMe controllers with a 64 MiB namespace each: one in an nvme-subsys
  # (native multipath: path device nvmeXcYn1 under the function, head nvmeXn1
  # under the subsystem), one plain (nvmeXn1 under the function).
  truncate -s 64M "$work/nvme-a.img" "$work/nvme-b.img"
  args+=(
    -drive if=none,id=nvme-a-ns,file="$work/nvme-a.img",format=raw
    -drive if=none,id=nvme-b-ns,file="$work/nvme-b.img",format=raw
    -device pcie-root-port,id=rp5,bus=pcie.0,addr=0x$slot_nvme_mp,chassis=5,port=5
    -device nvme-subsys,id=nvme-subsys-a,nqn=vmrun-test-subsystem
    -device nvme,id=nvme-a,serial=vmrunA,subsys=nvme-subsys-a,bus=rp5
    -device nvme-ns,drive=nvme-a-ns,bus=nvme-a,nsid=1
    -device pcie-root-port,id=rp6,bus=pcie.0,addr=0x$slot_nvme_plain,chassis=6,port=6
    -device nvme,id=nvme-b,serial=vmrunB,bus=rp6,drive=nvme-b-ns
  )
fi
if wants sriov; then
  # QEMU 7.2's NVMe with SR-IOV: a subsystem, 2 VFs, and the queue and
  # interrupt resources the VFs are given from (flexible ones, as QEMU requires).
  args+=(
    -device pcie-root-port,id=rp7,bus=pcie.0,addr=0x$slot_nvme_sriov,chassis=7,port=7
    -device nvme-subsys,id=nvme-subsys-v,nqn=vmrun-sriov
    -device nvme,id=nvme-v,serial=vmrunV,subsys=nvme-subsys-v,bus=rp7,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,msix_qsize=3,max_ioqpairs=6
  )
fi
if wants sriov_nic; then
  # An 82576 with no backend: the PF's driver and its VFs, nothing on a wire.
  args+=(
    -device pcie-root-port,id=rp8,bus=pcie.0,addr=0x$slot_igb,chassis=8,port=8
    -device igb,id=igb0,bus=rp8,mac=52:54:00:00:00:08
  )
fi
# One boot of the emulated host: its console in $work/console.txt, QEMU's exit status in qrc.
# QEMU may leave a core (without guest RAM: dump-guest-core=off) in $work.
boot_once() {
  rm -f "$work"/core*
  set +e
  ( ulimit -c unlimited 2>/dev/null; cd "$work" && exec timeout -k 5 "$BOOT_TIMEOUT" "$QEMU" "${args[@]}" < /dev/null > "$work/console.log" 2>&1 )
  qrc=$?
  set -e
  tr -d '\r' < "$work/console.log" > "$work/console.txt"
}
# The emulated host itself died of a signal (SIGSEGV, SIGABRT, ...; not the
# timeout's TERM or KILL) before the suites ended: a bug of the outer QEMU,
# which no guest can cause legitimately — not a result of vmrun's.
rig_crashed() {
  [ "$qrc" -gt 128 ] && [ "$qrc" -ne 137 ] && [ "$qrc" -ne 143 ] && ! grep -q VFIO-GUEST-DONE "$work/console.txt"
}
# What the crash looked like: the console's last lines (their checks do not
# count) and, with gdb, each thread's innermost frames from QEMU's core.
report_rig_crash() {
  local core bin
  echo "RIG-CRASH: the outer QEMU ($QEMU) died of signal $((qrc - 128)) after $((SECONDS - start)) s; the console's last lines (not counted):"
  tail -15 "$work/console.txt" | sed 's/^/  | /; s/FAIL: /fail (crashed boot): /; s/PASS: /pass (crashed boot): /'
  core=$(ls "$work"/core* 2>/dev/null | head -1)
  bin=$(command -v "$QEMU")
  # The backports wrapper execs the real binary.
  if head -c 2 "$bin" | grep -q '#!'; then bin=$(sed -n 's/.* exec "\([^"]*\)".*/\1/p' "$bin" | head -1); fi
  if [ -n "$core" ] && command -v gdb >/dev/null; then
    echo "RIG-CRASH: backtrace of the crashing thread ($core):"
    gdb -batch -q -ex "bt 12" ${bin:+"$bin"} -c "$core" 2>/dev/null | grep -E '^#' | awk '!seen[$0]++' | sed 's/^/  | /'
  else
    echo "RIG-CRASH: no core dump or no gdb for a backtrace"
  fi
}

start=$SECONDS
boot_once
if rig_crashed; then
  report_rig_crash
  # Once: a second crash fails the suites like any other failure.
  echo "RIG-CRASH: booting the emulated host once more; only that boot's checks count"
  start=$SECONDS
  boot_once
  if rig_crashed; then report_rig_crash; fi
fi
cat "$work/console.txt"
echo "================================================================"
source "$here/summary.sh"
summarize "$work/console.txt" "${suites[@]}"
nf=$summary_failed
if ! grep -q VFIO-GUEST-DONE "$work/console.txt"; then
  echo "FAIL: the guest did not finish within ${BOOT_TIMEOUT}s (qemu rc=$qrc); last lines:"
  tail -20 "$work/console.txt"
  nf=$((nf + 1))
fi
echo "$summary_passed passed, $nf failed in $((SECONDS - start))s (suites: ${suites[*]}; guest kernel $KVER, TCG)"
if [ "$nf" = 0 ] && [ "$summary_passed" -gt 0 ]; then echo "RESULT: PASS"; exit 0; fi
echo "RESULT: FAIL"
exit 1
