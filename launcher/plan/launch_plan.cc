#include "plan/launch_plan.h"

#include "base/utf8.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "plan/pci_window.h"
#include "profile/smbios_fields.h"
#include "profile/stable_mac.h"

namespace vmrun {

std::string PciPlacement::addr() const {
    char buf[16];
    if (function == 0 && !multifunction) std::snprintf(buf, sizeof buf, "0x%x", slot);
    else std::snprintf(buf, sizeof buf, "0x%x.0x%x", slot, function);
    return buf;
}

std::string default_tap_name(const std::string& vm_name, size_t nic_index) {
    return "vmr" + short_hash_hex(vm_name, 6) + "n" + std::to_string(nic_index);
}

namespace {

constexpr unsigned kHostBridgeSlot = 0x00;
constexpr unsigned kVgaSlot = 0x01;
constexpr unsigned kIch9Slot = 0x1f;  // LPC, AHCI (ide.0-5), SMBus
constexpr int kAhciPorts = 6;

// Slots on pcie.0. Root ports go high (0x1c first, as on real Intel chipsets and
// in the VFIO guides users compare against); emulated endpoints go low.
class SlotAllocator {
public:
    explicit SlotAllocator(bool vga) {
        used_ = {kHostBridgeSlot, kIch9Slot};
        if (vga) used_.insert(kVgaSlot);
    }
    std::optional<unsigned> for_root_ports() {
        for (unsigned s = 0x1c; s <= 0x1e; ++s)
            if (take(s)) return s;
        for (unsigned s = 0x1b; s >= 0x02; --s)
            if (take(s)) return s;
        return std::nullopt;
    }
    // A slot the user chose; "" when it is free, else what holds it.
    std::string take_chosen(unsigned s) {
        if (s == kHostBridgeSlot) return "the host bridge's";
        if (s == kIch9Slot) return "the ICH9 chipset's (LPC, SATA, SMBus)";
        if (!take(s)) return s == kVgaSlot ? "the emulated VGA's" : "taken";
        return "";
    }
    std::optional<unsigned> for_endpoint() {
        for (unsigned s = 0x02; s <= 0x1e; ++s)
            if (take(s)) return s;
        return std::nullopt;
    }

private:
    bool take(unsigned s) { return used_.insert(s).second; }
    std::set<unsigned> used_;
};

const char* disk_driver(const Disk& d) {
    bool cd = d.media == DiskMedia::cdrom;
    switch (d.bus) {
        case DiskBus::virtio: return "virtio-blk-pci";
        case DiskBus::virtio_scsi: return cd ? "scsi-cd" : "scsi-hd";
        case DiskBus::sata: return cd ? "ide-cd" : "ide-hd";
        case DiskBus::nvme: return "nvme";
    }
    return "";
}

const char* nic_driver(NicModel m) {
    switch (m) {
        case NicModel::virtio: return "virtio-net-pci";
        case NicModel::e1000e: return "e1000e";
        case NicModel::e1000: return "e1000";
    }
    return "";
}

class Planner {
public:
    Planner(const Profile& p, const HostFacts& f, Diagnostics& d) : d_(d) {
        plan_.profile = p;
        plan_.facts = f;
    }

    std::optional<LaunchPlan> run() {
        resolve_virtual_functions();
        if (d_.has_errors()) return std::nullopt;
        resolve_vga();
        SlotAllocator slots(plan_.vga != VgaType::none);
        firmware();
        root_ports_and_passthrough(slots);
        disks(slots);
        nics(slots);
        usb(slots);
        if (plan_.profile.balloon) plan_.balloon = endpoint(slots, "the memory balloon", plan_.profile.at.of("balloon"));
        if (plan_.profile.guest_agent)
            plan_.agent_serial = endpoint(slots, "the guest agent's virtio-serial", plan_.profile.at.of("guest_agent"));
        looking_glass(slots);
        audio(slots);
        input(slots);
        shared_folders(slots);
        hugepages();
        smbios();
        if (d_.has_errors()) return std::nullopt;
        return std::move(plan_);
    }

private:
    void looking_glass(SlotAllocator& slots) {
        const auto& lg = plan_.profile.looking_glass;
        if (!lg) return;
        auto at = endpoint(slots, "Looking Glass's IVSHMEM device", plan_.profile.at.of("looking_glass"));
        if (!at) return;
        bool kvmfr = lg->device == LookingGlassDevice::kvmfr;
        plan_.looking_glass = LookingGlassPlan{kvmfr ? "/dev/kvmfr0" : plan_.facts.shm_dir + "/looking-glass-" + plan_.profile.name,
                                               lg->size_mib, lg->owner, kvmfr, *at};
    }

