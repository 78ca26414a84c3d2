// Every way a profile can be wrong that we know of, each with the exact
// position and message the user sees.

#include <doctest/doctest.h>

#include "profile_fixture.h"

using vmrun::testing::run_pipeline;

namespace {

struct BadProfile {
    const char* what;
    std::string yaml;
    std::vector<std::string> errors;
};

// Every case starts from a valid two-line profile, so line 3 onward is the fault.
#define BASE "name: t\nmemory: 1G\n"

const BadProfile kCases[] = {
    {"misspelt top-level key", BASE "memroy: 2G\n",
     {"bad.yaml:3:1: unknown key 'memroy' in the profile (did you mean 'memory'?)"}},
    {"size without unit", "name: t\nmemory: 8\n",
     {"bad.yaml:2:9: 'memory': a bare number is ambiguous; write a size with a unit, like 8G or 1024M, got '8'"}},
    {"size with unknown unit", "name: t\nmemory: 8Q\n",
     {"bad.yaml:2:9: 'memory': unknown unit 'Q'; write a size with a unit, like 8G or 1024M, got '8Q'"}},
    {"no name", "memory: 1G\n",
     {"bad.yaml:1:1: the profile needs 'name', e.g. name: win10"}},
    {"key without value is reported once", "name: t\nmemory:\n",
     {"bad.yaml:2:1: 'memory' has no value; give one or remove the key"}},
    {"name with a space", "name: my vm\nmemory: 1G\n",
     {"bad.yaml:1:7: 'name' may use letters, digits, '-', '_' and '.' (at most 64, not starting with '.' or '-'), got 'my vm'"}},
    {"accelerator typo", BASE "accelerator: kmv\n",
     {"bad.yaml:3:14: 'accelerator' must be one of kvm, tcg; got 'kmv' (did you mean 'kvm'?)"}},
    {"machine other than q35", BASE "machine: pc\n",
     {"bad.yaml:3:10: 'machine' must be one of q35; got 'pc'"}},
    {"smp count not a number", BASE "smp:\n  cores: four\n",
     {"bad.yaml:4:10: 'cores' must be a whole number from 1 to 512, got 'four'"}},
    {"unknown smp key", BASE "smp:\n  cpus: 4\n",
     {"bad.yaml:4:3: unknown key 'cpus' in 'smp'"}},
    {"too many CPUs", BASE "smp:\n  sockets: 4\n  cores: 64\n  threads: 2\n",
     {"bad.yaml:3:1: smp gives 512 CPUs; q35 supports at most 288"}},
    {"tcg with cpu host written out", BASE "accelerator: tcg\ncpu: host\n",
     {"bad.yaml:4:1: cpu model 'host' needs accelerator kvm; with tcg use cpu: max"}},
    // -cpu does not honour ',,': the model and each flag are single tokens, or refused.
    {"cpu model carrying an option", BASE "cpu: \"max,INJ=1\"\n",
     {"bad.yaml:3:6: a cpu model is one word of letters, digits, '.', '_' and '-' (like host, max, EPYC-v4), got 'max,INJ=1'"}},
    {"cpu model with a doubled comma", BASE "cpu:\n  model: \"max,,INJ=2\"\n",
     {"bad.yaml:4:10: a cpu model is one word of letters, digits, '.', '_' and '-' (like host, max, EPYC-v4), got 'max,,INJ=2'"}},
    {"cpu flag carrying an option", BASE "cpu:\n  flags: [+invtsc, \"+x,INJ=1\", \"l3-cache=on,y=1\", bare]\n",
     {"bad.yaml:4:20: a cpu flag is +name, -name or name=value (one word each), got '+x,INJ=1'",
      "bad.yaml:4:32: a cpu flag is +name, -name or name=value (one word each), got 'l3-cache=on,y=1'",
      "bad.yaml:4:51: a cpu flag is +name, -name or name=value (one word each), got 'bare'"}},
    {"pin: not a list", BASE "cpu:\n  pin:\n    vcpus: 2\n",
     {"bad.yaml:5:12: 'vcpus' is a list of host CPU numbers, like [2, 3, 4, 5]; got '2'"}},
    {"pin: a CPU that is not a number", BASE "smp: 2\ncpu:\n  pin:\n    vcpus: [2, three]\n",
     {"bad.yaml:6:16: 'vcpus' must be a whole number from 0 to 8191, got 'three'"}},
    {"pin: the same CPU for two vCPUs", BASE "smp: 3\ncpu:\n  pin:\n    vcpus: [2, 3, 2]\n",
     {"bad.yaml:6:19: host CPU 2 is given to two vCPUs (also at line 6); give each vCPU a CPU of its own"}},
    {"pin: fewer CPUs than vCPUs", BASE "smp: 4\ncpu:\n  pin:\n    vcpus: [2, 3]\n",
     {"bad.yaml:6:12: 'vcpus' pins 2 vCPUs but the VM has 4 (smp: sockets x cores x threads); list one host CPU per vCPU"}},
    {"pin: empty", BASE "cpu:\n  pin: {}\n",
     {"bad.yaml:4:3: 'pin' needs 'vcpus' (one host CPU per vCPU), 'emulator' (QEMU's other threads) or both"}},
    {"pin: an unknown key", BASE "cpu:\n  pin:\n    vcpu: [1]\n",
     {"bad.yaml:4:3: 'pin' needs 'vcpus' (one host CPU per vCPU), 'emulator' (QEMU's other threads) or both",
      "bad.yaml:5:5: unknown key 'vcpu' in 'pin' (did you mean 'vcpus'?)"}},
    {"pin: a negative CPU", BASE "cpu:\n  pin:\n    emulator: [-1]\n",
     {"bad.yaml:5:16: 'emulator' must be a whole number from 0 to 8191, got '-1'"}},
    {"tpm: not a yes or no", BASE "tpm: maybe\n",
     {"bad.yaml:3:6: 'tpm' must be true or false, got 'maybe'"}},
    {"tpm: a model QEMU has no device for", BASE "tpm:\n  model: fTPM\n",
     {"bad.yaml:4:10: 'model' must be one of crb, tis; got 'fTPM'"}},
    {"looking_glass: not a bool or mapping", BASE "looking_glass: [64M]\n",
     {"bad.yaml:3:16: 'looking_glass' is true, false or a mapping like {resolution: 2560x1440, owner: alice}; got a list"}},
    {"looking_glass: a size that is not a power of two", BASE "looking_glass:\n  size: 48M\n",
     {"bad.yaml:4:9: 'size' must be a power of two of at least 2M (IVSHMEM's BAR is one), like 32M or 64M; got '48M'"}},
    {"looking_glass: size and resolution both", BASE "looking_glass: {size: 64M, resolution: 2560x1440}\n",
     {"bad.yaml:3:40: give 'size' or 'resolution', not both: the size follows from the resolution"}},
    {"looking_glass: a resolution without x", BASE "looking_glass:\n  resolution: 2560*1440\n",
     {"bad.yaml:4:15: 'resolution': write WIDTHxHEIGHT in pixels, like 2560x1440, got '2560*1440'"}},
    {"looking_glass: an owner that is not a user name", BASE "looking_glass:\n  owner: \"al ice\"\n",
     {"bad.yaml:4:10: 'owner' must be a user name (the desktop user who runs the Looking Glass client), got 'al ice'"}},
    {"looking_glass: a device it does not know", BASE "looking_glass:\n  device: ivshmem\n",
     {"bad.yaml:4:11: 'device' must be one of shm, kvmfr; got 'ivshmem'"}},
    {"looking_glass: a misspelt key", BASE "looking_glass:\n  ownr: alice\n",
     {"bad.yaml:4:3: unknown key 'ownr' in 'looking_glass' (did you mean 'owner'?)"}},
    {"audio: a backend it does not know", BASE "audio: pipwire\n",
     {"bad.yaml:3:8: 'audio' must be one of pipewire, pulseaudio, alsa, none; got 'pipwire' (did you mean 'pipewire'?)"}},
    {"audio: a list", BASE "audio: [pipewire]\n",
     {"bad.yaml:3:8: 'audio' is a backend (pipewire, pulseaudio, alsa, none) or a mapping like {backend: pipewire, user: alice}; got a list"}},
    {"audio: a mapping without a backend", BASE "audio:\n  user: alice\n",
     {"bad.yaml:4:3: 'audio' needs a backend: {backend: pipewire | pulseaudio | alsa | none}"}},
    {"audio: a model QEMU has no card for", BASE "audio:\n  backend: none\n  model: sb16\n",
     {"bad.yaml:5:10: 'model' must be one of ich9, ac97; got 'sb16'"}},
    {"audio: a sound server's user for alsa", BASE "audio:\n  backend: alsa\n  user: alice\n",
     {"bad.yaml:5:9: 'user' is for backend pipewire or pulseaudio, and this audio's backend is 'alsa': remove it, or change the backend"}},
    {"audio: an ALSA device for pipewire", BASE "audio: {backend: pipewire, device: hw:0}\n",
     {"bad.yaml:3:36: 'device' is for backend alsa, and this audio's backend is 'pipewire': remove it, or change the backend"}},
    {"audio: a cookie for none", BASE "audio: {backend: none, cookie: /c}\n",
     {"bad.yaml:3:32: 'cookie' is for backend pipewire or pulseaudio, and this audio's backend is 'none': remove it, or change the backend"}},
    {"audio: a user that is not a user name", BASE "audio:\n  backend: pulseaudio\n  user: \"al ice\"\n",
     {"bad.yaml:5:9: 'user' must be a user name (the desktop user whose sound server plays the guest), got 'al ice'"}},
    {"audio: an empty server", BASE "audio:\n  backend: pulseaudio\n  server: \"\"\n",
     {"bad.yaml:5:11: 'server' is a file's path, like /run/user/1000/pulse/native"}},
    {"audio: an ALSA device with a space", BASE "audio:\n  backend: alsa\n  device: \"hw 0\"\n",
     {"bad.yaml:5:11: 'device' is an ALSA PCM name, like default or hw:0,0; got 'hw 0'"}},
    {"audio: a misspelt key", BASE "audio:\n  backend: pipewire\n  usr: alice\n",
     {"bad.yaml:5:3: unknown key 'usr' in 'audio' (did you mean 'user'?)"}},
    {"audio: a sound server with neither user, server nor run_as", BASE "audio: pulseaudio\n",
     {"bad.yaml:3:8: audio with backend pulseaudio plays through a desktop user's sound server: name the user (audio.user: alice) "
      "or the server's socket (audio.server: /run/user/1000/pulse/native)"}},
    {"host_display: a word other than handoff", BASE "passthrough:\n  - 01:00.0\n" "host_display: yes\n",
     {"bad.yaml:5:15: 'host_display' must be one of handoff; got 'yes'"}},
    {"host_display: stop_units names no unit", BASE "passthrough:\n  - 01:00.0\n" "host_display:\n  stop_units: [nvidia-persistenced]\n",
     {"bad.yaml:6:15: 'stop_units' lists systemd units by name, like [nvidia-persistenced.service]; got 'nvidia-persistenced'"}},
    {"host_display: a list", BASE "passthrough:\n  - 01:00.0\n" "host_display: [handoff]\n",
     {"bad.yaml:5:15: 'host_display' is handoff or a mapping like {unit: gdm.service} or {stop: [...], start: [...]}; got a list"}},
    {"host_display: a unit name with a space", BASE "passthrough:\n  - 01:00.0\n" "host_display:\n  unit: gdm service\n",
     {"bad.yaml:6:9: 'unit' is a systemd unit's name, like display-manager.service or gdm.service; got 'gdm service'"}},
    {"host_display: a stop command without a start command", BASE "passthrough:\n  - 01:00.0\n" "host_display:\n  stop: [service, lightdm, stop]\n",
     {"bad.yaml:6:3: give 'stop' and 'start' together: vmrun runs one before the GPU goes to the VM and the other when it comes back"}},
    {"host_display: a unit and commands", BASE "passthrough:\n  - 01:00.0\n" "host_display:\n  unit: gdm.service\n  stop: [a]\n  start: [b]\n",
     {"bad.yaml:6:3: give 'unit' or 'stop' and 'start', not both: the unit is stopped and started with systemctl"}},
    {"host_display: an empty command", BASE "passthrough:\n  - 01:00.0\n" "host_display:\n  stop: []\n  start: [b]\n",
     {"bad.yaml:6:9: 'stop' is a command as a list of words, program first, like [/usr/sbin/service, lightdm, stop]"}},
    {"host_display: a timeout of 0", BASE "passthrough:\n  - 01:00.0\n" "host_display:\n  timeout: 0\n",
     {"bad.yaml:6:12: 'timeout' must be a whole number from 1 to 300, got '0'"}},
    {"host_display: a misspelt key", BASE "passthrough:\n  - 01:00.0\n" "host_display:\n  untt: gdm.service\n",
     {"bad.yaml:6:3: unknown key 'untt' in 'host_display' (did you mean 'unit'?)"}},
    {"host_display without a passed device", BASE "host_display: handoff\n",
     {"bad.yaml:3:1: host_display hands the host's GPU to the VM, and this profile passes no device: list the GPU under 'passthrough', or remove host_display"}},
    {"hyperv: a word other than true, false or passthrough", BASE "cpu:\n  hyperv: all\n",
     {"bad.yaml:4:11: 'hyperv' is true (the set Windows uses), passthrough (everything this host's KVM offers) or false; got 'all'"}},
    {"hpet: not a bool", BASE "hpet: no-thanks\n",
     {"bad.yaml:3:7: 'hpet' must be true or false, got 'no-thanks'"}},
    {"host_display with Looking Glass: no desktop is left for its client",
     BASE "passthrough:\n  - 01:00.0\n" "host_display: handoff\n" "looking_glass: {owner: root}\n",
     {"bad.yaml:6:1: looking_glass shows the guest in a window on the host's desktop, and host_display hands that desktop's "
      "GPU to the VM: there is no desktop left to run looking-glass-client on. Remove looking_glass (the guest is on the "
      "monitor the GPU drives), or keep a second GPU for the host and remove host_display"}},
    {"host_display with the session's sound server: it stops with the session",
     BASE "passthrough:\n  - 01:00.0\n" "host_display: handoff\n" "audio: {backend: pipewire, user: root}\n",
     {"bad.yaml:6:1: audio plays through the desktop user's pipewire, which stops when host_display ends the desktop "
      "session (its socket in /run/user goes with it). Pass the GPU's own HDMI audio function, use backend: alsa, or name "
      "a system-wide server's socket in audio.server"}},
    {"input: a relative path", BASE "input:\n  - event3\n",
     {"bad.yaml:4:5: 'evdev' is the absolute path of an event device, like /dev/input/by-id/usb-Logitech_USB_Receiver-event-kbd; got 'event3'"}},
    {"input: an item without evdev", BASE "input:\n  - repeat: true\n",
     {"bad.yaml:4:5: an input device needs 'evdev': the path of its event device, like /dev/input/by-id/...-event-kbd"}},
    {"input: repeat that is not a bool", BASE "input:\n  - evdev: /dev/input/event3\n    repeat: often\n",
     {"bad.yaml:5:13: 'repeat' must be true or false, got 'often'"}},
    {"input: a misspelt key", BASE "input:\n  - evdev: /dev/input/event3\n    repaet: true\n",
     {"bad.yaml:5:5: unknown key 'repaet' in an input device (did you mean 'repeat'?)"}},
    {"input: not a list", BASE "input: /dev/input/event3\n",
     {"bad.yaml:3:8: 'input' must be a list (items start with '- '), got '/dev/input/event3'"}},
    {"input: one device twice", BASE "input:\n  - /dev/input/event3\n  - evdev: /dev/input/event3\n",
     {"bad.yaml:5:12: evdev /dev/input/event3 is listed twice (QEMU grabs a device once): remove one"}},
    {"input_toggle: keys QEMU has no toggle for", BASE "input: [/dev/input/event3]\ninput_toggle: ctrl-alt\n",
     {"bad.yaml:4:15: 'input_toggle' must be one of ctrl-ctrl, alt-alt, shift-shift, meta-meta, scrolllock, ctrl-scrolllock; got 'ctrl-alt'"}},
    {"input_toggle without input", BASE "input_toggle: scrolllock\n",
     {"bad.yaml:3:1: input_toggle switches the 'input' devices between guest and host, and this profile lists none: add them under 'input', or remove input_toggle"}},
    {"tpm: a misspelt key", BASE "tpm:\n  rest: true\n",
     {"bad.yaml:4:3: unknown key 'rest' in 'tpm' (did you mean 'reset'?)"}},
    {"tpm: a list", BASE "tpm: [crb]\n",
     {"bad.yaml:3:6: 'tpm' is true, false or a mapping like {model: crb, reset: false}; got a list"}},
    {"memory that would wrap around", "name: t\nmemory: 17592186044417T\n",
     {"bad.yaml:2:9: 'memory': memory can be at most 16T, got '17592186044417T'"}},
    {"bytes that are not UTF-8", BASE "kernel:\n  image: /x\n  cmdline: \"a\x83\"\n",
     {"bad.yaml:5:14: the profile is not UTF-8 text here (byte 0x83); save it as UTF-8"}},
    {"a second YAML document", BASE "---\nname: u\n",
     {"bad.yaml:3:1: a profile is one YAML document; this is a second one (after '---')"}},
    {"a YAML alias (the exponential 'billion laughs' shape)", BASE "a: &a [x, x]\nb: &b [*a, *a]\n",
     {"bad.yaml:4:8: YAML aliases (*name) are not supported in a profile; write the value out"}},
    {"nesting deeper than any profile", BASE "disks: " + std::string(40, '[') + std::string(40, ']') + "\n",
     {"bad.yaml:3:39: nested more than 32 levels deep; no profile key is"}},
    {"hiding KVM under tcg", BASE "accelerator: tcg\ncpu:\n  model: max\n  hide_kvm: true\n",
     {"bad.yaml:6:13: 'hide_kvm' hides KVM from the guest and needs accelerator kvm"}},
    {"hv_vendor_id longer than 12", BASE "cpu:\n  hv_vendor_id: abcdefghijklmn\n",
     {"bad.yaml:4:17: 'hv_vendor_id' must be 1 to 12 characters without ',', '=' or spaces, got 'abcdefghijklmn'"}},
    {"firmware typo", BASE "firmware: ovfm\n",
     {"bad.yaml:3:11: 'firmware' must be one of seabios, ovmf; got 'ovfm' (did you mean 'ovmf'?)"}},
    {"secure boot on SeaBIOS", BASE "firmware:\n  type: seabios\n  secure_boot: true\n",
     {"bad.yaml:5:16: secure_boot needs firmware type ovmf (SeaBIOS has no Secure Boot)"}},
    {"disks not a list", BASE "disks: /dev/sda\n",
     {"bad.yaml:3:8: 'disks' must be a list (items start with '- '), got '/dev/sda'"}},
    {"disk without path", BASE "disks:\n  - id: d0\n    format: raw\n",
     {"bad.yaml:4:5: a disk needs 'path': an image file or a block device like /dev/sdc6"}},
    {"disk bus typo", BASE "disks:\n  - path: a.img\n    bus: virtoi\n",
     {"bad.yaml:5:10: 'bus' must be one of virtio, virtio-scsi, sata, nvme; got 'virtoi' (did you mean 'virtio'?)"}},
    {"disk format unsupported", BASE "disks:\n  - path: a.vmdk\n    format: vmdk\n",
     {"bad.yaml:5:13: 'format' must be one of raw, qcow2; got 'vmdk'"}},
    {"CD-ROM on virtio-blk", BASE "disks:\n  - path: a.iso\n    media: cdrom\n    bus: virtio\n",
     {"bad.yaml:6:10: a CD-ROM needs bus sata or virtio-scsi; virtio-blk and NVMe have no removable media"}},
    {"aio native without O_DIRECT", BASE "disks:\n  - path: a.img\n    aio: native\n",
     {"bad.yaml:5:10: aio: native needs cache: none or directsync (it works on O_DIRECT files only)"}},
    {"two disks with one boot index", BASE "disks:\n  - path: a.img\n    boot_index: 1\n  - path: b.img\n    boot_index: 1\n",
     {"bad.yaml:7:17: boot_index 1 is also used at line 5; each boot device needs its own"}},
    {"boot index and boot order together", BASE "boot:\n  order: dc\ndisks:\n  - path: a.img\n    boot_index: 1\n",
     {"bad.yaml:7:17: boot_index and boot.order (line 4) both set the boot order; use one of them"}},
    {"boot order with a bad letter", BASE "boot:\n  order: dx\n",
     {"bad.yaml:4:10: 'order' is a string of QEMU boot letters: c (disk), d (cdrom), n (network), like 'dc'; got 'dx'"}},
    {"one id for a disk and a NIC", BASE "disks:\n  - id: main\n    path: a.img\nnetwork:\n  - id: main\n    type: user\n",
     {"bad.yaml:7:9: duplicate id 'main' (also used at line 4); every disk, NIC and device needs its own id"}},
    {"id vmrun reserves", BASE "disks:\n  - id: rp1\n    path: a.img\n",
     {"bad.yaml:4:9: id 'rp1' is reserved for devices vmrun creates (rpN, scsiN, xhci, drive-*, netdev-*, vmrun*); pick another"}},
    {"id starting with a digit", BASE "disks:\n  - id: 1st\n    path: a.img\n",
     {"bad.yaml:4:9: id '1st' must start with a letter and use only letters, digits, '-', '.' and '_'"}},
    {"NIC without type", BASE "network:\n  - model: virtio\n",
     {"bad.yaml:4:5: a network interface needs 'type': tap (on a bridge) or user (NAT, no privileges)"}},
    {"tap without bridge", BASE "network:\n  - type: tap\n",
     {"bad.yaml:4:5: a tap interface needs 'bridge', the host bridge to join (like br0)"}},
    {"malformed MAC", BASE "network:\n  - type: user\n    mac: 52:54:00:12:34\n",
     {"bad.yaml:5:10: 'mac': write six hex bytes separated by ':', like 52:54:00:12:34:56, got '52:54:00:12:34'"}},
    {"multicast MAC", BASE "network:\n  - type: user\n    mac: 01:00:5e:00:00:01\n",
     {"bad.yaml:5:10: 'mac': a multicast MAC (first byte odd) cannot be a NIC address; use a unicast one like 52:54:00:12:34:56, got '01:00:5e:00:00:01'"}},
    {"two NICs, one MAC", BASE "network:\n  - type: user\n    mac: 52:54:00:00:00:01\n  - type: user\n    mac: 52:54:00:00:00:01\n",
     {"bad.yaml:7:10: MAC 52:54:00:00:00:01 is also used at line 5; two NICs cannot share one"}},
    {"bridge on a user NIC", BASE "network:\n  - type: user\n    bridge: br0\n",
     {"bad.yaml:5:13: 'bridge' is for type tap; a user-mode NIC has no bridge"}},
    {"create_bridge on a user NIC", BASE "network:\n  - type: user\n    create_bridge: true\n",
     {"bad.yaml:5:20: 'create_bridge' is for type tap; a user-mode NIC has no bridge"}},
    {"create_bridge not a bool", BASE "network:\n  - type: tap\n    bridge: br0\n    create_bridge: maybe\n",
     {"bad.yaml:6:20: 'create_bridge' must be true or false, got 'maybe'"}},
    {"tap name over 15 characters", BASE "network:\n  - type: tap\n    bridge: br0\n    tap: tap-for-the-gaming-vm\n",
     {"bad.yaml:6:10: 'tap' must be an interface name of at most 15 characters without '/', ':', ',', '=' or spaces, got 'tap-for-the-gaming-vm'"}},
    {"port forward on a tap", BASE "network:\n  - type: tap\n    bridge: br0\n    forwards: [\"2222:22\"]\n",
     {"bad.yaml:6:15: 'forwards' are for type user; a tap NIC is reachable on the bridge directly"}},
    {"malformed port forward", BASE "network:\n  - type: user\n    forwards: [\"ssh\"]\n",
     {"bad.yaml:5:16: port forward: write [tcp|udp:][ADDRESS:]HOSTPORT:GUESTPORT, like 2222:22 or tcp:127.0.0.1:2222:22, got 'ssh'"}},
    {"PCI address without function", BASE "passthrough:\n  - host: 01:00\n",
     {"bad.yaml:4:11: 'host' must be a PCI address like 0000:03:00.0 or 03:00.0 (see lspci -D), got '01:00'"}},
    {"one host device listed twice", BASE "passthrough:\n  - 01:00.0\n  - 0000:01:00.0\n",
     {"bad.yaml:5:5: host 0000:01:00.0 is listed twice (also at line 4)"}},
    {"two devices claim x-vga", BASE "passthrough:\n  - host: 01:00.0\n    x_vga: true\n  - host: 02:00.0\n    x_vga: true\n",
     {"bad.yaml:7:12: only one device can own the legacy VGA ranges; x_vga is also set at line 5"}},
    {"x-vga next to an emulated VGA", BASE "passthrough:\n  - host: 01:00.0\n    x_vga: true\ndisplay:\n  type: vnc\n  vga: std\n",
     {"bad.yaml:8:8: x_vga (line 5) hands the VGA ranges to the passed-through GPU; set display.vga: none"}},
    {"romfile with the ROM BAR off", BASE "passthrough:\n  - host: 01:00.0\n    romfile: /roms/gpu.rom\n    rombar: false\n",
     {"bad.yaml:5:14: 'romfile' is exposed through the ROM BAR; it cannot be used with rombar: false"}},
    {"passthrough key typo", BASE "passthrough:\n  - host: 01:00.0\n    x-vga: true\n",
     {"bad.yaml:5:5: unknown key 'x-vga' in a passthrough device (did you mean 'x_vga'?)"}},
    {"short USB id", BASE "usb:\n  - 046d:c5\n",
     {"bad.yaml:4:5: 'host': write vendor:product as four hex digits each, like 046d:c52b (see lsusb), got '046d:c5'"}},
    {"one USB device twice", BASE "usb:\n  - 046d:c52b\n  - host: 046D:C52B\n",
     {"bad.yaml:5:11: this USB device is also listed at line 4"}},
    {"too many spare root ports", BASE "root_ports:\n  spare: 33\n",
     {"bad.yaml:4:10: 'spare' must be a whole number from 0 to 32, got '33'"}},
    {"root port model typo", BASE "root_ports:\n  model: ioh3240\n",
     {"bad.yaml:4:10: 'model' must be one of ioh3420, pcie-root-port; got 'ioh3240' (did you mean 'ioh3420'?)"}},
    {"headless with a GTK window", BASE "headless: true\ndisplay: gtk\n",
     {"bad.yaml:4:10: a headless VM has no local window; use display none, vnc or spice, or set headless: false"}},
    {"headless with a stdio console", BASE "headless: true\nserial: stdio\n",
     {"bad.yaml:4:1: a headless VM has no terminal for serial: stdio; use serial: socket and 'vmrun console'"}},
    {"listen without a network display", BASE "display:\n  type: none\n  listen: 127.0.0.1:5900\n",
     {"bad.yaml:5:11: 'listen' is for display vnc or spice"}},
    {"VNC below its port range", BASE "display:\n  type: vnc\n  listen: 127.0.0.1:80\n",
     {"bad.yaml:5:11: VNC ports are 5900 plus a display number; use a port from 5900 up"}},
    {"listen without a port", BASE "display:\n  type: vnc\n  listen: 5900\n",
     {"bad.yaml:5:11: 'listen' must be ADDRESS:PORT like 127.0.0.1:5900, got '5900'"}},
    {"key written twice", BASE "memory: 2G\n",
     {"bad.yaml:3:1: key 'memory' appears twice in the profile (first at line 2); keep one"}},
    {"hugepages with an odd size", "name: t\nmemory: 1025M\nhugepages: true\n",
     {"bad.yaml:2:1: with hugepages, memory must be a multiple of 2M (the huge page size)"}},
    {"1G hugepages with memory not in whole GiB", "name: t\nmemory: 1536M\nhugepages: {size: 1G, allocate: true}\n",
     {"bad.yaml:2:1: with 1G hugepages, memory must be a multiple of 1G (the huge page size)"}},
    {"hugepages size x86 has not", BASE "hugepages:\n  size: 4M\n",
     {"bad.yaml:4:9: 'size' is a huge page size of x86-64: 2M or 1G; got '4M'"}},
    {"hugepages allocate not a boolean", BASE "hugepages: {size: 2M, allocate: sometimes}\n",
     {"bad.yaml:3:33: 'allocate' must be true or false, got 'sometimes'"}},
    {"hugepages path relative", BASE "hugepages: {path: hugepages1G}\n",
     {"bad.yaml:3:19: 'path' is the absolute path of a hugetlbfs mount, like /dev/hugepages1G; got 'hugepages1G'"}},
    {"hugepages key misspelt", BASE "hugepages: {size: 2M, alocate: true}\n",
     {"bad.yaml:3:23: unknown key 'alocate' in 'hugepages' (did you mean 'allocate'?)"}},
    {"hugepages a list", BASE "hugepages: [2M]\n",
     {"bad.yaml:3:12: 'hugepages' is true, false, a hugetlbfs mount path (like /dev/hugepages1G) or a mapping like {size: 1G, allocate: true}; got a list"}},
    {"extra args must be text", BASE "qemu_extra_args: [-s, [x]]\n",
     {"bad.yaml:3:23: each item of 'qemu_extra_args' must be a text value, got a list"}},
    {"kernel without image", BASE "kernel:\n  cmdline: console=ttyS0\n",
     {"bad.yaml:4:3: 'kernel' needs 'image', the path of the kernel (bzImage/vmlinuz)"}},
    {"seven SATA devices", BASE "disks:\n  - {path: 1.iso, media: cdrom}\n  - {path: 2.iso, media: cdrom}\n  - {path: 3.iso, media: cdrom}\n"
                            "  - {path: 4.iso, media: cdrom}\n  - {path: 5.iso, media: cdrom}\n  - {path: 6.iso, media: cdrom}\n  - {path: 7.iso, media: cdrom}\n",
     {"bad.yaml:10:5: q35's AHCI controller has 6 ports and this is the 7th sata disk; put some on virtio or virtio-scsi"}},
    {"YAML syntax error", BASE "disks: [unclosed\n",
     {"bad.yaml:4:1: YAML syntax error: end of sequence flow not found"}},
    {"profile is a list", "- name: t\n",
     {"bad.yaml:1:1: the profile must be a mapping of keys to values, got a list"}},
};

}  // namespace

