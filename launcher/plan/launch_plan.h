#pragma once
// Validated profile + host facts -> every decision the QEMU command needs:
// which root port each passthrough slot sits behind, guest PCI addresses,
// device ids, spare hotplug ports, firmware files. Pure: no I/O, so every
// decision is testable without a host. qemu_argv only writes it out.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "profile/diagnostics.h"
#include "plan/host_facts.h"
#include "profile/profile.h"

namespace vmrun {

// A device address on a PCI bus: "bus=pcie.0,addr=0x1c.0x1".
struct PciPlacement {
    std::string bus = "pcie.0";
    unsigned slot = 0, function = 0;
    bool multifunction = false;  // set on function 0 of a slot with more functions
    std::string addr() const;    // "0x1c.0x1" / "0x5"
};

struct RootPortPlan {
    std::string id;  // rp1, rp2, ...
    RootPortModel model = RootPortModel::ioh3420;
    PciPlacement at;
    int chassis = 0, port = 0;
    std::string holds;  // slot of the passthrough group it carries; empty = spare for hotplug
};

struct PassthroughPlan {
    Passthrough device;
    PciPlacement at;  // bus = its root port
};

// Virtual functions a physical function must have before the VM's VFs can be
// bound: `needed` (highest vf index + 1) against the `existing` count.
struct SriovPlan {
    PciAddress pf;
    unsigned needed = 0, existing = 0;
    SourceLoc at;  // the item asking for the highest index
    bool create() const { return existing < needed; }
};

// A NIC VF's MAC / VLAN / spoof checking / trust, set on its PF's interface.
struct VfNetPlan {
    PciAddress pf, vf_address;
    std::string pf_netdev;  // as sysfs named it when the plan was made
    unsigned index = 0;
    VfNetSettings settings;
};

struct DiskPlan {
    Disk disk;
    std::string drive_id;  // drive-<id>
    std::string driver;    // virtio-blk-pci, ide-hd, ide-cd, scsi-hd, scsi-cd, nvme
    std::optional<PciPlacement> at;  // PCI devices (virtio-blk, nvme)
    std::string port_bus;  // ide.N or scsi0.0 for devices on a controller
};

struct NicPlan {
    Nic nic;
    std::string netdev_id;  // netdev-<id>
    std::string tap;        // the tap interface name (type tap)
    std::string driver;     // virtio-net-pci, e1000e, e1000
    PciPlacement at;
    bool vhost = false;
};

struct UsbPlan {
    UsbHost device;
};

struct FirmwarePlan {
    FirmwareType type = FirmwareType::seabios;
    std::string code;           // OVMF CODE, read-only
    std::string vars_template;  // copied to vars on first start
    std::string vars;           // the VM's own copy in its state folder
    bool secure_boot = false;
    bool reset_nvram = false;
    // opt/ovmf/X-PciMmio64Mb: the 64-bit PCI window, when the passed BARs need more than OVMF's default.
    std::optional<uint64_t> mmio64_mib;
};

struct HugepagePlan {
    uint64_t page_kib = 2048;
    uint64_t pages = 0;            // the guest's RAM in pages of that size
    std::string mem_path;          // the hugetlbfs QEMU takes them from
    bool allocate = false;         // vmrun raises the kernel's pool for them
    bool private_mount = false;    // vmrun mounts mem_path (hugetlbfs_dir) for this VM
    // Faulting in every page at start is the slow part of a big guest; QEMU
    // spreads it over threads, placed on the pinned vCPUs' CPUs when there are.
    int prealloc_threads = 1;
    std::vector<int> prealloc_cpus;
};

// Looking Glass's shared memory: the file (or kvmfr device) QEMU maps with
// share=on, and the IVSHMEM device that shows it to the guest.
struct LookingGlassPlan {
    std::string path;     // /dev/shm/looking-glass-NAME, or /dev/kvmfr0
    uint64_t size_mib = 0;
    std::string owner;    // who may open it besides root
    bool kvmfr = false;
    PciPlacement at;
};

// Guest sound: QEMU's -audiodev and the sound card on pcie.0 that plays through it.
struct AudioPlan {
    AudioBackend backend = AudioBackend::none;
    std::string driver;       // QEMU's audiodev driver: pa, alsa or none
    std::string socket;       // pa: the server's socket path; "" = the user is not on this host
    std::string cookie;       // pa: the PulseAudio cookie QEMU reads (PULSE_COOKIE); "" = none
    bool cookie_required = false;  // PulseAudio refuses root without it; pipewire-pulse does not ask
    std::string user;         // pa: whose server, for messages
    std::string alsa_device;  // alsa: "" = default
    AudioModel model = AudioModel::ich9;
    PciPlacement at;          // the HDA controller or AC97 on pcie.0
};

// A shared folder: the virtiofsd that serves it and the vhost-user-fs device
// the guest mounts it from. The guest's RAM is then a shared backend.
struct SharedFolderPlan {
    SharedFolder folder;
    size_t index = 0;    // names its socket, pid file and QEMU ids
    std::string socket;  // vmrun listens here; virtiofsd serves it; QEMU connects
    std::string log;     // virtiofsd's stderr
    std::string root;    // an empty folder where virtiofsd's mount namespace shows `folder.path`
    PciPlacement at;     // vhost-user-fs-pci on pcie.0
};

// Host evdev devices for the guest: QEMU's input-linux objects, and a virtio
// keyboard and mouse on pcie.0 for their events (a guest without virtio-input
// drivers still gets them through the PS/2 keyboard and mouse q35 always has).
struct InputPlan {
    std::vector<EvdevInput> devices;
    std::string toggle;  // "" = QEMU's default (both Ctrl keys)
    PciPlacement keyboard, mouse;
};

struct LaunchPlan {
    Profile profile;
    HostFacts facts;
    FirmwarePlan firmware;
    VgaType vga = VgaType::none;  // resolved, never automatic
    const VmPaths& paths() const { return facts.paths; }
    // Every socket QEMU creates for this VM.
    std::vector<std::string> sockets() const {
        auto out = paths().monitor_sockets();
        if (profile.serial == SerialMode::socket) out.push_back(paths().console_socket());
        if (agent_serial) out.push_back(paths().agent_socket());
        return out;
    }
    std::vector<RootPortPlan> root_ports;
    std::vector<PassthroughPlan> passthrough;
    std::vector<SriovPlan> sriov;  // per physical function named by a pf/vf item
    std::vector<VfNetPlan> vf_net;  // per pf/vf item with mac, vlan, spoof_check or trust
    std::optional<PciPlacement> scsi_controller;  // scsi0, when any disk uses virtio-scsi
    std::vector<DiskPlan> disks;
    std::vector<NicPlan> nics;
    std::optional<PciPlacement> usb_controller;  // xhci, when any USB host device is listed
    std::vector<UsbPlan> usb;
    std::optional<HugepagePlan> hugepages;
    std::optional<PciPlacement> balloon;  // virtio-balloon-pci (id vmrun-balloon)
    std::optional<PciPlacement> agent_serial;  // virtio-serial-pci carrying the guest agent's port
    std::optional<LookingGlassPlan> looking_glass;
    std::optional<AudioPlan> audio;
    std::optional<InputPlan> input;
    std::vector<SharedFolderPlan> shared_folders;
    // The guest's RAM in a backend other processes can map (virtiofsd does).
    bool shared_ram() const { return !shared_folders.empty(); }
    // SMBIOS strings by type, in QEMU's key order: the host's (smbios: host) with the profile's over them.
    std::map<int, std::vector<std::pair<std::string, std::string>>> smbios;
};

struct PlanResult {
    std::optional<LaunchPlan> plan;
    Diagnostics diagnostics;
};

PlanResult make_launch_plan(const Profile& profile, const HostFacts& facts);

// The tap name vmrun picks when the profile gives none: "vmr" + 6 hex digits of
// the VM name + "n" + index; fits the kernel's 15-character limit and never
// collides between two VMs (unless their names' hashes do, which the
// networking setup detects as "name already taken").
std::string default_tap_name(const std::string& vm_name, size_t nic_index);

}  // namespace vmrun
