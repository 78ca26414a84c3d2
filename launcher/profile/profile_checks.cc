#include "profile/profile_checks.h"

#include <algorithm>
#include <map>
#include <set>

#include "profile/stable_mac.h"

namespace vmrun {

namespace {

// QEMU's qdev ids: a letter first, then letters, digits, '-', '.', '_'.
bool is_qemu_id(const std::string& id) {
    if (id.empty() || id.size() > 64 || !std::isalpha((unsigned char)id[0])) return false;
    for (char c : id)
        if (!std::isalnum((unsigned char)c) && c != '-' && c != '.' && c != '_') return false;
    return true;
}

// Ids vmrun gives its own devices; a profile id must not shadow them.
bool is_reserved_id(const std::string& id) {
    auto digits_after = [&](const std::string& prefix) {
        return id.size() > prefix.size() && id.compare(0, prefix.size(), prefix) == 0 &&
               id.find_first_not_of("0123456789", prefix.size()) == std::string::npos;
    };
    return digits_after("rp") || digits_after("scsi") || id == "xhci" || id.rfind("drive-", 0) == 0 ||
           id.rfind("netdev-", 0) == 0 || id.rfind("vmrun", 0) == 0;
}

class Checker {
public:
    Checker(Profile& p, Diagnostics& d) : p_(p), d_(d) {}

    void run() {
        assign_ids();
        check_cpu();
        check_memory();
        check_firmware();
        check_disks();
        check_nics();
        check_passthrough();
        check_usb();
        check_shared_folders();
        check_display();
        check_input();
        if (p_.host_display) check_host_display();
        if (!p_.qemu_extra_args.empty())
            d_.warning(p_.at.of("qemu_extra_args"),
                       "qemu_extra_args are passed to QEMU unchecked, after everything vmrun builds");
    }

private:
    void claim_id(const std::string& id, SourceLoc at, bool user_given) {
        if (user_given && !is_qemu_id(id)) {
            d_.error(at, "id '" + id + "' must start with a letter and use only letters, digits, '-', '.' and '_'");
            return;
        }
        if (user_given && is_reserved_id(id)) {
            d_.error(at, "id '" + id + "' is reserved for devices vmrun creates (rpN, scsiN, xhci, drive-*, netdev-*, vmrun*); pick another");
            return;
        }
        auto [it, inserted] = ids_.emplace(id, at);
        if (!inserted)
            d_.error(at, "duplicate id '" + id + "' (also used at line " + std::to_string(it->second.line) +
                             "); every disk, NIC and device needs its own id");
    }

    // User-given ids first, so a generated id steps around them instead of clashing.
    void assign_ids() {
        for (auto& d : p_.disks) if (!d.id.empty()) claim_id(d.id, d.at.of("id"), true);
        for (auto& n : p_.nics) if (!n.id.empty()) claim_id(n.id, n.at.of("id"), true);
        for (auto& x : p_.passthrough) if (!x.id.empty()) claim_id(x.id, x.at.of("id"), true);
        for (auto& u : p_.usb) if (!u.id.empty()) claim_id(u.id, u.at.of("id"), true);
        auto next = [&](const std::string& stem, int& n) {
            std::string id;
            do id = stem + std::to_string(n++); while (ids_.count(id));
            return id;
        };
        int disk_n = 0, cd_n = 0, net_n = 0, dev_n = 0, usb_n = 0;
        for (auto& d : p_.disks)
            if (d.id.empty()) claim_id(d.id = next(d.media == DiskMedia::cdrom ? "cdrom" : "disk", d.media == DiskMedia::cdrom ? cd_n : disk_n), d.at.of(), false);
        for (auto& n : p_.nics) if (n.id.empty()) claim_id(n.id = next("net", net_n), n.at.of(), false);
        for (auto& x : p_.passthrough) if (x.id.empty()) claim_id(x.id = next("hostdev", dev_n), x.at.of(), false);
        for (auto& u : p_.usb) if (u.id.empty()) claim_id(u.id = next("usbhost", usb_n), u.at.of(), false);
    }

    void check_cpu() {
        bool kvm = p_.accelerator == Accelerator::kvm;
        // 'host' passes the real CPU through and exists only under KVM; TCG's
        // closest is 'max', every feature it can emulate.
        if (p_.cpu.model.empty()) p_.cpu.model = kvm ? "host" : "max";
        else if (!kvm && p_.cpu.model == "host")
            d_.error(p_.at.of(p_.at.has("cpu") ? "cpu" : "accelerator"),
                     "cpu model 'host' needs accelerator kvm; with tcg use cpu: max");
        if (!kvm && p_.cpu.hide_kvm)
            d_.error(p_.at.of("cpu.hide_kvm"), "'hide_kvm' hides KVM from the guest and needs accelerator kvm");
        if (!kvm && p_.cpu.hyperv != HypervMode::off)
            d_.error(p_.at.of("cpu.hyperv"), "Hyper-V enlightenments ('hyperv') need accelerator kvm");
        if (!p_.guest_sleep) p_.guest_sleep = p_.passthrough.empty();
        if (!p_.block_host_sleep) p_.block_host_sleep = !p_.passthrough.empty();
        if (p_.smp.cpus() > 288)
            d_.error(p_.at.of("smp"), "smp gives " + std::to_string(p_.smp.cpus()) + " CPUs; q35 supports at most 288");
        if (p_.cpu.pin) check_pinning(*p_.cpu.pin);
    }

