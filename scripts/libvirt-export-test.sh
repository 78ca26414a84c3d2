#!/usr/bin/env bash
# 'vmrun export libvirt' checked by a real libvirtd: each example profile is
# exported, defined with virsh, dumped back and turned into libvirt's own QEMU
# command line (virsh domxml-to-native qemu-argv), and every device vmrun
# places — root ports, passthrough functions, disks, NICs, USB — must sit at
# the same guest address behind the same root port in libvirt's command line
# as in vmrun's own (dry-run --json), with multifunction and x-vga kept.
#
# libvirtd runs as root in its own mount and network namespaces: its config,
# state and sockets on private tmpfs, its taps (domxml-to-native opens one per
# NIC) in an empty network namespace. Nothing of this machine's libvirt,
# network or devices is touched, and the daemon dies with the test.
# One PASS:/FAIL: line per check; exit 0 only when all pass.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
vmrun=${VMRUN:-$top/build/vmrun}

if [ "${1:-}" != --inside ]; then
  [ "$(id -u)" = 0 ] || { echo "FAIL: libvirtd in private namespaces needs root"; exit 1; }
  for tool in libvirtd virsh unshare python3; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing (scripts/install-deps.sh installs libvirt-daemon, libvirt-clients)"; exit 1; }
  done
  exec unshare --mount --net --propagation private "$0" --inside
fi

failed=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failed=1; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

work=$(mktemp -d /tmp/vmrun-libvirt.XXXXXX)
for d in /etc/libvirt /var/lib/libvirt /run/libvirt /var/cache/libvirt /var/log/libvirt; do
  mkdir -p "$d" && mount -t tmpfs tmpfs "$d"
