#!/usr/bin/env bash
# Builds the tiny test guest: a stock Debian 12 kernel (fetched with apt-get
# download, never installed) and a busybox initramfs. The guest loads the
# virtio/e1000e, sound (HDA, AC97) and virtiofs drivers, prints VMRUN-GUEST-READY on its serial console,
# runs a shell there (prompt "tiny# ") and powers off on the ACPI power button
# (unless vmrun.noacpi is on its command line: a guest that ignores ACPI).
# initrd-agent.cpio.gz is the same with Debian's qemu-ga added (fetched with
# apt-get download, its libraries copied from this host, which is Debian 12 like
# the guest's kernel) as a second archive the kernel unpacks over the first:
# with a virtio port named org.qemu.guest_agent.0 the guest runs it there; it
# also has ext4 (ext2 too), a filesystem on a disk for the agent to freeze. The
# plain initrd stays small for the nested guests of tests/guest/.
#
# Output: $GUEST_DIR/vmlinuz, $GUEST_DIR/initrd.cpio.gz and initrd-agent.cpio.gz (default build/tiny-guest).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
GUEST_DIR=${GUEST_DIR:-$(cd "$here/.." && pwd)/build/tiny-guest}
source "$here/lib/kernel.sh"

"$BUSYBOX" --help >/dev/null 2>&1 || { echo "need busybox-static (scripts/install-deps.sh)" >&2; exit 1; }
fetch_debian_kernel
ga_ver=$(apt-cache policy qemu-guest-agent | awk '/Candidate:/{print $2}')
[ -n "$ga_ver" ] && [ "$ga_ver" != "(none)" ] || { echo "no qemu-guest-agent package known to apt" >&2; exit 1; }
ga_dir="$VMRUN_CACHE/qemu-ga/$ga_ver"
if [ ! -x "$ga_dir/usr/sbin/qemu-ga" ]; then
  rm -rf "$ga_dir"; mkdir -p "$ga_dir"
  ( cd "$ga_dir" && apt-get download "qemu-guest-agent=$ga_ver" >/dev/null 2>&1 ) \
    || { echo "apt-get download qemu-guest-agent=$ga_ver failed" >&2; exit 1; }
  dpkg-deb -x "$ga_dir"/qemu-guest-agent_*.deb "$ga_dir"
  rm -f "$ga_dir"/*.deb
fi

stamp="$KVER $ga_ver $(sha256sum "$0" | cut -c1-16)"
if [ -s "$GUEST_DIR/vmlinuz" ] && [ -s "$GUEST_DIR/initrd.cpio.gz" ] && [ -s "$GUEST_DIR/initrd-agent.cpio.gz" ] && [ "$(cat "$GUEST_DIR/.stamp" 2>/dev/null)" = "$stamp" ]; then
  exit 0
fi

work=$(mktemp -d /tmp/vmrun-tiny-guest.XXXXXX)
trap 'rm -rf "$work"' EXIT
ird=$work/root
mkdir -p "$ird"/{bin,dev,proc,sys,tmp,etc,root}
cp "$BUSYBOX" "$ird/bin/busybox"
add_modules "$ird" virtio_pci virtio_net virtio_blk virtio_scsi sd_mod e1000e button evdev xhci_pci virtio_rng virtio_balloon \
  snd_hda_codec_generic snd_hda_intel snd_intel8x0 virtio_input virtiofs virtio_console
agent=$work/agent
mkdir -p "$agent/bin" "$agent/sbin"
# ext4 (which mounts ext2 too): a filesystem on a disk for the agent to freeze.
MODULES_ORDER=modules-agent.order add_modules "$agent" crc32c_generic ext4
cp "$ga_dir/usr/sbin/qemu-ga" "$agent/bin/qemu-ga"
# Its shared libraries and the loader, where the binary looks for them.
for lib in $(ldd "$ga_dir/usr/sbin/qemu-ga" | awk '/=> \//{print $3} /^[[:space:]]*\/lib64\//{print $1}'); do
  mkdir -p "$agent$(dirname "$lib")"
  cp -L "$lib" "$agent$lib"
done
# What qemu-ga runs for guest-shutdown.
cat > "$agent/sbin/shutdown" <<'EOF2'
#!/bin/sh
echo "VMRUN-GUEST-POWEROFF (guest agent)" > /dev/console
sync
poweroff -f
EOF2
chmod +x "$agent/sbin/shutdown"

cat > "$ird/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
echo 1 > /proc/sys/kernel/printk
while read -r ko; do insmod "$ko" 2>/dev/null; done < /etc/modules.order
[ -f /etc/modules-agent.order ] && while read -r ko; do insmod "$ko" 2>/dev/null; done < /etc/modules-agent.order
hostname tiny
# Static address from the kernel command line: vmrun.ip=10.0.0.2/24
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    vmrun.ip=*) ip=${arg#vmrun.ip=}
      for n in /sys/class/net/*; do n=${n##*/}; [ "$n" = lo ] && continue
        ip addr add "$ip" dev "$n" && ip link set "$n" up && break; done ;;
  esac
