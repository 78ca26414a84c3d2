# Sourced by each suite: runs inside the emulated-IOMMU guest of
# tests/guest/boot.sh, chrooted into this machine's root (read-only over 9p,
# with the guest's own /sys, /dev, /proc and a tmpfs /run). A suite drives
# this checkout's vmrun binary against the guest kernel's real vfio-pci and
# prints one PASS:/FAIL: line per check.
#
#   bash tests/guest/SUITE.sh TOP
top=$1
guest_dir=$top/tests/guest
vmrun=$top/build/vmrun
source "$guest_dir/layout.sh"
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
all_on() { local d=$1 a; shift; for a in "$@"; do on_driver "$a" "$d" || return 1; done; }
contains() { grep -qF -- "$2" "$1"; }
not_contains() { ! grep -qF -- "$2" "$1"; }
# eventually CMD...: CMD succeeds within 10 s
eventually() { local i; for i in $(seq 1 100); do "$@" && return 0; sleep 0.1; done; return 1; }

# behind_slot SLOT FN: the address of function FN behind the root port at
# 00:SLOT (layout.sh). sysfs nests a bridge's devices under the bridge.
behind_slot() { local d; for d in /sys/bus/pci/devices/0000:00:$1.0/0000:*:00.$2; do [ -e "$d" ] && basename "$d"; done; }
NIC=$(behind_slot $slot_nic 0)
BRNIC=$(behind_slot $slot_bridged_nic 0)
VGA=$(behind_slot $slot_gpu 0)
AUDIO=$(behind_slot $slot_gpu 1)
PAIR0=$(behind_slot $slot_pair 0)
PAIR1=$(behind_slot $slot_pair 1)
# have_base_devices: the devices every boot has, or one FAIL saying they are not all there
have_base_devices() {
  echo "devices: nic=$NIC nic-behind-ioh3420=$BRNIC pair=$PAIR0,$PAIR1 vga=$VGA audio=$AUDIO"
  [ -n "$NIC" ] && [ -n "$BRNIC" ] && [ -n "$PAIR0" ] && [ -n "$PAIR1" ] && [ -n "$VGA" ] && [ -n "$AUDIO" ] \
    || { fail "the guest's devices are all there"; return 1; }
}

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
profile() {  # profile NAME ADDRESS...: a TCG profile passing ADDRESS... through; prints its path
  local name=$1 a; shift
  {
    printf 'name: %s\naccelerator: tcg\ncpu: max\nmemory: 128M\nheadless: true\n%s\npassthrough:\n' "$name" "${EXTRA:-}"
    for a in "$@"; do printf '  - host: %s\n' "$a"; done
  } > "$profiles/$name.yaml"
  echo "$profiles/$name.yaml"
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
wait_placed() {  # wait_placed VM LINE: the firmware numbers the buses after cont
  local i; for i in $(seq 1 120); do placement "$1" > $W/placement.out 2>&1; grep -qx "$2" $W/placement.out && return 0; sleep 0.5; done
  return 1
}

# A pid file holds "PID START_TIME"; the pid is the first word.
qemu_pid() { { read -r pid _ < "$VMRUN_RUNTIME_DIR/$1/qemu.pid"; } 2>/dev/null && echo "$pid"; }
supervisor_pid() { { read -r pid _ < "$VMRUN_RUNTIME_DIR/$1/supervisor.pid"; } 2>/dev/null && echo "$pid"; }
# stopped PID: PID is known and exits within 60 s
stopped() { local i; [ -n "$1" ] || return 1; for i in $(seq 1 600); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; return 1; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
release_console() { local vt; for vt in /sys/class/vtconsole/vtcon*; do grep -q "frame buffer" "$vt/name" && echo 0 > "$vt/bind"; done; }
no_group_nodes() { ! ls /dev/vfio 2>/dev/null | grep -qv '^vfio$'; }

# stop_and_faults VM PROFILE HANDED_OVER "what handed over is" BACK_HOME "what home is"
# The VM named VM runs (started from PROFILE). Every host change must come back
# three ways: vmrun stop; the inner QEMU SIGKILLed (the supervisor undoes);
# the supervisor SIGKILLed (the orphan keeps the devices until vmrun restore).
# HANDED_OVER and BACK_HOME are the suite's commands saying where the host's
# devices are. BEFORE_START, when set, runs before each start (a fix the user
# would make by hand).
stop_and_faults() {
  local vm=$1 p=$2 handed=$3 handed_what=$4 home=$5 home_what=$6 sup qemu orphan
  sup=$(supervisor_pid "$vm")
  run "stop-$vm" stop "$vm" --force
  check "vmrun stop ends the VM" stopped "$sup"
  check "after stop: $home_what" $home

  # Fault: the inner QEMU dies; the supervisor gives everything back.
  ${BEFORE_START:-true}
  run "start-$vm-2" start "$p" --detach
  check "the VM starts again for the QEMU fault" [ $? = 0 ]
  sup=$(supervisor_pid "$vm"); qemu=$(qemu_pid "$vm")
  check "and $handed_what again" $handed
  [ -n "$qemu" ] && kill -9 "$qemu"
  check "QEMU SIGKILLed: the supervisor ends" stopped "$sup"
  check "QEMU SIGKILLed: $home_what" $home

  # Fault: the supervisor dies; vmrun restore stops the orphan and gives everything back.
  ${BEFORE_START:-true}
  run "start-$vm-3" start "$p" --detach
  check "the VM starts again for the supervisor fault" [ $? = 0 ]
  sup=$(supervisor_pid "$vm"); orphan=$(qemu_pid "$vm")
  [ -n "$sup" ] && kill -9 "$sup"
  check "supervisor SIGKILLed: it is gone, the orphaned QEMU still runs and $handed_what" \
    eval 'stopped "$sup" && alive "$orphan" && '"$handed"
  run "restore-$vm" restore "$vm"
  check "vmrun restore exits 0" [ $? = 0 ]
  check "vmrun restore stopped the orphaned QEMU" stopped "$orphan"
  check "vmrun restore: $home_what" $home
}

# For the disks and journal suites, which share the NVMe controllers.
# The block device the host uses for the first namespace of the NVMe at $1:
# the subsystem's head for a multipath path device (nvme0c0n1 -> nvme0n1).
nvme_disk() { local d; for d in /sys/bus/pci/devices/$1/nvme/nvme*/nvme*n1; do [ -e "$d" ] && basename "$d" | sed 's/c[0-9]*n/n/'; done | head -1; }
swap_active() { grep -q "^/dev/$1 " /proc/swaps; }
untouched() { on_driver "$1" nvme && [ "$(cat "/sys/bus/pci/devices/$1/driver_override")" = "(null)" ]; }