    // The guest tells folders apart by tag alone; vmrun names each one's
    // socket and virtiofsd by it too.
    void check_shared_folders() {
        std::map<std::string, SourceLoc> tags;
        for (const auto& f : p_.shared_folders) {
            if (f.tag.empty()) continue;
            auto at = f.at.of(f.at.has("tag") ? "tag" : "path");
            auto [it, fresh] = tags.emplace(f.tag, at);
            if (!fresh)
                d_.error(at, "the tag '" + f.tag + "' is also the tag of the folder at line " + std::to_string(it->second.line) +
                                 "; give each shared folder a tag of its own");
        }
    }

    void check_pinning(const CpuPinning& pin) {
        int n = p_.smp.cpus();
        if (!pin.vcpus.empty() && int(pin.vcpus.size()) != n)
            d_.error(p_.at.of("cpu.pin.vcpus"), "'vcpus' pins " + std::to_string(pin.vcpus.size()) + " vCPU" +
                                                    (pin.vcpus.size() == 1 ? "" : "s") + " but the VM has " + std::to_string(n) +
                                                    " (smp: sockets x cores x threads); list one host CPU per vCPU");
        for (int c : pin.emulator)
            if (std::find(pin.vcpus.begin(), pin.vcpus.end(), c) != pin.vcpus.end()) {
                d_.warning(p_.at.of("cpu.pin.emulator"), "host CPU " + std::to_string(c) +
                                                             " is in both 'vcpus' and 'emulator': QEMU's I/O threads will "
                                                             "compete with that vCPU");
                break;
            }
    }

    void check_memory() {
        // The balloon frees guest pages back to the host by discarding them:
        // VFIO pins all of guest memory for DMA (QEMU then disables discards),
        // and a huge page cannot be given back 4K at a time.
        if (p_.balloon && !p_.passthrough.empty())
            d_.warning(p_.at.of("balloon"), "with passthrough devices the balloon cannot give memory back to the host "
                                            "(VFIO pins all guest memory); it only limits what the guest uses");
        else if (p_.balloon && p_.hugepages)
            d_.warning(p_.at.of("balloon"), "with hugepages the balloon cannot give memory back to the host (huge pages "
                                            "are not returned 4K at a time); it only limits what the guest uses");
        if (!p_.hugepages) return;
        // A path names a mount whose page size only the host knows; 2M is the least it can be.
        uint64_t page_mib = p_.hugepages->page_kib == 1048576 ? 1024 : 2;
        if (p_.memory_mib % page_mib != 0)
            d_.error(p_.at.of("memory"), page_mib == 2 ? "with hugepages, memory must be a multiple of 2M (the huge page size)"
                                                       : "with 1G hugepages, memory must be a multiple of 1G (the huge page size)");
    }

    void check_firmware() {
        auto& f = p_.firmware;
        // OVMF drives a CRB TPM (what Windows 11 machines have); SeaBIOS knows TIS best.
        if (p_.tpm && !p_.tpm->model_given) p_.tpm->model = f.type == FirmwareType::ovmf ? TpmModel::crb : TpmModel::tis;
        if (f.type == FirmwareType::ovmf) return;
        if (f.secure_boot) d_.error(p_.at.of("firmware.secure_boot"), "secure_boot needs firmware type ovmf (SeaBIOS has no Secure Boot)");
        if (f.reset_nvram) d_.error(p_.at.of("firmware.reset_nvram"), "reset_nvram needs firmware type ovmf (SeaBIOS keeps no NVRAM)");
        if (!f.code.empty()) d_.error(p_.at.of("firmware.code"), "'code' is an OVMF image; set type: ovmf or remove it");
        if (!f.vars_template.empty()) d_.error(p_.at.of("firmware.vars_template"), "'vars_template' is an OVMF image; set type: ovmf or remove it");
    }

