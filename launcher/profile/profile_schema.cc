#include "profile/profile_schema.h"

#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "profile/profile.h"
#include "profile/smbios_fields.h"
#include "profile/yaml_reader.h"

namespace vmrun {

namespace {

// Where the README's tables say "|", markdown needs "\|".
std::string cell(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '|') out += '\\';
        out += c;
    }
    return out;
}

std::vector<std::string> split_keys(const std::string& keys) {
    std::vector<std::string> out;
    std::string::size_type at = 0;
    while (at <= keys.size()) {
        auto comma = keys.find(", ", at);
        out.push_back(keys.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
        if (comma == std::string::npos) break;
        at = comma + 2;
    }
    return out;
}

// The SMBIOS types' fields are QEMU's, listed once in smbios_fields.cc.
std::string smbios_type_meaning(int type) {
    static const std::map<int, std::string> label = {{0, "BIOS"}, {1, "System"}, {2, "Baseboard"}, {3, "Chassis"}, {17, "Memory"}};
    std::string out = label.count(type) ? label.at(type) : "Type " + std::to_string(type);
    const char* sep = ": ";
    for (const auto& f : smbios_fields())
        if (f.type == type) {
            out += sep + std::string("`") + f.key + "`";
            sep = ", ";
        }
    return out + ".";
}

// Rows that read themselves: a top-level key bound to its Profile field.
template <typename Field>
ProfileKey flag_key(std::string key, std::string default_value, std::string meaning, Field Profile::*field) {
    return {std::move(key), "bool", std::move(default_value), std::move(meaning), {},
            [field](const YAML::Node& n, const std::string& k, Profile& p, Diagnostics& d) {
                if (auto b = read_bool(n, k, d)) p.*field = *b;
            }};
}

ProfileKey int_key(std::string key, int min, int max, std::string default_value, std::string meaning, int Profile::*field) {
    return {std::move(key), std::to_string(min) + "–" + std::to_string(max), std::move(default_value), std::move(meaning), {},
            [=](const YAML::Node& n, const std::string& k, Profile& p, Diagnostics& d) {
                if (auto i = read_int(n, k, min, max, d)) p.*field = *i;
            }};
}

// The words a key accepts and what each sets its field to: the row's choices come from here.
template <typename Field, typename Value>
ProfileKey choice_key(std::string key, std::string default_value, std::string meaning, Field Profile::*field,
                      std::vector<std::pair<std::string, Value>> values) {
    std::vector<std::string> words;
    for (const auto& [word, value] : values) words.push_back(word);
    return {std::move(key), "{choices}", std::move(default_value), std::move(meaning), words,
            [=](const YAML::Node& n, const std::string& k, Profile& p, Diagnostics& d) {
                if (auto s = read_choice(n, k, words, d))
                    for (const auto& [word, value] : values)
                        if (word == *s) p.*field = value;
            }};
}

// A choice whose word is the value itself.
ProfileKey word_key(std::string key, std::string default_value, std::string meaning, std::string Profile::*field,
                    std::vector<std::string> words) {
    std::vector<std::pair<std::string, std::string>> values;
    for (const auto& w : words) values.emplace_back(w, w);
    return choice_key(std::move(key), std::move(default_value), std::move(meaning), field, values);
}

std::vector<ProfileSection> build_schema() {
    std::vector<ProfileSection> schema = {
        {"top", "the profile", true, {
            {"name", "text, **required**", "—",
             "The VM's name: letters, digits, `-`, `_`, `.`; at most 64. Names the runtime folder (`/run/vmrun/NAME`), the state folder (`/var/lib/vmrun/NAME`) and seeds generated MACs and tap names."},
            word_key("machine", "`q35`",
             "Machine type. Only q35 (PCIe, needed for root ports and x-vga) is supported.", &Profile::machine, {"q35"}),
            choice_key("accelerator", "`kvm`",
             "`tcg` is software emulation: slow, but works without `/dev/kvm`.", &Profile::accelerator,
             std::vector<std::pair<std::string, Accelerator>>{{"kvm", Accelerator::kvm}, {"tcg", Accelerator::tcg}}),
            {"memory", "size, **required**", "—",
             "Guest RAM with a unit: `8G`, `1024M`, `2GiB`, `512MB`, `1T`. A bare number is refused (MiB or GiB?)."},
            {"hugepages", "bool, path or mapping", "`false`",
             "Guest RAM from huge pages, preallocated by QEMU on threads. `true`: pages of the kernel's default size someone reserved; a path (`/dev/hugepages1G`) names a hugetlbfs mount; `{size: 2M | 1G, allocate: true}` has vmrun add them to the kernel's pool at start and give them back at the end. See [hugepages](#hugepages)."},
            {"smp", "number or mapping", "`1`",
             "A number is that many cores on one socket; a mapping gives sockets, cores and threads. See [smp](#smp)."},
            {"cpu", "text or mapping", "`host` (`max` with `accelerator: tcg`)",
             "A text is the CPU model. See [cpu](#cpu)."},
            choice_key("rtc", "`utc`",
             "`localtime` for Windows, which keeps the hardware clock in local time.", &Profile::rtc,
             std::vector<std::pair<std::string, RtcBase>>{{"utc", RtcBase::utc}, {"localtime", RtcBase::localtime}}),
            flag_key("hpet", "`true`",
             "The emulated HPET timer. `false` for Windows guests with `cpu.hyperv`: they keep time by hv-time and waste less CPU without it (`-machine hpet=off`).", &Profile::hpet),
            flag_key("guest_sleep", "`true` without `passthrough`, else `false`",
             "Whether the guest may suspend (S3) or hibernate (S4). A passed GPU does not come back from either, so a profile with passthrough turns both off unless this says `true` (`-global ICH9-LPC.disable_s3=1,disable_s4=1`).", &Profile::guest_sleep),
            choice_key("host_sleep", "`block` with `passthrough`, else `allow`",
             "`block`: while the VM runs, vmrun holds a logind sleep inhibitor (`systemd-inhibit --what=sleep --mode=block`), so a suspend (`systemctl suspend`, the lid, the desktop's idle policy) is refused instead of taking the passed devices from the guest. Let go when the VM ends, also when vmrun is killed. A host without logind is warned about.",
             &Profile::block_host_sleep, std::vector<std::pair<std::string, bool>>{{"block", true}, {"allow", false}}),
            {"boot", "mapping", "—",
             "See [boot](#boot)."},
            {"firmware", "{choices} | mapping", "`seabios`",
             "See [firmware](#firmware).", {"seabios", "ovmf"}},
            {"tpm", "bool or mapping", "`false`",
             "A TPM 2.0 from swtpm (Windows 11 needs one). See [tpm](#tpm)."},
            {"smbios", "`host` or mapping", "—",
             "The guest's SMBIOS strings (what licence checks and anti-cheat read). See [smbios](#smbios)."},
            {"acpi_tables", "list of paths", "`[]`",
             "Whole ACPI tables (header included) added to the guest's, e.g. the host's `/sys/firmware/acpi/tables/MSDM` (the Windows licence key of an OEM machine) or a SLIC. Relative paths are beside the profile; each must exist and hold at least a table header (36 bytes). QEMU: `-acpitable file=`."},
            {"looking_glass", "bool or mapping", "`false`",
             "Shared memory for [Looking Glass](https://looking-glass.io): the passed GPU's frames shown in a window on the host's desktop. See [looking_glass](#looking_glass)."},
            {"input", "list", "`[]`",
             "Host keyboards and mice given to the guest through evdev (QEMU's `input-linux`, grabbed while the guest has them). See [input](#input)."},
            word_key("input_toggle", "QEMU's: `ctrl-ctrl`",
             "The keys that move the `input` devices between guest and host (both left and right Ctrl by default). Needs `input`.",
             &Profile::input_toggle, {"ctrl-ctrl", "alt-alt", "shift-shift", "meta-meta", "scrolllock", "ctrl-scrolllock"}),
            {"host_display", "{choices} or mapping", "—",
             "Single-GPU passthrough: the host's display stack (display manager, consoles, firmware framebuffer, the GPU driver's modules) lets go of the boot GPU at start and gets it back at the end. See [host_display](#host_display).", {"handoff"}},
            {"audio", "backend or mapping", "—",
             "A sound card in the guest whose sound plays on the host: through the desktop user's PipeWire or PulseAudio server, ALSA, or nowhere (`none`: the guest still has a card, which some Windows games want). See [audio](#audio)."},
            flag_key("balloon", "`false`",
             "A virtio-balloon (`vmrun balloon NAME SIZE` moves memory; `vmrun status` shows it). The guest needs its driver (Linux `virtio_balloon`; Windows: virtio-win's Balloon service). With passthrough (VFIO pins all guest memory) or hugepages the host gets nothing back, which is warned about.", &Profile::balloon),
            flag_key("guest_agent", "`false`",
             "A virtio-serial port named `org.qemu.guest_agent.0` for the QEMU guest agent (Linux: package `qemu-guest-agent`; Windows: virtio-win's `qemu-ga`), served on `agent.sock` in the runtime folder. With it `vmrun stop` asks the agent to shut down a guest that ignores ACPI, `vmrun status` shows the guest's addresses, and `vmrun agent NAME COMMAND` runs any agent command.", &Profile::guest_agent),
            {"kernel", "mapping", "—",
             "Direct kernel boot. See [kernel](#kernel)."},
            {"disks", "list", "`[]`",
             "See [disks](#disks)."},
            {"network", "list", "`[]`",
             "See [network](#network)."},
            {"passthrough", "list", "`[]`",
             "Host PCI devices. See [passthrough](#passthrough)."},
            {"usb", "list", "`[]`",
             "Host USB devices. See [usb](#usb)."},
            {"shared_folders", "list", "`[]`",
             "Host folders the guest mounts through virtiofs, each served by a `virtiofsd` of its own. See [shared_folders](#shared_folders)."},
            {"root_ports", "mapping", "see below",
             "See [root_ports](#root_ports)."},
            {"display", "{choices} | mapping", "`none`",
             "See [display](#display).", {"none", "gtk", "vnc", "spice"}},
            choice_key("serial", "`socket`",
             "The guest's first serial port. `socket`: a unix socket in the runtime folder (`console.sock`) for `vmrun console`. `stdio`: this terminal (not with `headless`).",
             &Profile::serial, std::vector<std::pair<std::string, SerialMode>>{{"socket", SerialMode::socket}, {"stdio", SerialMode::stdio}, {"none", SerialMode::none}}),
            flag_key("headless", "`false`",
             "No local window; the VM is meant to run detached (gaming VMs with a passed-through GPU, servers). Refuses `display: gtk` and `serial: stdio`.", &Profile::headless),
            int_key("shutdown_timeout", 1, 3600, "`60`",
             "Seconds between the ACPI power-off request (Ctrl-C, `vmrun stop`) and quitting QEMU when the guest has not powered off.", &Profile::shutdown_timeout),
            {"run_as", "user name", "—",
             "QEMU drops to this user (`-runas`) once it has opened its files and devices; vmrun itself keeps the privileges it needs to restore the host."},
            flag_key("sandbox", "`false`",
             "QEMU's seccomp sandbox (`-sandbox on` denying obsolete calls, spawning, resource control, and privilege changes unless `run_as` needs one).", &Profile::sandbox),
            {"qemu_extra_args", "list of text", "`[]`",
             "**Escape hatch**: appended to QEMU's argv unchecked, after everything vmrun builds. vmrun warns whenever it is used. Each item is one argv element (no shell splitting)."},
        }},
        {"smp", "'smp'", true, {
            {"sockets", "1–64", "`1`",
             "CPU sockets."},
            {"cores", "1–512", "`1`",
             "Cores per socket."},
            {"threads", "1–8", "`1`",
             "Threads per core. At most 288 CPUs in total (sockets × cores × threads)."},
        }},
        {"cpu", "'cpu'", true, {
            {"model", "CPU model", "`host` (`max` with `accelerator: tcg`)",
             "The CPU QEMU shows the guest (`-cpu`): one word like `host`, `max`, `EPYC-v4`. `host` exists only under KVM."},
            {"hide_kvm", "bool", "`false`",
             "Hides the KVM signature (`kvm=off`), which NVIDIA drivers before R465 (April 2021) answer with Code 43; today's drivers do not need it. Needs `accelerator: kvm`."},
            {"hv_vendor_id", "1–12 characters", "—",
             "The Hyper-V vendor id the guest sees (`hv-vendor-id`); no `,`, `=` or spaces. Only NVIDIA drivers before R465 need one other than KVM's."},
            {"hyperv", "bool or `passthrough`", "`false`",
             "Hyper-V enlightenments for Windows. `true`: hv-relaxed, hv-vapic, hv-spinlocks, hv-time, hv-vpindex, hv-synic, hv-stimer, hv-stimer-direct, hv-reset, hv-frequencies, hv-tlbflush, hv-ipi. `passthrough`: every one this host's KVM offers (`hv-passthrough`; the guest is then tied to this host's kernel). Needs `accelerator: kvm`."},
            {"flags", "list of text", "`[]`",
             "Appended to `-cpu` as written: `+name`, `-name` or `name=value`, one word each (`+invtsc`, `+topoext`)."},
            {"pin", "mapping", "not pinned",
             "Which host CPUs QEMU's threads run on. See [cpu.pin](#cpupin)."},
        }},
        {"cpu.pin", "'pin'", true, {
            {"vcpus", "list of CPU numbers", "not pinned",
             "One host CPU per vCPU, in vCPU order; its length must equal the vCPU count (`smp`), and a CPU may appear once."},
            {"emulator", "list of CPU numbers", "not pinned",
             "The CPUs for every other QEMU thread. Sharing one with `vcpus` is allowed, with a warning."},
        }},
        {"boot", "'boot'", true, {
            {"menu", "bool", "`false`",
             "Show the firmware's boot menu."},
            {"order", "text", "—",
             "QEMU boot letters: `c` disk, `d` CD-ROM, `n` network, e.g. `dc`. Cannot be combined with a disk's `boot_index`."},
        }},
        {"firmware", "'firmware'", true, {
            {"type", "{choices}", "**required** in the mapping",
             "", {"seabios", "ovmf"}},
            {"code", "path", "`/usr/share/OVMF/OVMF_CODE_4M.fd` (`OVMF_CODE_4M.secboot.fd` with Secure Boot)",
             "OVMF code image, attached read-only as pflash unit 0."},
            {"vars_template", "path", "`/usr/share/OVMF/OVMF_VARS_4M.fd` (`OVMF_VARS_4M.ms.fd`, Microsoft keys enrolled, with Secure Boot)",
             "Copied to the VM's state folder as `OVMF_VARS.fd` on first start and **never overwritten** afterwards: the guest's boot entries live there."},
            {"secure_boot", "bool", "`false`",
             "Secure Boot: the signed code image, SMM on, the pflash marked secure. Windows 11 wants it."},
            {"reset_nvram", "bool", "`false`",
             "Copy the template again at every start (forget the guest's boot entries)."},
        }},
        {"tpm", "'tpm'", true, {
            {"model", "{choices}", "`crb` with OVMF, `tis` with SeaBIOS",
             "The TPM's interface: QEMU's `tpm-crb` or `tpm-tis`.", {"crb", "tis"}},
            {"reset", "bool", "`false`",
             "Wipe the TPM's state at every start (BitLocker's and Windows Hello's keys with it)."},
        }},
        {"looking_glass", "'looking_glass'", true, {
            {"size", "size, a power of two, at least `2M`", "from `resolution`",
             "The shared memory. Looking Glass's rule: width × height × 4 bytes × 2 frames + 10 MiB, rounded up to a power of two (1920x1080 → 32M, 2560x1440 → 64M, 3840x2160 → 128M)."},
            {"resolution", "`WIDTHxHEIGHT`", "`1920x1080`",
             "The guest's largest display mode, from which `size` follows. Not together with `size`."},
            {"owner", "user name", "root",
             "Who owns the file (mode 0660; its group is `run_as`'s when QEMU drops to a user, so QEMU can map it too). Must exist on the host."},
            {"device", "{choices}", "`shm`",
             "`shm`: the file `/dev/shm/looking-glass-NAME`. `kvmfr`: the `/dev/kvmfr0` device of the kvmfr module (loaded with `static_size_mb` ≥ the size); vmrun checks it is there and creates nothing.", {"shm", "kvmfr"}},
        }},
        {"input", "an input device", true, {
            {"evdev", "absolute path, **required**", "—",
             "The device's evdev node: `/dev/input/by-id/…-event-kbd` or `…-event-mouse` (stable across reboots), or `/dev/input/eventN`. Not the legacy `…-mouse` / `/dev/input/mouseN`."},
            {"grab_all", "bool", "`false`",
             "Grab the device's sibling event devices too (a keyboard's media-key and LED devices)."},
            {"repeat", "bool", "`false`",
             "Pass the host's key repeat events on (for a keyboard)."},
        }},
        {"host_display", "'host_display'", true, {
            {"unit", "systemd unit name", "`display-manager.service`",
             "Stopped with `systemctl stop` when it is active, and started again at the end (an inactive unit is left alone both times). Not together with `stop`/`start`."},
            {"stop", "list of words", "—",
             "A command (program first, no shell) that stops the host's display stack, for hosts without systemd. Given with `start`."},
            {"start", "list of words", "—",
             "The command that starts it again when the VM ends."},
            {"stop_units", "list of systemd unit names", "—",
             "Units besides the display manager whose processes hold the GPU (`nvidia-persistenced.service`, a CUDA job's unit, a user's `user@1000.service`): stopped first when active, journaled, and started again at the end."},
            {"timeout", "1–300", "`30`",
             "Seconds to wait, after the display manager stopped, until no process holds the GPU's `/dev/dri/card*`/`renderD*` (or its own `/dev/nvidiaN`) nodes; past it, the start is given up and the holders are named."},
        }},
        {"audio", "'audio'", true, {
            {"backend", "{choices}", "— (**required**)",
             "Where QEMU plays the guest's sound. `pipewire`: QEMU 7.2 has no PipeWire backend, so QEMU's PulseAudio driver talks to PipeWire's PulseAudio server (`pipewire-pulse`), which `--dry-run` says. `pulseaudio`: a PulseAudio server. `alsa`: an ALSA device directly (a host without a sound server). `none`: a card with no host sound. QEMU: `-audiodev pa` / `alsa` / `none`.", {"pipewire", "pulseaudio", "alsa", "none"}},
            {"model", "{choices}", "`ich9`",
             "The guest's card: `ich9` is Intel HD Audio (`ich9-intel-hda` with QEMU's `hda-duplex` codec: output and input), which every Windows since Vista drives; `ac97` for older guests. On `pcie.0`.", {"ich9", "ac97"}},
            {"user", "user name", "`run_as`",
             "pipewire/pulseaudio: whose server. Its socket is `/run/user/UID/pulse/native`, its cookie `~USER/.config/pulse/cookie`. Must exist on the host."},
            {"server", "path", "the user's socket",
             "pipewire/pulseaudio: the server's socket, when it is elsewhere (a system-wide PulseAudio, a non-default `XDG_RUNTIME_DIR`)."},
            {"cookie", "path", "the user's cookie",
             "pipewire/pulseaudio: PulseAudio's cookie file, when it is not in the user's `~/.config/pulse`."},
            {"device", "ALSA PCM name", "ALSA's default",
             "alsa: the device QEMU plays to and records from (`hw:0,0`, `plughw:1`)."},
        }},
        {"hugepages", "'hugepages'", true, {
            {"size", "{choices}", "the kernel's `Hugepagesize`",
             "The page size. Memory must be a multiple of it. 1G pages need a CPU with `pdpe1gb`.", {"2M", "1G"}},
            {"allocate", "bool", "`false`",
             "Carve the pages out when the VM starts instead of reserving them at boot forever."},
            {"path", "absolute path", "a hugetlbfs mounted with that page size",
             "Where QEMU takes the pages from. With `allocate` and no such mount, vmrun mounts its own in the runtime folder (`hugepages/`, 0700) and unmounts it after."},
        }},
        {"smbios", "'smbios'", true, {
            {"host", "bool", "`false`",
             "Start from this machine's DMI strings; the types given set their keys over them."},
        }},
        {"kernel", "'kernel'", true, {
            {"image", "path, **required**", "—",
             "bzImage / vmlinuz."},
            {"initrd", "path", "—",
             "Initial ramdisk."},
            {"cmdline", "text", "—",
             "Kernel command line, passed verbatim."},
        }},
        {"disks", "a disk", true, {
            {"path", "path, **required**", "—",
             "Image file or block device (`/dev/sdc6`, `/dev/disk/by-id/...`). Commas and `=` are safe: vmrun escapes every option value."},
            {"id", "text", "`diskN` / `cdromN`",
             "Device id in QEMU (letters, digits, `-`, `.`, `_`; starts with a letter). Unique across disks, NICs and devices."},
            {"media", "{choices}", "`disk`",
             "A CD-ROM is always read-only.", {"disk", "cdrom"}},
            {"format", "{choices}", "`qcow2` for `*.qcow2`, else `raw`",
             "", {"raw", "qcow2"}},
            {"bus", "{choices}", "`virtio` (`sata` for a CD-ROM)",
             "`virtio` is virtio-blk; `virtio-scsi` shares one controller (`scsi0`); `sata` uses q35's built-in AHCI (6 ports); `nvme` is an emulated NVMe drive. A CD-ROM needs `sata` or `virtio-scsi`.", {"virtio", "virtio-scsi", "sata", "nvme"}},
            {"cache", "{choices}", "QEMU's (`writeback`)",
             "", {"none", "writeback", "writethrough", "directsync", "unsafe"}},
            {"aio", "{choices}", "QEMU's (`threads`)",
             "`native` needs `cache: none` or `directsync`.", {"threads", "native", "io_uring"}},
            {"readonly", "bool", "`false`",
             ""},
            {"boot_index", "0–99", "—",
             "Boot priority, lowest first; unique."},
        }},
        {"network", "a network interface", true, {
            {"type", "{choices}, **required**", "—",
             "`user`: QEMU's user-mode NAT, no privileges needed. `tap`: a tap device on a host bridge.", {"user", "tap"}},
            {"id", "text", "`netN`",
             "Device id."},
            {"model", "{choices}", "`virtio`",
             "`e1000e` for guests without virtio drivers (a Windows installer).", {"virtio", "e1000e", "e1000"}},
            {"mac", "MAC", "generated",
             "Unicast `52:54:00:12:34:56`. When absent, vmrun derives a stable one from the VM name and NIC id, so the guest keeps its address across restarts."},
            {"bridge", "text", "—",
             "`tap` only, **required** there: the host bridge to join (`br0`)."},
            {"tap", "text", "`vmr<hash>n<index>`",
             "`tap` only: the tap's name, at most 15 characters."},
            {"create_bridge", "bool", "`false`",
             "`tap` only: create `bridge` when it does not exist (an isolated bridge with no uplink; vmrun removes it when the VM ends)."},
            {"forwards", "list of text", "`[]`",
             "`user` only: `[tcp|udp:][ADDRESS:]HOSTPORT:GUESTPORT`, e.g. `2222:22`. The host side binds `127.0.0.1` unless an address is given."},
        }},
        {"passthrough", "a passthrough device", true, {
            {"host", "PCI address, **required** (or `pf` + `vf`)", "—",
             "`0000:03:00.0` or `03:00.0` (`lspci -D`). Listed once."},
            {"pf, vf", "PCI address, 0–255", "—",
             "An SR-IOV virtual function by its physical function and index, instead of `host` (below)."},
            {"id", "text", "`hostdevN`",
             "Device id."},
            {"x_vga", "bool", "`false`",
             "Give this GPU the legacy VGA ranges (`x-vga=on`): needed for a GPU as the primary display under SeaBIOS; OVMF needs none (warned). vfio-pci must offer the VGA region: not with `disable_vga=1` or without `CONFIG_VFIO_PCI_VGA` (refused at start, shown by `vmrun check`). At most one device; the emulated VGA is turned off (`display.vga` must be `none` or `auto`)."},
            {"romfile", "path", "—",
             "A ROM image to expose instead of the card's own (a dumped, patched VBIOS)."},
            {"rombar", "bool", "QEMU's (`true`)",
             "`false` hides the ROM BAR."},
            {"guest_address", "`SS.F` (hex)", "—",
             R"~(Put the device on the guest's root complex (`pcie.0`) at slot `SS`, function `F` (`"1a.0"`), instead of behind a root port: how a chipset's own devices (USB controllers) sit, as the seed's Windows 7 script places them. Such a device cannot be hot-unplugged. Every function of its host slot needs one; a slot used needs function 0; slots 00 (host bridge), 1f (ICH9) and 01 with an emulated VGA are taken; two devices at one address are an error.)~"},
        }},
        {"passthrough.vf", "a passthrough device", false, {
            {"pf", "PCI address", "",
             "The SR-IOV physical function (instead of `host`)."},
            {"vf", "0–255", "",
             "The virtual function's index under `pf`; below the PF's `sriov_totalvfs`."},
            {"mac", "MAC address", "",
             "A NIC VF's MAC, enforced by the PF (`ip link set PF vf N mac …`); unicast."},
            {"vlan", "0–4094", "",
             "The VF's port VLAN: the PF tags and strips it, the guest sees untagged frames; `0` removes one."},
            {"spoof_check", "bool", "",
             "Whether the PF drops frames the VF sends from another MAC (`spoofchk`)."},
            {"trust", "bool", "",
             "Whether the VF may change its MAC, go promiscuous or join many multicast groups."},
        }},
        {"usb", "a USB device", true, {
            {"host", "`VENDOR:PRODUCT` or `BUS.ADDR`, **required**", "—",
             "The device, as `lsusb` shows it: `046d:c52b`, or `3.4` for \"Bus 003 Device 004\"."},
            {"id", "text", "`usbhostN`",
             "Device id."},
        }},
        {"shared_folders", "a shared folder", true, {
            {"path", "path, **required**", "—",
             "The host folder (relative paths are beside the profile). It must exist when the VM starts."},
            {"tag", "text", "the folder's name",
             "What the guest mounts: `mount -t virtiofs TAG /mnt` (Linux), or the drive virtio-win's VirtioFsSvc shows (Windows). Letters, digits, `-`, `_`, `.`; at most 36 bytes; unique in the profile."},
            {"readonly", "bool", "`false`",
             "The guest's writes fail (read-only file system): vmrun serves the folder through a read-only bind mount that only its virtiofsd sees."},
        }},
        {"root_ports", "'root_ports'", true, {
            {"model", "{choices}", "`ioh3420`",
             "`ioh3420` is the emulated Intel root port the VFIO guides use; `pcie-root-port` is QEMU's generic one.", {"ioh3420", "pcie-root-port"}},
            {"spare", "0–32", "`4`",
             R"~(Empty root ports reserved for `vmrun hotplug`, so a live attach never meets "No more available PCI slots".)~"},
            {"hotplug", "{choices}", "`acpi`",
             "How the guest is told about hotplug. `acpi` (QEMU 7.2's q35 default): a Linux or Windows guest acknowledges an unplug in ~0.1 s. `native` (PCIe hotplug, `ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off`): the guest's pciehp waits ~5 s for the attention button and refuses a second request meanwhile.", {"acpi", "native"}},
        }},
        {"display", "'display'", true, {
            {"type", "{choices}", "`none`",
             "`gtk` opens a window; `vnc`/`spice` serve a remote display.", {"none", "gtk", "vnc", "spice"}},
            {"listen", "`ADDRESS:PORT`", "`127.0.0.1:5900` (vnc), `127.0.0.1:5930` (spice)",
             "vnc/spice only. VNC ports start at 5900."},
            {"vga", "{choices}", "`auto`",
             "Emulated graphics card. `auto`: `none` when a device has `x_vga` or there is no display, else `std`.", {"auto", "none", "std", "virtio", "qxl"}},
        }},
    };
    for (auto& s : schema)
        if (s.id == "smbios")
            for (int type : smbios_types()) s.keys.push_back({"type" + std::to_string(type), "mapping", "—", smbios_type_meaning(type)});
    // Each type's own mapping: its fields, documented in the row above.
    for (int type : smbios_types()) {
        ProfileSection fields{"smbios.type" + std::to_string(type), "'type" + std::to_string(type) + "'", true, {}};
        for (const auto& f : smbios_fields())
            if (f.type == type) fields.keys.push_back({f.key, "text", "—", ""});
        schema.push_back(std::move(fields));
    }
    return schema;
}

bool rendered(const ProfileSection& s) { return s.id.rfind("smbios.type", 0) != 0; }

}  // namespace