done
# The QEMU driver resolves its compiled-in user at start even when qemu.conf
# names another; libvirt-daemon-system would create it on the host, this
# namespace only pretends it exists.
cp /etc/passwd /etc/group "$work/"
echo "libvirt-qemu:x:64055:64055:libvirt:/var/lib/libvirt:/usr/sbin/nologin" >> "$work/passwd"
echo "libvirt-qemu:x:64055:" >> "$work/group"
mount --bind "$work/passwd" /etc/passwd
mount --bind "$work/group" /etc/group
# Huge pages: libvirt takes them from a hugetlbfs mount of each size.
mkdir -p /dev/hugepages /dev/hugepages1G
mount -t hugetlbfs -o pagesize=2M hugetlbfs /dev/hugepages
mount -t hugetlbfs -o pagesize=1G hugetlbfs /dev/hugepages1G 2>/dev/null || echo "  note: no 1G hugetlbfs here"
printf 'user = "root"\ngroup = "root"\nsecurity_driver = "none"\n' > /etc/libvirt/qemu.conf
ip link set lo up
libvirtd --pid-file /run/libvirt/libvirtd.pid > "$work/libvirtd.log" 2>&1 &
daemon=$!
trap 'kill $daemon 2>/dev/null; wait $daemon 2>/dev/null; [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
for _ in $(seq 120); do [ -S /run/libvirt/libvirt-sock ] && break; sleep 0.5; done
[ -S /run/libvirt/libvirt-sock ] || { echo "FAIL: libvirtd did not start:"; tail -5 "$work/libvirtd.log"; exit 1; }
virsh() { command virsh -q -c qemu:///system "$@"; }
kvm_note=
virsh domcapabilities --virttype kvm > /dev/null 2>&1 || kvm_note=yes

for profile in "$top"/profiles/*.yaml; do
  name=$(basename "$profile" .yaml)
  xml="$work/$name.xml"
  "$vmrun" export libvirt "$profile" > "$xml" 2> "$work/$name.warnings"
  check "$name: vmrun export libvirt" [ -s "$xml" ]
  sed 's/^/  export says: /' "$work/$name.warnings"
  defined=$xml
  if [ -n "$kvm_note" ] && grep -q "<domain type='kvm'" "$xml"; then
    # This host gives libvirt no KVM: the accelerator lines alone are swapped
    # for TCG's (libvirt refuses a kvm domain and host-passthrough without it).
    echo "  note: no KVM for libvirt here; defining $name with type='qemu' and cpu mode='maximum'"
    defined="$work/$name.tcg.xml"
    sed -e "s/<domain type='kvm'/<domain type='qemu'/" -e "s/<cpu mode='host-passthrough' check='none'>/<cpu mode='maximum'>/" "$xml" > "$defined"
  fi
  domain=$(python3 -c 'import sys,xml.etree.ElementTree as E; print(E.parse(sys.argv[1]).getroot().findtext("name"))' "$xml")
  if ! virsh define "$defined" > "$work/$name.define" 2>&1; then
    fail "$name: virsh define accepts it: $(cat "$work/$name.define")"
    continue
  fi
  pass "$name: virsh define accepts it"
  virsh dumpxml "$domain" > "$work/$name.dump.xml"
  check "$name: virsh dumpxml gives it back" [ -s "$work/$name.dump.xml" ]
  # libvirt renders a USB device named by vendor:product only when it is
  # plugged into this host: those are checked in the dumped XML instead.
  native="$work/$name.native.xml"
  python3 - "$work/$name.dump.xml" "$native" <<'PY'
import sys, xml.etree.ElementTree as ET
ET.register_namespace("qemu", "http://libvirt.org/schemas/domain/qemu/1.0")
tree = ET.parse(sys.argv[1])
devices = tree.getroot().find("devices")
for h in list(devices.iter("hostdev")):
    if h.get("type") == "usb" and h.find("source/vendor") is not None:
        print("  note: USB %s:%s is not on this host; its hostdev is checked in the XML, not the command line"
              % (h.find("source/vendor").get("id"), h.find("source/product").get("id")))
        devices.remove(h)
tree.write(sys.argv[2])
PY
  if ! virsh domxml-to-native qemu-argv "$native" > "$work/$name.libvirt-argv" 2>&1; then
    fail "$name: virsh domxml-to-native qemu-argv: $(cat "$work/$name.libvirt-argv")"
    continue
  fi
  pass "$name: virsh domxml-to-native qemu-argv"
  "$vmrun" dry-run "$profile" --json > "$work/$name.vmrun-argv" 2> /dev/null
  python3 "$top/scripts/lib/compare_placement.py" "$work/$name.vmrun-argv" "$work/$name.libvirt-argv" \
    "$xml" "$work/$name.dump.xml" | sed "s/^\(PASS\|FAIL\): /\1: $name: /" | tee "$work/$name.compare"
  grep -q '^FAIL' "$work/$name.compare" && failed=1
  # Back from what libvirt made of it: the same QEMU command line as the profile's own.
  # (With TCG's lines swapped in above, the same lines are swapped back first.)
  dumped="$work/$name.dump.xml"
  if [ "$defined" != "$xml" ]; then
    sed -e "s/<domain type='qemu'/<domain type='kvm'/" -e "s/<cpu mode='maximum'[^>]*>/<cpu mode='host-passthrough' check='none'>/" \
      "$dumped" > "$work/$name.dump.kvm.xml"
    dumped="$work/$name.dump.kvm.xml"
  fi
  if ! "$vmrun" import libvirt "$dumped" > "$work/$name.back.yaml" 2> "$work/$name.back.warnings"; then
    fail "$name: vmrun import libvirt of the dumped domain: $(cat "$work/$name.back.warnings")"
  elif ! "$vmrun" dry-run "$work/$name.back.yaml" --json > "$work/$name.back-argv" 2> "$work/$name.back.err"; then
    fail "$name: the profile imported from libvirt's dumpxml does not load: $(cat "$work/$name.back.err")"
  else
    python3 - "$work/$name.vmrun-argv" "$work/$name.back-argv" "$name" <<'PY'
import json, sys
ours, back = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
diff = [(i, a, b) for i, (a, b) in enumerate(zip(ours, back)) if a != b]
ok = not diff and len(ours) == len(back)
print(("PASS: " if ok else "FAIL: ") + sys.argv[3] + ": imported back from libvirt's dumpxml: the same QEMU command line" +
      ("" if ok else " (first difference at %s; %d vs %d arguments)" % (diff[:1], len(ours), len(back))))
sys.exit(0 if ok else 1)
PY
    [ $? = 0 ] || failed=1
    sed 's/^/  import says: /' "$work/$name.back.warnings"
  fi
  virsh undefine --nvram "$domain" > /dev/null 2>&1 || virsh undefine "$domain" > /dev/null 2>&1
done
exit $failed
