#!/bin/bash
# Single-GPU handoff: the emulated VGA is the boot GPU, driven by the bochs
# module with the framebuffer console on it, as a desktop's GPU is. A stand-in
# display manager (a process holding /dev/dri/card0, stopped and started by
# the profile's commands) runs. vmrun hands the GPU over without the console
# being released by hand, and gives everything back after a stop and each fault.
min_passes=25
source "$(dirname "$0")/lib.sh"

dm=$W/bin/display-manager
write_display_manager() {
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
}
dm_running() { local pid; pid=$(cat $W/display-manager.pid 2>/dev/null) && [ -n "$pid" ] && [ "$(readlink "/proc/$pid/fd/3")" = /dev/dri/card0 ]; }
fb_console() { local vt; for vt in /sys/class/vtconsole/vtcon*; do grep -q "frame buffer" "$vt/name" && [ "$(cat "$vt/bind")" = 1 ] && return 0; done; return 1; }
host_has_display() { on_driver "$VGA" bochs-drm && [ -d /sys/module/bochs ] && fb_console && dm_running && on_driver "$AUDIO" snd_hda_intel; }
handed_over() { on_driver "$VGA" vfio-pci && [ ! -d /sys/module/bochs ] && ! fb_console && ! dm_running && [ ! -e /dev/dri/card0 ]; }

display_suite() {
  local p=$profiles/deskvm.yaml stray
  write_display_manager
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
  stop_and_faults deskvm "$p" handed_over "the display manager stopped, the console released, bochs unloaded, the GPU on vfio-pci" \
    host_has_display "bochs is back on the GPU, the framebuffer console on it, the display manager running"
  check "vmrun restore says it loaded bochs and started the display manager" \
    eval 'contains $W/restore-deskvm.out "kernel module bochs loaded again" && contains $W/restore-deskvm.out "display manager'"'"'s start command"'

  # A holder the stop command does not end: named, and nothing is left changed.
  bash -c 'exec 3</dev/dri/card0; exec -a vmrun-stray-client sleep 100000' </dev/null >/dev/null 2>&1 & stray=$!
  sed -i 's/timeout: 20/timeout: 2/' "$p"
  run start-held start "$p" --detach
  check "a GPU still held after the display manager stopped is refused" [ $? != 0 ]
  check "the refusal names the holder" contains $W/start-held.out "pid $stray (sleep) has /dev/dri/card0 open"
  check "and the display manager was started again, the GPU never left bochs" eval 'host_has_display && ! on_driver "$VGA" vfio-pci'
  kill "$stray"; wait "$stray" 2>/dev/null
  "$dm" stop
}

have_base_devices && display_suite
