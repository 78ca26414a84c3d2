#pragma once
// The VM profile as plain data: what profile_loader produces from YAML and what
// every later stage consumes. No YAML types leak past the loader.
// Every key is documented in profiles/README.md.

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "base/pci_address.h"
#include "base/source_location.h"

namespace vmrun {

enum class Accelerator { kvm, tcg };
enum class RtcBase { utc, localtime };
enum class FirmwareType { seabios, ovmf };
enum class DiskBus { virtio, virtio_scsi, sata, nvme };
enum class DiskMedia { disk, cdrom };
enum class DiskFormat { raw, qcow2 };
enum class NicType { tap, user };
enum class NicModel { virtio, e1000e, e1000 };
enum class RootPortModel { ioh3420, pcie_root_port };
enum class HotplugMode { acpi, native };
enum class DisplayType { none, gtk, vnc, spice };
enum class VgaType { automatic, none, std, virtio, qxl };
enum class SerialMode { socket, stdio, none };
enum class TpmModel { crb, tis };

struct Smp {
    int sockets = 1;
    int cores = 1;
    int threads = 1;
    int cpus() const { return sockets * cores * threads; }
};

// Which host CPUs QEMU's threads may run on.
struct CpuPinning {
    std::vector<int> vcpus;     // vCPU i runs only on host CPU vcpus[i]
    std::vector<int> emulator;  // every other QEMU thread; empty = left as it is
};

// off; the set in hyperv_set.h; or hv-passthrough (every enlightenment this
// host's KVM has: the most a guest can get, tied to this host's kernel).
enum class HypervMode { off, enlightened, passthrough };

struct Cpu {
    std::string model;              // not given: host under kvm, max under tcg (profile_checks decides)
    bool hide_kvm = false;          // kvm=off: hides the KVM signature (old NVIDIA drivers' Code 43)
    std::string hv_vendor_id;       // empty = not set
    HypervMode hyperv = HypervMode::off;  // Hyper-V enlightenments for Windows guests
    std::vector<std::string> flags; // extra -cpu flags, e.g. "+invtsc"
    std::optional<CpuPinning> pin;
};

struct Firmware {
    FirmwareType type = FirmwareType::seabios;
    std::string code;           // OVMF CODE image (read-only pflash); empty = default for secure_boot
    std::string vars_template;  // OVMF VARS template copied per VM; empty = default
    bool secure_boot = false;
    bool reset_nvram = false;   // copy the template again on every start
};

// A TPM 2.0 from swtpm, its state kept in the VM's state folder across starts.
struct Tpm {
    TpmModel model = TpmModel::crb;  // profile_checks picks crb with OVMF, tis with SeaBIOS unless given
    bool model_given = false;
    bool reset = false;               // wipe the TPM's state at every start (its keys are lost)
};

// The guest's RAM from huge pages: fewer TLB misses, memory that is never
// swapped. `hugepages: true` or a path uses pages someone reserved; `allocate`
// has vmrun raise the kernel's pool for this VM and give the pages back after.
struct Hugepages {
    uint64_t page_kib = 0;  // 2048 or 1048576; 0 = the kernel's default size
    std::string path;       // a hugetlbfs mount; "" = one found for the size, else vmrun's own
    bool allocate = false;
};

// SMBIOS strings for the guest: set per type with QEMU's key names, and/or
// copied from the host's DMI (`smbios: host`), the profile's own winning.
struct Smbios {
    bool from_host = false;
    std::vector<std::tuple<int, std::string, std::string>> fields;  // type, key, value
};

// Looking Glass: a shared-memory file the guest's IVSHMEM device writes the
// GPU's frames into and the desktop user's client reads them from.
enum class LookingGlassDevice { shm, kvmfr };
struct LookingGlass {
    uint64_t size_mib = 0;                 // 0 = from the resolution
    unsigned width = 1920, height = 1080;  // the guest's largest display mode
    std::string owner;                     // the desktop user who runs the client; "" = root
    LookingGlassDevice device = LookingGlassDevice::shm;
};

// Single-GPU passthrough: the host's display stack gives the boot GPU up at
// start and gets it back at the end. Either a systemd unit (stopped only when
// active, started again only then) or a pair of commands (argv, no shell).
struct HostDisplay {
    std::string unit = "display-manager.service";  // "" when commands are given
    std::vector<std::string> stop, start;
    // Units besides the display manager that hold the GPU (nvidia-persistenced.service,
    // a CUDA job's unit): stopped first when active, started again at the end.
    std::vector<std::string> stop_units;
    int timeout = 30;  // seconds to wait for the GPU's /dev/dri nodes to be let go
};

// A host keyboard or mouse given to the guest through evdev (QEMU's
// input-linux): QEMU grabs it, so its events go to the guest only; pressing
// the toggle keys (both Ctrl by default) hands it back to the host and again.
struct EvdevInput {
    std::string evdev;      // /dev/input/by-id/...-event-kbd (absolute)
    bool grab_all = false;  // grab every other evdev device too (a keyboard's: its mouse keys, LEDs)
    bool repeat = false;    // the guest gets the host's key repeat (for a keyboard)
    Locations at;
};

// A host folder the guest mounts by its tag (virtiofs): served by a virtiofsd
// of its own, which QEMU reaches through a vhost-user socket.
struct SharedFolder {
    std::string path;       // the host folder (absolute)
    std::string tag;        // what the guest mounts: mount -t virtiofs TAG /mnt
    bool readonly = false;  // the guest's writes fail (EROFS)
    Locations at;
};

// Guest sound: an emulated sound card whose output QEMU plays through one of
// the host's sound systems. QEMU 7.2 has no PipeWire backend: `pipewire` goes
// through PipeWire's PulseAudio server (pipewire-pulse) with QEMU's pa driver.
enum class AudioBackend { pipewire, pulseaudio, alsa, none };
enum class AudioModel { ich9, ac97 };
struct Audio {
    AudioBackend backend = AudioBackend::pulseaudio;
    AudioModel model = AudioModel::ich9;  // ich9-intel-hda with hda-duplex, or AC97
    std::string user;    // pipewire/pulseaudio: whose sound server; "" = run_as
    std::string server;  // pipewire/pulseaudio: the server's socket; "" = /run/user/UID/pulse/native
    std::string cookie;  // pulseaudio: the cookie that lets QEMU (root) in; "" = ~USER/.config/pulse/cookie
    std::string device;  // alsa: the PCM QEMU plays to and records from; "" = ALSA's default
    bool uses_sound_server() const { return backend == AudioBackend::pipewire || backend == AudioBackend::pulseaudio; }
};

// The profile's word for a backend.
inline const char* audio_backend_name(AudioBackend b) {
    switch (b) {
        case AudioBackend::pipewire: return "pipewire";
        case AudioBackend::pulseaudio: return "pulseaudio";
        case AudioBackend::alsa: return "alsa";
        case AudioBackend::none: return "none";
    }
    return "";
}

struct KernelBoot {
    std::string image;
    std::string initrd;
    std::string cmdline;
};

struct Boot {
    bool menu = false;
    std::string order;  // QEMU letters (c disk, d cdrom, n network); empty = not set
};

struct Disk {
    std::string id;
    std::string path;
    DiskFormat format = DiskFormat::raw;
    DiskBus bus = DiskBus::virtio;
    DiskMedia media = DiskMedia::disk;
    std::string cache;  // empty = QEMU default
    std::string aio;    // empty = QEMU default
    bool readonly = false;
    std::optional<int> boot_index;
    Locations at;
};

struct PortForward {
    std::string protocol = "tcp";
    std::string host_address = "127.0.0.1";
    int host_port = 0;
    int guest_port = 0;
};

struct Nic {
    std::string id;
    NicType type = NicType::user;
    NicModel model = NicModel::virtio;
    std::string mac;     // empty until the loader fills a stable generated one
    bool mac_generated = false;
    std::string bridge;  // tap only
    std::string tap;     // tap only; empty = vmrun picks a name
    bool create_bridge = false;  // tap only: vmrun creates the bridge if it is missing (and removes it after)
    std::vector<PortForward> forwards;  // user only
    Locations at;
};

// An SR-IOV virtual function named by its physical function and index
// (0-based, as `ip link ... vf N` and sysfs virtfnN count).
struct VirtualFunctionRef {
    PciAddress pf;
    unsigned index = 0;
};

// What the PF's driver enforces for a NIC's virtual function, set over
// rtnetlink on the PF (what `ip link set PF vf N mac .. vlan .. spoofchk ..
// trust ..` does); unset fields are left as the host has them.
struct VfNetSettings {
    std::optional<std::string> mac;  // lower-case aa:bb:cc:dd:ee:ff
    std::optional<unsigned> vlan;    // 0 = untagged, 1-4094 = the VF's port VLAN
    std::optional<bool> spoof_check;
    std::optional<bool> trust;
    bool any() const { return mac || vlan || spoof_check || trust; }
};

struct Passthrough {
    std::string id;      // empty = derived from the address
    PciAddress host;     // for a `pf`/`vf` item, filled in by the plan from the PF's SR-IOV numbers
    std::optional<VirtualFunctionRef> vf;
    VfNetSettings vf_net;  // only with `vf`
    bool x_vga = false;
    std::string romfile;
    std::optional<bool> rombar;
    // The guest slot.function on pcie.0 the user chose (the device then sits on
    // the root complex itself, as a chipset's USB controllers do, not behind a
    // root port); nullopt = vmrun places it behind a root port.
    std::optional<std::pair<unsigned, unsigned>> guest_address;
    Locations at;
};

struct UsbHost {
    std::string id;
    // Either vendor:product or bus.addr identifies the device.
    std::optional<uint16_t> vendor, product;
    std::optional<int> bus, addr;
    Locations at;
};

struct RootPorts {
    RootPortModel model = RootPortModel::ioh3420;
    int spare = 4;  // empty ports reserved for hotplug
    HotplugMode hotplug = HotplugMode::acpi;
};

struct Display {
    DisplayType type = DisplayType::none;
    std::string listen;  // vnc/spice: "127.0.0.1:5900"; empty = default
    VgaType vga = VgaType::automatic;
};

struct Profile {
    std::string source_file;  // for messages
    std::string name;
    std::string machine = "q35";
    Accelerator accelerator = Accelerator::kvm;
    uint64_t memory_mib = 0;
    std::optional<Hugepages> hugepages;
    Smp smp;
    Cpu cpu;
    RtcBase rtc = RtcBase::utc;
    bool hpet = true;  // QEMU's; Windows guests with hv-time run better without it
    // S3/S4 offered to the guest. Not given: only without passthrough — a
    // passed GPU does not come back from the guest's suspend or hibernation.
    std::optional<bool> guest_sleep;
    // A logind sleep inhibitor while the VM runs. Not given: with passthrough
    // only — a host suspend takes a passed device from the guest.
    std::optional<bool> block_host_sleep;
    Boot boot;
    Firmware firmware;
    std::optional<Tpm> tpm;
    std::optional<LookingGlass> looking_glass;
    std::optional<Audio> audio;
    std::optional<HostDisplay> host_display;
    std::vector<EvdevInput> input;
    std::string input_toggle;  // QEMU's grab-toggle: ctrl-ctrl, alt-alt, shift-shift, meta-meta, scrolllock, ctrl-scrolllock; "" = QEMU's (ctrl-ctrl)
    bool balloon = false;  // virtio-balloon: the host can take memory back from a running guest
    bool guest_agent = false;  // a virtio-serial port for the QEMU guest agent
    std::optional<Smbios> smbios;
    std::vector<std::string> acpi_tables;  // whole ACPI tables (header included) added to the guest's
    std::optional<KernelBoot> kernel;
    std::vector<Disk> disks;
    std::vector<Nic> nics;
    std::vector<Passthrough> passthrough;
    std::vector<UsbHost> usb;
    std::vector<SharedFolder> shared_folders;
    RootPorts root_ports;
    Display display;
    SerialMode serial = SerialMode::socket;
    bool headless = false;
    int shutdown_timeout = 60;  // seconds from ACPI power-off to quitting QEMU
    std::string run_as;         // QEMU drops to this user once it has opened everything
    bool sandbox = false;       // QEMU's seccomp sandbox
    std::vector<std::string> qemu_extra_args;
    Locations at;  // top-level keys
};

}  // namespace vmrun