TEST_CASE("bad profiles: each gives its exact position and message") {
    CHECK(std::size(kCases) >= 30);
    for (const auto& c : kCases) {
        std::string what = c.what, yaml = c.yaml, got;
        auto errors = run_pipeline(c.yaml).errors();
        for (const auto& e : errors) got += e + "\n";
        CAPTURE(what);
        CAPTURE(yaml);
        CAPTURE(got);
        CHECK(errors == c.errors);
    }
}

TEST_CASE("every problem is reported at once, in file order") {
    auto errors = run_pipeline(
        "name: t\n"
        "memory: 8Q\n"
        "accelerator: kvmm\n"
        "disks:\n"
        "  - path: a.img\n"
        "    bus: usb\n"
        "passthrough:\n"
        "  - 01:00\n").errors();
    REQUIRE(errors.size() == 4);
    CHECK(errors[0].rfind("bad.yaml:2:9:", 0) == 0);
    CHECK(errors[1].rfind("bad.yaml:3:14:", 0) == 0);
    CHECK(errors[2].rfind("bad.yaml:6:10:", 0) == 0);
    CHECK(errors[3].rfind("bad.yaml:8:5:", 0) == 0);
}

TEST_CASE("minimal profiles, kvm and tcg, have no errors") {
    for (const char* ok : {BASE, BASE "accelerator: tcg\ncpu: max\n"}) {
        CAPTURE(ok);
        CHECK(run_pipeline(ok).errors().empty());
    }
}
