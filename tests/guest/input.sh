#!/bin/bash
# evdev input: a keyboard made with the guest kernel's uinput is handed to a
# second-level VM (QEMU's input-linux, grabbed), keys typed on it reach the
# inner kernel's virtio keyboard (the tiny guest prints each key event with
# vmrun.keys); a second keyboard is hotplugged and unplugged live; the first
# is unplugged and plugged in again, and its keys reach the guest again.
min_passes=31
source "$(dirname "$0")/lib.sh"

console=$VMRUN_STATE_DIR/kbdvm/console.log  # the inner guest's
event_of() { local e; for e in /sys/class/input/event*; do [ "$(cat "$e/device/name")" = "$1" ] && { echo "/dev/input/${e##*/}"; return; }; done; }
held_by() { [ -n "$2" ] && ls -l "/proc/$2/fd" 2>/dev/null | grep -q -- "-> $1\$"; }
guest_saw() { local i; for i in $(seq 1 120); do grep -qF "$1" "$console" 2>/dev/null && return 0; sleep 0.5; done; return 1; }
# The event node of the second uinput keyboard (not $ev, the first), once udev has made it: sets ev2.
second_keyboard() {
  local n
  for n in /sys/class/input/event*; do
    [ "$(cat "$n/device/name" 2>/dev/null)" = vmrun-test-keyboard ] && [ "/dev/input/${n##*/}" != "$ev" ] && [ -c "/dev/input/${n##*/}" ] &&
      { ev2=/dev/input/${n##*/}; return 0; }
  done
  return 1
}

input_suite() {
  local kbd ev ev2 p=$profiles/kbdvm.yaml sup
  mkfifo "$W/keys"
  python3 "$guest_dir/uinput-keyboard.py" "$W/keys" > "$W/uinput.out" 2>&1 & kbd=$!
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
  check "its key reporter has the virtio keyboard open" guest_saw "VMRUN-KEYS-LISTENING QEMU Virtio Keyboard"
  echo 30 >&7; echo 48 >&7   # KEY_A, KEY_B
  check "a key typed on the host's keyboard reaches the inner guest's virtio keyboard (KEY_A pressed)" \
    guest_saw "VMRUN-KEY QEMU Virtio Keyboard: code 30 value 1"
  check "and released, and the next key too (KEY_B)" eval 'guest_saw "VMRUN-KEY QEMU Virtio Keyboard: code 30 value 0" && guest_saw "VMRUN-KEY QEMU Virtio Keyboard: code 48 value 1"'

  # A second keyboard, plugged in while the VM runs.
  mkfifo "$W/keys2"
  # Each keyboard's FIFO writer is this shell's alone (7>&-): its close must end that keyboard.
  python3 "$guest_dir/uinput-keyboard.py" "$W/keys2" 7>&- > "$W/uinput2.out" 2>&1 & local kbd2=$!
  exec 8> "$W/keys2"
  eventually grep -q created "$W/uinput2.out"
  eventually second_keyboard
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

  # The first keyboard unplugged and plugged in again: the VM's input follows it.
  local log=$VMRUN_STATE_DIR/kbdvm/vmrun.log ev3
  exec 7>&-; wait "$kbd" 2>/dev/null   # the uinput device is destroyed with its writer
  check "the first keyboard is unplugged ($ev is gone)" eventually eval '[ ! -e "$ev" ]'
  check "the supervisor saw vmrun-input0's keyboard go" \
    eventually contains "$log" "input 'vmrun-input0' ('vmrun-test-keyboard' (1209:0001), $ev) went away"
  run status-away status kbdvm
  check "vmrun status says it is unplugged" contains $W/status-away.out "input:   'vmrun-input0' 'vmrun-test-keyboard' (1209:0001) is unplugged"
  mkfifo "$W/keys3"
  python3 "$guest_dir/uinput-keyboard.py" "$W/keys3" 8>&- > "$W/uinput3.out" 2>&1 & kbd=$!
  exec 7> "$W/keys3"
  eventually grep -q created "$W/uinput3.out"
  ev3=$(for n in /sys/class/input/event*; do [ "$(cat "$n/device/name")" = vmrun-test-keyboard ] && [ "/dev/input/${n##*/}" != "$ev2" ] && echo "/dev/input/${n##*/}"; done)
  check "the same keyboard is plugged in again ($ev3)" [ -c "$ev3" ]
  local back="input 'vmrun-input0' 'vmrun-test-keyboard' (1209:0001) is back as $ev3: attached again as 'vmrun-input0-r1'"
  eventually contains "$log" "$back" ||
    { echo "  the supervisor's log on inputs:"; grep -i "input" "$log" | grep -v "input_linux_event" | tail -15 | sed 's/^/    /'; }
  check "vmrun attached it again" contains "$log" "$back"
  check "the inner QEMU holds $ev3 open" eventually held_by "$ev3" "$(qemu_pid kbdvm)"
  check "QEMU (nobody) could open the new node: vmrun lent it, journaled" eval '[ "$(stat -c %U "$ev3")" = nobody ] && grep -q "evdev-access" "$VMRUN_STATE_DIR/kbdvm/journal"'
  echo 46 >&7   # KEY_C
  check "a key typed after the replug reaches the inner guest (KEY_C)" guest_saw "VMRUN-KEY QEMU Virtio Keyboard: code 46 value 1"
  run status-back status kbdvm
  check "and vmrun status no longer lists it as unplugged" not_contains $W/status-back.out "is unplugged"
  run unplug-dead unplug kbdvm vmrun-input0
  check "the object left on the dead node is not deleted (QEMU 7.2 would close another file of its own)" \
    contains $W/unplug-dead.out "was left behind when its device was unplugged"

  run stop-kbdvm stop kbdvm --force
  check "vmrun stop ends the VM" stopped "$sup"
  check "and $ev2 is root's alone again (0600)" [ "$(stat -c %a:%U "$ev2")" = 600:root ]
  check "and so is the replugged $ev3" [ "$(stat -c %a:%U "$ev3")" = 600:root ]
  exec 8>&-; wait "$kbd2" 2>/dev/null
  exec 7>&-; wait "$kbd" 2>/dev/null
}

input_suite