    void check_disks() {
        std::map<int, SourceLoc> boot_indexes;
        for (auto& d : p_.disks) {
            if (d.media == DiskMedia::cdrom && (d.bus == DiskBus::virtio || d.bus == DiskBus::nvme))
                d_.error(d.at.of("bus"), "a CD-ROM needs bus sata or virtio-scsi; virtio-blk and NVMe have no removable media");
            if (d.aio == "native" && d.cache != "none" && d.cache != "directsync")
                d_.error(d.at.of("aio"), "aio: native needs cache: none or directsync (it works on O_DIRECT files only)");
            if (d.boot_index) {
                if (!p_.boot.order.empty())
                    d_.error(d.at.of("boot_index"), "boot_index and boot.order (line " + std::to_string(p_.at.of("boot.order").line) +
                                                        ") both set the boot order; use one of them");
                auto [it, inserted] = boot_indexes.emplace(*d.boot_index, d.at.of("boot_index"));
                if (!inserted)
                    d_.error(d.at.of("boot_index"), "boot_index " + std::to_string(*d.boot_index) + " is also used at line " +
                                                        std::to_string(it->second.line) + "; each boot device needs its own");
            }
        }
    }

    void check_nics() {
        std::map<std::string, SourceLoc> macs, taps;
        for (auto& n : p_.nics) {
            if (n.type == NicType::tap) {
                if (n.bridge.empty()) d_.error(n.at.of(), "a tap interface needs 'bridge', the host bridge to join (like br0)");
                if (!n.forwards.empty()) d_.error(n.at.of("forwards"), "'forwards' are for type user; a tap NIC is reachable on the bridge directly");
                if (!n.tap.empty()) {
                    bool ok = n.tap.size() <= 15 && n.tap.find_first_of("/ :,=") == std::string::npos;
                    if (!ok) d_.error(n.at.of("tap"), "'tap' must be an interface name of at most 15 characters without '/', ':', ',', '=' or spaces, got '" + n.tap + "'");
                    else if (auto [it, ins] = taps.emplace(n.tap, n.at.of("tap")); !ins)
                        d_.error(n.at.of("tap"), "tap '" + n.tap + "' is also used at line " + std::to_string(it->second.line));
                }
                if (!n.bridge.empty() && (n.bridge.size() > 15 || n.bridge.find_first_of("/ :,=") != std::string::npos))
                    d_.error(n.at.of("bridge"), "'bridge' must be an interface name of at most 15 characters, got '" + n.bridge + "'");
            } else {
                if (!n.bridge.empty()) d_.error(n.at.of("bridge"), "'bridge' is for type tap; a user-mode NIC has no bridge");
                if (!n.tap.empty()) d_.error(n.at.of("tap"), "'tap' is for type tap; a user-mode NIC has no tap device");
                if (n.create_bridge) d_.error(n.at.of("create_bridge"), "'create_bridge' is for type tap; a user-mode NIC has no bridge");
            }
            if (n.mac.empty()) {
                n.mac = stable_mac(p_.name, n.id);
                n.mac_generated = true;
            }
            if (auto [it, ins] = macs.emplace(n.mac, n.at.of("mac")); !ins)
                d_.error(n.at.of("mac"), "MAC " + n.mac + " is also used at line " + std::to_string(it->second.line) + "; two NICs cannot share one");
        }
    }

    void check_passthrough() {
        std::map<PciAddress, SourceLoc> seen;
        std::map<std::pair<PciAddress, unsigned>, SourceLoc> seen_vf;
        const Passthrough* vga = nullptr;
        for (auto& x : p_.passthrough) {
            if (x.vf) {
                if (auto [it, ins] = seen_vf.emplace(std::make_pair(x.vf->pf, x.vf->index), x.at.of("vf")); !ins)
                    d_.error(x.at.of("vf"), "vf " + std::to_string(x.vf->index) + " of " + x.vf->pf.str() +
                                                " is listed twice (also at line " + std::to_string(it->second.line) + ")");
                if (x.x_vga) d_.error(x.at.of("x_vga"), "a virtual function is not a GPU's VGA function; x_vga is for the GPU itself");
                continue;
            }
            if (!x.at.has("host")) continue;
            if (auto [it, ins] = seen.emplace(x.host, x.at.of("host")); !ins)
                d_.error(x.at.of("host"), "host " + x.host.str() + " is listed twice (also at line " + std::to_string(it->second.line) + ")");
            if (x.x_vga) {
                if (vga)
                    d_.error(x.at.of("x_vga"), "only one device can own the legacy VGA ranges; x_vga is also set at line " +
                                                   std::to_string(vga->at.of("x_vga").line));
                else
                    vga = &x;
            }
            if (x.rombar && !*x.rombar && !x.romfile.empty())
                d_.error(x.at.of("romfile"), "'romfile' is exposed through the ROM BAR; it cannot be used with rombar: false");
        }
        for (auto& x : p_.passthrough)
            if (x.vf && seen.count(x.vf->pf))
                d_.error(x.at.of("pf"), "the physical function " + x.vf->pf.str() + " is passed through whole (line " +
                                            std::to_string(seen[x.vf->pf].line) +
                                            "); its virtual functions exist only while the host's driver keeps it");
        // x-vga routes the legacy VGA ranges (0xa0000, ports 0x3b0-0x3df) to
        // the GPU: what SeaBIOS and a legacy boot draw through. OVMF draws
        // with the GPU's own GOP driver and uses none of them, and vfio-pci
        // loaded with disable_vga=1 has no VGA region, so QEMU then refuses
        // x-vga outright ("device does not support requested feature").
        if (vga && p_.firmware.type == FirmwareType::ovmf)
            d_.warning(vga->at.of("x_vga"), "x_vga is for SeaBIOS (legacy boot); OVMF shows the screen through the GPU's GOP "
                                            "and needs no VGA ranges, and QEMU refuses x_vga where vfio-pci has no VGA region "
                                            "(disable_vga=1): remove x_vga");
        if (vga && (p_.display.vga == VgaType::std || p_.display.vga == VgaType::virtio || p_.display.vga == VgaType::qxl))
            d_.error(p_.at.of("display.vga"), "x_vga (line " + std::to_string(vga->at.of("x_vga").line) +
                                                  ") hands the VGA ranges to the passed-through GPU; set display.vga: none");
    }