    void shared_folders(SlotAllocator& slots) {
        const auto& paths = plan_.paths();
        size_t index = 0;
        for (const auto& f : plan_.profile.shared_folders) {
            auto at = endpoint(slots, "the shared folder '" + f.tag + "'", f.at.of());
            if (!at) return;
            plan_.shared_folders.push_back({f, index, paths.virtiofs_socket(index), paths.virtiofsd_log(f.tag), paths.virtiofs_root(index), *at});
            ++index;
        }
    }

    void input(SlotAllocator& slots) {
        const auto& p = plan_.profile;
        if (p.input.empty()) return;
        auto keyboard = endpoint(slots, "the virtio keyboard", p.at.of("input"));
        auto mouse = endpoint(slots, "the virtio mouse", p.at.of("input"));
        if (!keyboard || !mouse) return;
        plan_.input = InputPlan{p.input, p.input_toggle, *keyboard, *mouse};
    }

    // The sound server is the user's: its socket under their runtime folder,
    // PulseAudio's cookie in their home. QEMU connects as root, before it drops
    // to run_as, so the cookie (not the socket's mode) is what lets it in.
    void audio(SlotAllocator& slots) {
        const auto& a = plan_.profile.audio;
        if (!a) return;
        const auto& at = plan_.profile.at;
        AudioPlan ap;
        ap.backend = a->backend;
        ap.model = a->model;
        switch (a->backend) {
            case AudioBackend::none: ap.driver = "none"; break;
            case AudioBackend::alsa:
                ap.driver = "alsa";
                ap.alsa_device = a->device;
                break;
            case AudioBackend::pipewire:
            case AudioBackend::pulseaudio: {
                ap.driver = "pa";
                ap.user = a->user.empty() ? plan_.profile.run_as : a->user;
                auto where = at.of(a->user.empty() ? "audio.backend" : "audio.user");
                // A user this host lacks is preflight's to refuse, as Looking
                // Glass's owner is: the profile itself is valid on another host.
                const UserFacts* user = nullptr;
                if (auto u = plan_.facts.users.find(ap.user); u != plan_.facts.users.end()) user = &u->second;
                if (a->server.empty() && ap.user.empty()) {
                    d_.error(where, "audio with backend " + std::string(audio_backend_name(a->backend)) +
                                        " plays through a desktop user's sound server: name the user (audio.user: alice) "
                                        "or the server's socket (audio.server: /run/user/1000/pulse/native)");
                    return;
                }
                ap.socket = !a->server.empty() ? a->server
                            : user          ? "/run/user/" + std::to_string(user->uid) + "/pulse/native"
                                            : "";
                ap.cookie_required = a->backend == AudioBackend::pulseaudio;
                ap.cookie = !a->cookie.empty() ? a->cookie : user ? user->pulse_cookie : "";
                break;
            }
        }
        auto place = endpoint(slots, a->model == AudioModel::ac97 ? "the AC97 sound card" : "the HDA sound card", at.of("audio.backend"));
        if (!place) return;
        ap.at = *place;
        plan_.audio = ap;
    }