const std::vector<ProfileSection>& profile_schema() {
    static const std::vector<ProfileSection> schema = build_schema();
    return schema;
}

std::vector<std::string> keys_of_mapping(std::string_view what) {
    std::vector<std::string> out;
    for (const auto& s : profile_schema())
        if (s.what == what)
            for (const auto& row : s.keys)
                for (auto& k : split_keys(row.key)) out.push_back(std::move(k));
    return out;
}

const std::vector<std::string>& key_choices(std::string_view section_id, std::string_view key) {
    for (const auto& section : profile_schema())
        if (section.id == section_id)
            for (const auto& row : section.keys)
                if (row.key == key && !row.choices.empty()) return row.choices;
    throw std::logic_error("the profile schema gives '" + std::string(section_id) + "." + std::string(key) + "' no choices");
}

std::string type_shown(const ProfileKey& row) {
    const std::string mark = "{choices}";
    auto at = row.type.find(mark);
    if (at == std::string::npos) return row.type;
    std::string list;
    for (const auto& c : row.choices) list += (list.empty() ? "`" : " | `") + c + "`";
    return row.type.substr(0, at) + list + row.type.substr(at + mark.size());
}

std::string render_key_table(const ProfileSection& section) {
    std::ostringstream out;
    out << (section.default_column ? "| key | type | default | meaning |\n|---|---|---|---|\n" : "| key | type | meaning |\n|---|---|---|\n");
    for (const auto& row : section.keys) {
        out << "| ";
        const char* sep = "";
        for (const auto& k : split_keys(row.key)) {
            out << sep << "`" << k << "`";
            sep = ", ";
        }
        out << " | " << cell(type_shown(row));
        if (section.default_column) out << " | " << cell(row.default_value);
        out << " | " << cell(row.meaning) << (row.meaning.empty() ? "|" : " |") << "\n";
    }
    return out.str();
}

std::string with_key_tables(const std::string& text, std::vector<std::string>& problems) {
    const std::string open = "<!-- keys ", close = "<!-- /keys -->";
    std::set<std::string> seen;
    std::ostringstream out;
    std::istringstream in(text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        out << line << "\n";
        if (line.rfind(open, 0) != 0) continue;
        auto id = line.substr(open.size(), line.find(" -->") - open.size());
        const ProfileSection* section = nullptr;
        for (const auto& s : profile_schema())
            if (s.id == id && rendered(s)) section = &s;
        if (!section) problems.push_back("line " + std::to_string(number) + ": no section '" + id + "' in the profile schema");
        else out << render_key_table(*section);
        seen.insert(id);
        bool closed = false;
        while (std::getline(in, line)) {
            ++number;
            if (line == close) { closed = true; break; }
        }
        if (!closed) problems.push_back("the table of '" + id + "' has no closing " + close);
        out << close << "\n";
    }
    for (const auto& s : profile_schema())
        if (rendered(s) && !seen.count(s.id)) problems.push_back("no table for section '" + s.id + "' (a line \"" + open + s.id + " -->\")");
    auto result = out.str();
    if (!text.empty() && text.back() != '\n') result.pop_back();
    return result;
}

}  // namespace vmrun