done
ip link set lo up
# Announce hotplug as the guest sees it (driver bound, disk or NIC present),
# so tests and benchmarks can tell the moment a device became visible.
cat > /bin/vmrun-uevent <<'EOF2'
#!/bin/sh
case "$SUBSYSTEM" in
  pci) echo "VMRUN-UEVENT $ACTION pci $PCI_SLOT_NAME $PCI_ID" > /dev/console ;;
  block) [ "$DEVTYPE" = disk ] && echo "VMRUN-UEVENT $ACTION block $DEVNAME" > /dev/console ;;
  net) echo "VMRUN-UEVENT $ACTION net $INTERFACE" > /dev/console ;;
esac
EOF2
chmod +x /bin/vmrun-uevent
uevent /bin/vmrun-uevent &
# The QEMU guest agent (initrd-agent.cpio.gz), on the port vmrun names for it.
command -v qemu-ga >/dev/null && for p in /sys/class/virtio-ports/*; do
  [ "$(cat "$p/name" 2>/dev/null)" = org.qemu.guest_agent.0 ] || continue
  qemu-ga -m virtio-serial -p "/dev/${p##*/}" -t /tmp -l /tmp/qemu-ga.log &
  echo "VMRUN-AGENT-STARTED"
done
# ACPI power button (vmrun stop, system_powerdown): one input event -> power off.
grep -qw vmrun.noacpi /proc/cmdline || for d in /sys/class/input/input*; do
  if [ "$(cat "$d/name" 2>/dev/null)" = "Power Button" ]; then
    ev=$(ls -d "$d"/event* 2>/dev/null | head -1); ev=${ev##*/}
    [ -n "$ev" ] && ( dd if=/dev/input/$ev bs=24 count=1 >/dev/null 2>&1; echo "VMRUN-GUEST-POWEROFF"; sync; poweroff -f ) &
  fi
done
# vmrun.keys on the command line: every key event of every keyboard, one
# console line each (evdev's input_event is 24 bytes: time, type, code, value).
if grep -qw vmrun.keys /proc/cmdline; then
  for d in /sys/class/input/input*; do
    name=$(cat "$d/name" 2>/dev/null); ev=$(ls -d "$d"/event* 2>/dev/null | head -1); ev=${ev##*/}
    case "$name" in *[Kk]eyboard*) ;; *) continue ;; esac
    [ -n "$ev" ] || continue
    ( exec 3< "/dev/input/$ev"
      echo "VMRUN-KEYS-LISTENING $name" > /dev/console  # a test types only after this
      while :; do
        set -- $(dd bs=24 count=1 <&3 2>/dev/null | od -An -v -tx2)
        [ $# = 12 ] || break
        [ "$9" = 0001 ] && echo "VMRUN-KEY $name: code $((0x${10})) value $((0x${11}))" > /dev/console
      done ) &
  done
fi
echo "VMRUN-GUEST-READY $(uname -r)"
export PS1='tiny# '
while :; do setsid cttyhack sh; done
INIT
chmod +x "$ird/init"

mkdir -p "$GUEST_DIR"
( cd "$ird" && find . | cpio -o -H newc 2>/dev/null | gzip -1 ) > "$GUEST_DIR/initrd.cpio.gz"
( cd "$agent" && find . | cpio -o -H newc 2>/dev/null | gzip -1 ) > "$work/agent.cpio.gz"
cat "$GUEST_DIR/initrd.cpio.gz" "$work/agent.cpio.gz" > "$GUEST_DIR/initrd-agent.cpio.gz"
cp "$VMLINUZ" "$GUEST_DIR/vmlinuz"
echo "$stamp" > "$GUEST_DIR/.stamp"
echo "tiny guest ($KVER) built in $GUEST_DIR"