    // A pf/vf item's address, from the PF's SR-IOV numbers: known before the
    // VF exists, so everything after (groups, argv, journal) sees a plain host.
    void resolve_virtual_functions() {
        auto& items = plan_.profile.passthrough;
        std::map<PciAddress, SourceLoc> hosts;
        for (const auto& x : items)
            if (!x.vf) hosts.emplace(x.host, x.at.of("host"));
        for (auto& x : items) {
            if (!x.vf) continue;
            const auto& pf = x.vf->pf;
            auto facts = plan_.facts.sriov.find(pf);
            if (facts == plan_.facts.sriov.end() || facts->second.total_vfs == 0) {
                d_.error(x.at.of("pf"), pf.str() + " is not an SR-IOV physical function on this host (no sriov_totalvfs in sysfs); "
                                        "'vmrun iommu' lists the PFs with their VF counts");
                continue;
            }
            const auto& f = facts->second;
            if (x.vf->index >= f.total_vfs) {
                d_.error(x.at.of("vf"), pf.str() + " offers " + std::to_string(f.total_vfs) + " virtual functions (sriov_totalvfs); vf is 0 to " +
                                            std::to_string(f.total_vfs - 1) + ", got " + std::to_string(x.vf->index));
                continue;
            }
            auto address = virtual_function_address(pf, f.offset, f.stride, x.vf->index);
            if (!address || f.stride == 0) {
                d_.error(x.at.of("vf"), pf.str() + " reports no usable VF layout (sriov_offset " + std::to_string(f.offset) +
                                            ", sriov_stride " + std::to_string(f.stride) + ")");
                continue;
            }
            x.host = *address;
            if (auto h = hosts.find(x.host); h != hosts.end())
                d_.error(x.at.of("vf"), "vf " + std::to_string(x.vf->index) + " of " + pf.str() + " is " + x.host.str() +
                                            ", already listed as host at line " + std::to_string(h->second.line));
            if (x.vf_net.any()) {
                if (f.netdev.empty()) {
                    auto key = x.vf_net.mac ? "mac" : x.vf_net.vlan ? "vlan" : x.vf_net.spoof_check ? "spoof_check" : "trust";
                    d_.error(x.at.of(key), pf.str() + " has no network interface on this host (no net/ in its sysfs folder): mac, vlan, "
                                           "spoof_check and trust are set through a NIC's driver; load the PF's network driver, or "
                                           "leave them out for a VF that is not a NIC");
                } else {
                    plan_.vf_net.push_back({pf, x.host, f.netdev, x.vf->index, x.vf_net});
                }
            }
            auto need = std::find_if(plan_.sriov.begin(), plan_.sriov.end(), [&](auto& r) { return r.pf == pf; });
            if (need == plan_.sriov.end()) need = plan_.sriov.insert(plan_.sriov.end(), SriovPlan{pf, 0, f.num_vfs, {}});
            if (x.vf->index + 1 > need->needed) {
                need->needed = x.vf->index + 1;
                need->at = x.at.of("vf");
            }
        }
    }

    bool is_virtual_function(const Passthrough& x) const {
        return x.vf || plan_.facts.virtual_functions.count(x.host);
    }

    void resolve_vga() {
        const auto& p = plan_.profile;
        plan_.vga = p.display.vga;
        if (plan_.vga != VgaType::automatic) return;
        bool gpu = std::any_of(p.passthrough.begin(), p.passthrough.end(), [](auto& x) { return x.x_vga; });
        // With a passed-through GPU the guest's screen is the real monitor; with no
        // display at all an emulated card only costs a slot.
        plan_.vga = (gpu || p.display.type == DisplayType::none) ? VgaType::none : VgaType::std;
    }

    void smbios() {
        const auto& p = plan_.profile;
        if (!p.smbios) return;
        std::map<std::pair<int, std::string>, std::string> chosen;
        if (p.smbios->from_host) {
            for (const auto& f : smbios_fields()) {
                if (!f.dmi) continue;
                auto it = plan_.facts.dmi.find(f.dmi);
                if (it == plan_.facts.dmi.end() || it->second.empty()) continue;
                // Firmware writes what it likes; vmrun's output (--json, the
                // log) is UTF-8 text, so other bytes are not copied.
                if (first_invalid_utf8(it->second) != std::string_view::npos) {
                    d_.warning(p.at.of("smbios"), std::string("the host's DMI ") + f.dmi +
                                                      " is not UTF-8 text: 'smbios: host' leaves it out (set it in the profile)");
                    continue;
                }
                chosen[{f.type, f.key}] = it->second;
            }
            if (chosen.empty())
                d_.warning(p.at.of("smbios"), "this host shows no DMI strings (/sys/class/dmi/id): 'smbios: host' copies nothing");
        }
        for (const auto& [type, key, value] : p.smbios->fields) chosen[{type, key}] = value;
        for (const auto& f : smbios_fields())
            if (auto it = chosen.find({f.type, f.key}); it != chosen.end()) plan_.smbios[f.type].emplace_back(f.key, it->second);
    }

    void hugepages() {
        const auto& p = plan_.profile;
        if (!p.hugepages) return;
        const auto& h = *p.hugepages;
        HugepagePlan out;
        out.page_kib = h.page_kib ? h.page_kib : plan_.facts.default_hugepage_kib;
        out.pages = p.memory_mib * 1024 / out.page_kib;
        out.allocate = h.allocate;
        auto mounted = plan_.facts.hugetlbfs_mounts.find(out.page_kib);
        if (!h.path.empty()) out.mem_path = h.path;
        else if (mounted != plan_.facts.hugetlbfs_mounts.end()) out.mem_path = mounted->second;
        else if (h.allocate) {
            out.mem_path = plan_.paths().hugetlbfs_dir();
            out.private_mount = true;
        } else {
            // Where distributions mount them; preflight says how when it is not there.
            out.mem_path = out.page_kib == 1048576 ? "/dev/hugepages1G" : "/dev/hugepages";
        }
        if (p.cpu.pin && !p.cpu.pin->vcpus.empty()) out.prealloc_cpus = p.cpu.pin->vcpus;
        out.prealloc_threads = out.prealloc_cpus.empty() ? p.smp.cpus() : int(out.prealloc_cpus.size());
        plan_.hugepages = out;
    }

