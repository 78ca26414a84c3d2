#!/bin/bash
# Passthrough end to end: a GPU-shaped pair and two NICs to a second-level
# QEMU, placement, x-vga, hotplug --pci and unplug (with --persist), stop, and
# both crashes.
min_passes=55
source "$(dirname "$0")/lib.sh"

# The drivers the GPU pair had before the suite; home for it afterwards.
vga_driver=$(driver_of "$VGA"); audio_driver=$(driver_of "$AUDIO")
console=$VMRUN_STATE_DIR/gpuvm/console.log  # the inner guest's
back_home() { on_driver "$VGA" "$vga_driver" && on_driver "$AUDIO" "$audio_driver" && all_on e1000e "$NIC" "$BRNIC" "$PAIR0" "$PAIR1"; }
all_back() { back_home && no_group_nodes; }
handed_over() { all_on vfio-pci "$VGA" "$AUDIO" "$NIC" "$BRNIC"; }
placed_pair() { placement gpuvm > $W/hp.out; sed 's/^/  /' $W/hp.out; grep -qx 'rp4 0.0 hostdev4' $W/hp.out && grep -qx 'rp4 0.1 hostdev4.f1' $W/hp.out; }
guest_saw() { local i; for i in $(seq 1 120); do grep -qiE "$1" "$console" && return 0; sleep 0.5; done; return 1; }

passthrough_suite() {
  local gpu_group
  gpu_group=$(group_of "$VGA")
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

  local t0=$SECONDS i
  for i in $(seq 1 600); do grep -q VMRUN-GUEST-READY "$VMRUN_STATE_DIR/gpuvm/console.log" 2>/dev/null && break; sleep 1; done
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

  # (Giving the GPU back to its driver hands the console back too: released before each start.)
  BEFORE_START=release_console stop_and_faults gpuvm "$p" handed_over "every device of the planned groups is on vfio-pci" \
    all_back "every device is back on its driver, no /dev/vfio group node left"
  check "the VGA function is back on $vga_driver" on_driver "$VGA" "$vga_driver"
  check "the audio function is back on $audio_driver" on_driver "$AUDIO" "$audio_driver"
  check "both NICs are back on e1000e" all_on e1000e "$NIC" "$BRNIC"
  check "the hotplugged pair is back on e1000e" all_on e1000e "$PAIR0" "$PAIR1"
  check "no /dev/vfio group node is left" no_group_nodes

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

  # The real kernel's reset_method: emptied (the kernel's way to say "no
  # reset"), vmrun check names the function; given its default back, not.
  local methods=/sys/bus/pci/devices/$NIC/reset_method
  check "the kernel lists $NIC's reset methods ($(cat $methods 2>/dev/null))" [ -s "$methods" ]
  echo "" > "$methods"
  run check-noreset check "$p"
  check "with $NIC's reset_method emptied, vmrun check warns that it has no reset method" \
    contains $W/check-noreset.out "WARN  reset      $NIC [8086:10d3] has no reset method"
  echo default > "$methods"
  run check-reset check "$p"
  check "with the kernel's default methods back, no reset warning" not_contains $W/check-reset.out "WARN  reset"

  # vfio-pci loaded with disable_vga=1 offers no VGA region: x_vga cannot work.
  modprobe -r vfio_pci && modprobe vfio_pci disable_vga=1
  check "vfio-pci reloaded with disable_vga=1" [ "$(cat /sys/module/vfio_pci/parameters/disable_vga)" = Y ]
  run check-novga check "$p"
  check "vmrun check PROFILE fails x_vga on the real kernel's disable_vga=1" \
    contains $W/check-novga.out "FAIL  x_vga      vfio-pci runs with disable_vga=1"
  release_console
  run start-novga start "$p" --detach || true
  grep -q "started gpuvm" $W/start-novga.out && run stop-novga stop gpuvm --force  # not left running for what follows
  check "start refuses x_vga without the VGA region, naming why" contains $W/start-novga.out "vfio-pci runs with disable_vga=1"
  check "nothing was bound after that refusal" back_home
  modprobe -r vfio_pci && modprobe vfio_pci
  check "vfio-pci reloaded with its VGA region" [ "$(cat /sys/module/vfio_pci/parameters/disable_vga)" = N ]
}

have_base_devices && passthrough_suite