    void check_input() {
        std::map<std::string, const EvdevInput*> seen;
        for (const auto& in : p_.input) {
            if (in.evdev.empty()) continue;
            if (auto [it, fresh] = seen.emplace(in.evdev, &in); !fresh)
                d_.error(in.at.of("evdev"), "evdev " + in.evdev + " is listed twice (QEMU grabs a device once): remove one");
        }
        if (!p_.input_toggle.empty() && p_.input.empty())
            d_.error(p_.at.of("input_toggle"), "input_toggle switches the 'input' devices between guest and host, and this profile "
                                              "lists none: add them under 'input', or remove input_toggle");
    }

    void check_usb() {
        std::map<std::string, SourceLoc> seen;
        for (auto& u : p_.usb) {
            if (!u.at.has("host")) continue;
            std::string key = u.vendor ? std::to_string(*u.vendor) + ":" + std::to_string(*u.product)
                                       : std::to_string(u.bus.value_or(0)) + "." + std::to_string(u.addr.value_or(0));
            if (auto [it, ins] = seen.emplace(key, u.at.of("host")); !ins)
                d_.error(u.at.of("host"), "this USB device is also listed at line " + std::to_string(it->second.line));
        }
    }

    // Handing the host's only GPU over ends the desktop session: what lives in
    // that session (its sound server, a Looking Glass client) goes with it.
    void check_host_display() {
        if (p_.passthrough.empty())
            d_.error(p_.at.of("host_display"), "host_display hands the host's GPU to the VM, and this profile passes no device: "
                                               "list the GPU under 'passthrough', or remove host_display");
        if (p_.looking_glass)
            d_.error(p_.at.of("looking_glass"),
                     "looking_glass shows the guest in a window on the host's desktop, and host_display hands that desktop's "
                     "GPU to the VM: there is no desktop left to run looking-glass-client on. Remove looking_glass (the "
                     "guest is on the monitor the GPU drives), or keep a second GPU for the host and remove host_display");
        if (p_.audio && p_.audio->uses_sound_server() && p_.audio->server.empty())
            d_.error(p_.at.of("audio"),
                     std::string("audio plays through the desktop user's ") + audio_backend_name(p_.audio->backend) +
                         ", which stops when host_display ends the desktop session (its socket in /run/user goes with "
                         "it). Pass the GPU's own HDMI audio function, use backend: alsa, or name a system-wide "
                         "server's socket in audio.server");
    }

    void check_display() {
        auto t = p_.display.type;
        if (p_.headless && t == DisplayType::gtk)
            d_.error(p_.at.of("display.type"), "a headless VM has no local window; use display none, vnc or spice, or set headless: false");
        if (!p_.display.listen.empty() && t != DisplayType::vnc && t != DisplayType::spice)
            d_.error(p_.at.of("display.listen"), "'listen' is for display vnc or spice");
        if (t == DisplayType::vnc && !p_.display.listen.empty()) {
            int port = std::stoi(p_.display.listen.substr(p_.display.listen.rfind(':') + 1));
            if (port < 5900)
                d_.error(p_.at.of("display.listen"), "VNC ports are 5900 plus a display number; use a port from 5900 up");
        }
        if (p_.serial == SerialMode::stdio && p_.headless)
            d_.error(p_.at.of("serial"), "a headless VM has no terminal for serial: stdio; use serial: socket and 'vmrun console'");
    }

    Profile& p_;
    Diagnostics& d_;
    std::map<std::string, SourceLoc> ids_;
};

}  // namespace

void complete_and_check_profile(Profile& profile, Diagnostics& diags) {
    Checker(profile, diags).run();
}

}  // namespace vmrun