    void firmware() {
        const auto& f = plan_.profile.firmware;
        auto& out = plan_.firmware;
        out.type = f.type;
        if (f.type != FirmwareType::ovmf) return;
        const auto& dir = plan_.facts.ovmf_dir;
        out.secure_boot = f.secure_boot;
        out.reset_nvram = f.reset_nvram;
        // Debian's 4M builds; the .ms VARS carry Microsoft's keys, enrolled for Secure Boot.
        out.code = !f.code.empty() ? f.code : dir + (f.secure_boot ? "/OVMF_CODE_4M.secboot.fd" : "/OVMF_CODE_4M.fd");
        out.vars_template = !f.vars_template.empty() ? f.vars_template : dir + (f.secure_boot ? "/OVMF_VARS_4M.ms.fd" : "/OVMF_VARS_4M.fd");
        out.vars = plan_.paths().ovmf_vars();
        out.mmio64_mib = ovmf_mmio64_window_mib(plan_.facts.passthrough_mem64);
    }

    void root_ports_and_passthrough(SlotAllocator& slots) {
        const auto& p = plan_.profile;
        // One root port per host slot: every function of a GPU (VGA, audio, USB,
        // UCSI) becomes a function of one guest slot, as the driver expects.
        placed_by_user(slots);
        std::vector<std::vector<const Passthrough*>> groups;
        for (const auto& x : p.passthrough) {
            if (x.guest_address) continue;
            // A virtual function stands alone (its own IOMMU group, hot-pluggable
            // by itself), however its address shares a slot with its siblings.
            auto g = is_virtual_function(x) ? groups.end() : std::find_if(groups.begin(), groups.end(), [&](auto& grp) {
                return !is_virtual_function(*grp.front()) && grp.front()->host.same_slot(x.host);
            });
            if (g == groups.end()) groups.push_back({&x});
            else g->push_back(&x);
        }
        size_t total = groups.size() + size_t(p.root_ports.spare);
        std::vector<unsigned> port_slots;
        for (size_t i = 0; i < total; i += 8) {
            auto s = slots.for_root_ports();
            if (!s) {
                d_.error(p.at.of("root_ports.spare"), "no free slot on pcie.0 for " + std::to_string(total) +
                                                          " root ports; lower root_ports.spare");
                return;
            }
            port_slots.push_back(*s);
        }
        for (size_t i = 0; i < total; ++i) {
            RootPortPlan rp;
            rp.id = "rp" + std::to_string(i + 1);
            rp.model = p.root_ports.model;
            rp.at.slot = port_slots[i / 8];
            rp.at.function = unsigned(i % 8);
            rp.at.multifunction = rp.at.function == 0 && i + 1 < total && (i + 1) / 8 == i / 8;
            rp.chassis = int(i + 1);
            rp.port = int(i + 1);
            if (i < groups.size())
                rp.holds = is_virtual_function(*groups[i].front()) ? groups[i].front()->host.str() : groups[i].front()->host.slot_str();
            plan_.root_ports.push_back(rp);
        }
        for (size_t g = 0; g < groups.size(); ++g) {
            auto members = groups[g];
            std::sort(members.begin(), members.end(), [](auto* a, auto* b) { return a->host.function < b->host.function; });
            // Functions are numbered from 0 in host order: a guest ignores a slot without function 0.
            for (size_t f = 0; f < members.size(); ++f) {
                PassthroughPlan pp;
                pp.device = *members[f];
                pp.at.bus = plan_.root_ports[g].id;
                pp.at.slot = 0;
                pp.at.function = unsigned(f);
                pp.at.multifunction = f == 0 && members.size() > 1;
                plan_.passthrough.push_back(pp);
            }
        }
    }

    // Devices given a guest_address sit on pcie.0 where the user said, before
    // anything else takes a slot.
    void placed_by_user(SlotAllocator& slots) {
        const auto& p = plan_.profile;
        std::map<std::pair<unsigned, unsigned>, const Passthrough*> chosen;
        for (const auto& x : p.passthrough) {
            if (!x.guest_address) continue;
            auto at = x.at.of("guest_address");
            auto [slot, function] = *x.guest_address;
            char name[8];
            std::snprintf(name, sizeof name, "%02x.%u", slot, function);
            for (const auto& y : p.passthrough)
                if (&y != &x && y.host.same_slot(x.host) && !y.guest_address && !is_virtual_function(x) && !is_virtual_function(y)) {
                    d_.error(at, "the functions of host slot " + x.host.slot_str() + " go together: give " + y.host.str() +
                                     " a guest_address too, or remove it here");
                    return;
                }
            auto [it, fresh] = chosen.emplace(*x.guest_address, &x);
            if (!fresh) {
                d_.error(at, "guest address " + std::string(name) + " is also given to " + it->second->host.str() + " (line " +
                                 std::to_string(it->second->at.of("guest_address").line) + "); pick another");
                return;
            }
        }
        std::set<unsigned> slots_taken;
        for (const auto& [address, x] : chosen) {
            // Plain copies: a lambda below uses them, and clang 14 cannot capture structured bindings.
            unsigned slot = address.first, function = address.second;
            char name[4];
            std::snprintf(name, sizeof name, "%02x", slot);
            if (slots_taken.insert(slot).second) {
                if (auto holder = slots.take_chosen(slot); !holder.empty()) {
                    d_.error(x->at.of("guest_address"), "guest slot " + std::string(name) + " on pcie.0 is " + holder +
                                                            "; pick a slot from 02 to 1e");
                    continue;
                }
                if (!chosen.count({slot, 0})) {
                    d_.error(x->at.of("guest_address"), "guest slot " + std::string(name) + " has no function 0, and a guest ignores "
                                                            "such a slot; give one of its devices " + name + ".0");
                    continue;
                }
            }
            bool more = std::any_of(chosen.begin(), chosen.end(), [&](auto& c) { return c.first.first == slot && c.first.second != 0; });
            PassthroughPlan pp;
            pp.device = *x;
            pp.at.bus = "pcie.0";
            pp.at.slot = slot;
            pp.at.function = function;
            pp.at.multifunction = function == 0 && more;
            plan_.passthrough.push_back(pp);
        }
    }

    std::optional<PciPlacement> endpoint(SlotAllocator& slots, const std::string& what, SourceLoc at) {
        auto s = slots.for_endpoint();
        if (!s) {
            d_.error(at, "no free slot on pcie.0 for " + what + "; lower root_ports.spare or remove devices");
            return std::nullopt;
        }
        PciPlacement pl;
        pl.slot = *s;
        return pl;
    }

    void disks(SlotAllocator& slots) {
        int sata_port = 0;
        for (const auto& d : plan_.profile.disks) {
            DiskPlan dp;
            dp.disk = d;
            dp.drive_id = "drive-" + d.id;
            dp.driver = disk_driver(d);
            switch (d.bus) {
                case DiskBus::virtio:
                case DiskBus::nvme:
                    dp.at = endpoint(slots, "disk '" + d.id + "'", d.at.of());
                    break;
                case DiskBus::sata:
                    if (sata_port == kAhciPorts)
                        d_.error(d.at.of("bus"), "q35's AHCI controller has " + std::to_string(kAhciPorts) +
                                                     " ports and this is the 7th sata disk; put some on virtio or virtio-scsi");
                    dp.port_bus = "ide." + std::to_string(sata_port++);
                    break;
                case DiskBus::virtio_scsi:
                    if (!plan_.scsi_controller) plan_.scsi_controller = endpoint(slots, "the virtio-scsi controller", d.at.of("bus"));
                    dp.port_bus = "scsi0.0";
                    break;
            }
            plan_.disks.push_back(dp);
        }
    }

    void nics(SlotAllocator& slots) {
        const auto& p = plan_.profile;
        for (size_t i = 0; i < p.nics.size(); ++i) {
            const auto& n = p.nics[i];
            NicPlan np;
            np.nic = n;
            np.netdev_id = "netdev-" + n.id;
            np.driver = nic_driver(n.model);
            if (n.type == NicType::tap) {
                np.tap = n.tap.empty() ? default_tap_name(p.name, i) : n.tap;
                np.vhost = n.model == NicModel::virtio && plan_.facts.vhost_net;
            }
            if (auto at = endpoint(slots, "network interface '" + n.id + "'", n.at.of())) np.at = *at;
            plan_.nics.push_back(np);
        }
    }

    void usb(SlotAllocator& slots) {
        const auto& p = plan_.profile;
        if (p.usb.empty()) return;
        plan_.usb_controller = endpoint(slots, "the USB controller", p.usb.front().at.of());
        for (const auto& u : p.usb) plan_.usb.push_back({u});
    }

    LaunchPlan plan_;
    Diagnostics& d_;
};

}  // namespace

PlanResult make_launch_plan(const Profile& profile, const HostFacts& facts) {
    PlanResult r;
    r.plan = Planner(profile, facts, r.diagnostics).run();
    return r;
}

}  // namespace vmrun
