#include "libvirt/domain_export.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "base/cpu_list.h"
#include "base/qemu_option_text.h"
#include "plan/qemu_argv.h"
#include "plan/qemu_option.h"
#include "libvirt/metadata.h"
#include "profile/hyperv_set.h"

namespace vmrun {

namespace {

using Attrs = std::vector<std::pair<std::string, std::string>>;

std::string xml_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '\'': out += "&apos;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

// Indented XML, elements opened and closed in order.
class XmlWriter {
public:
    XmlWriter& open(const std::string& name, const Attrs& attrs = {}) {
        out_ += indent() + "<" + name + attributes(attrs) + ">\n";
        stack_.push_back(name);
        return *this;
    }
    XmlWriter& leaf(const std::string& name, const Attrs& attrs = {}, const std::string& text = "") {
        out_ += indent() + "<" + name + attributes(attrs);
        out_ += text.empty() ? "/>\n" : ">" + xml_escape(text) + "</" + name + ">\n";
        return *this;
    }
    XmlWriter& close() {
        auto name = stack_.back();
        stack_.pop_back();
        out_ += indent() + "</" + name + ">\n";
        return *this;
    }
    const std::string& str() const { return out_; }
    // Lines another writer made, indented to here.
    XmlWriter& raw(const std::string& lines) {
        size_t start = 0;
        while (start < lines.size()) {
            auto end = lines.find('\n', start);
            out_ += indent() + lines.substr(start, end - start + 1);
            start = end + 1;
        }
        return *this;
    }

private:
    std::string indent() const { return std::string(stack_.size() * 2, ' '); }
    static std::string attributes(const Attrs& attrs) {
        std::string out;
        for (const auto& [k, v] : attrs) out += " " + k + "='" + xml_escape(v) + "'";
        return out;
    }
    std::string out_;
    std::vector<std::string> stack_;
};

std::string hex(unsigned v, int width) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%0*x", width, v);
    return buf;
}

const char* on_off(bool b) { return b ? "on" : "off"; }

class DomainWriter {
public:
    DomainWriter(const LaunchPlan& plan, const std::string& emulator) : plan_(plan), p_(plan.profile), emulator_(emulator) {
        // libvirt numbers a PCI bus by its controller's index: pcie.0 is 0,
        // each root port the next index in the plan's order.
        bus_index_["pcie.0"] = 0;
        for (size_t i = 0; i < plan.root_ports.size(); ++i) bus_index_[plan.root_ports[i].id] = int(i) + 1;
    }

    LibvirtDomain run() {
        x_.open("domain", {{"type", p_.accelerator == Accelerator::kvm ? "kvm" : "qemu"},
                           {"xmlns:qemu", "http://libvirt.org/schemas/domain/qemu/1.0"}});
        x_.leaf("name", {}, p_.name);
        metadata();
        if (auto uuid = smbios_value(1, "uuid"); !uuid.empty()) x_.leaf("uuid", {}, uuid);
        x_.leaf("memory", {{"unit", "MiB"}}, std::to_string(p_.memory_mib));
        x_.leaf("currentMemory", {{"unit", "MiB"}}, std::to_string(p_.memory_mib));
        memory_backing();
        x_.leaf("vcpu", {{"placement", "static"}}, std::to_string(p_.smp.cpus()));
        cputune();
        sysinfo();
        os();
        features();
        cpu();
        clock();
        x_.leaf("on_poweroff", {}, "destroy");
        x_.leaf("on_reboot", {}, "restart");
        x_.leaf("on_crash", {}, "destroy");
        if (p_.guest_sleep && !*p_.guest_sleep)
            x_.open("pm").leaf("suspend-to-mem", {{"enabled", "no"}}).leaf("suspend-to-disk", {{"enabled", "no"}}).close();
        devices();
        qemu_extras();
        x_.close();
        not_carried();
        return {x_.str(), warnings_};
    }

private:
    Attrs pci_address(const PciPlacement& at) const {
        Attrs a{{"type", "pci"}, {"domain", "0x0000"}, {"bus", hex(unsigned(bus_index_.at(at.bus)), 2)},
                {"slot", hex(at.slot, 2)}, {"function", hex(at.function, 1)}};
        if (at.multifunction) a.push_back({"multifunction", "on"});
        return a;
    }

    // What libvirt has no element for but vmrun needs to give the same VM
    // back: libvirt keeps <metadata> as written and ignores it.
    // <sound> plays through <audio id='1'>: QEMU's -device ... audiodev= and -audiodev.
    void audio() {
        if (!plan_.audio) return;
        const auto& a = *plan_.audio;
        bool ac97 = a.model == AudioModel::ac97;
        x_.open("sound", {{"model", ac97 ? "ac97" : "ich9"}});
        if (!ac97) x_.leaf("codec", {{"type", "duplex"}});
        x_.leaf("audio", {{"id", "1"}});
        x_.leaf("alias", {{"name", libvirt_alias("vmrun-sound")}});
        x_.leaf("address", pci_address(a.at));
        x_.close();
        if (a.driver == "pa") {
            Attrs at{{"id", "1"}, {"type", "pulseaudio"}};
            if (!a.socket.empty()) at.push_back({"serverName", a.socket});
            x_.leaf("audio", at);
            warnings_.push_back("audio: libvirt connects QEMU to " + (a.user.empty() ? std::string("the") : a.user + "'s") +
                                " sound server as its own QEMU user (qemu.conf user=); PulseAudio lets that user in only with the desktop "
                                "user's cookie, which vmrun passes itself (PULSE_COOKIE)");
        } else if (a.driver == "alsa") {
            x_.open("audio", {{"id", "1"}, {"type", "alsa"}});
            if (!a.alsa_device.empty()) x_.leaf("input", {{"dev", a.alsa_device}}).leaf("output", {{"dev", a.alsa_device}});
            x_.close();
        } else {
            x_.leaf("audio", {{"id", "1"}, {"type", "none"}});
        }
    }

    // <input type='evdev'> is QEMU's input-linux; the virtio keyboard and mouse at vmrun's places.
    void input() {
        if (!plan_.input) return;
        const auto& in = *plan_.input;
        for (const auto& d : in.devices) {
            Attrs src{{"dev", d.evdev}};
            if (d.grab_all) src.push_back({"grab", "all"});
            if (d.repeat) src.push_back({"repeat", "on"});
            if (!in.toggle.empty()) src.push_back({"grabToggle", in.toggle});
            x_.open("input", {{"type", "evdev"}}).leaf("source", src).close();
        }
        for (auto [type, id, at] : {std::tuple{"keyboard", "vmrun-keyboard", in.keyboard}, std::tuple{"mouse", "vmrun-mouse", in.mouse}}) {
            x_.open("input", {{"type", type}, {"bus", "virtio"}});
            x_.leaf("alias", {{"name", libvirt_alias(id)}});
            x_.leaf("address", pci_address(at));
            x_.close();
        }
    }

    void metadata() {
        XmlWriter m;
        std::string order;
        for (const auto& dp : plan_.disks) order += (order.empty() ? "" : " ") + dp.disk.id;
        if (plan_.disks.size() > 1) m.leaf("vmrun:disk-order", {}, order);
        if (p_.hugepages) {
            Attrs h;
            if (p_.hugepages->allocate) h.push_back({"allocate", "yes"});
            if (!p_.hugepages->path.empty()) h.push_back({"path", p_.hugepages->path});
            if (p_.hugepages->page_kib) h.push_back({"size-kib", std::to_string(p_.hugepages->page_kib)});
            m.leaf("vmrun:hugepages", h);
        }
        if (!p_.run_as.empty()) m.leaf("vmrun:run-as", {}, p_.run_as);
        if (p_.sandbox) m.leaf("vmrun:sandbox");
        if (p_.headless) m.leaf("vmrun:headless");
        if (p_.shutdown_timeout != 60) m.leaf("vmrun:shutdown-timeout", {}, std::to_string(p_.shutdown_timeout));
        if (p_.serial != SerialMode::socket) m.leaf("vmrun:serial", {}, p_.serial == SerialMode::stdio ? "stdio" : "none");
        if (p_.firmware.reset_nvram) m.leaf("vmrun:reset-nvram");
        if (p_.tpm && p_.tpm->reset) m.leaf("vmrun:tpm-reset");
        if (p_.display.type == DisplayType::gtk) m.leaf("vmrun:display", {}, "gtk");
        if (p_.root_ports.hotplug == HotplugMode::native) m.leaf("vmrun:hotplug", {}, "native");
        if (p_.looking_glass && !p_.looking_glass->owner.empty()) m.leaf("vmrun:looking-glass-owner", {}, p_.looking_glass->owner);
        if (p_.audio) {
            // The profile's words, so the import gives them back as written (libvirt's say 'pulseaudio' for pipewire too).
            const auto& a = *p_.audio;
            Attrs at{{"backend", audio_backend_name(a.backend)}};
            for (const auto& [k, v] : {std::pair{"user", a.user}, std::pair{"server", a.server}, std::pair{"cookie", a.cookie}})
                if (!v.empty()) at.push_back({k, v});
            m.leaf("vmrun:audio", at);
        }
        if (p_.host_display) {
            const auto& hd = *p_.host_display;
            Attrs at{{"timeout", std::to_string(hd.timeout)}};
            if (!hd.unit.empty()) at.push_back({"unit", hd.unit});
            else at.insert(at.end(), {{"stop", nlohmann::json(hd.stop).dump()}, {"start", nlohmann::json(hd.start).dump()}});
            if (!hd.stop_units.empty()) at.push_back({"stop-units", nlohmann::json(hd.stop_units).dump()});
            m.leaf("vmrun:host-display", at);
        }
        for (const auto& n : p_.nics) {
            if (n.create_bridge) m.leaf("vmrun:create-bridge", {{"nic", n.id}});
            for (const auto& f : n.forwards)
                m.leaf("vmrun:forward", {{"nic", n.id}}, f.protocol + ":" + f.host_address + ":" + std::to_string(f.host_port) +
                                                              ":" + std::to_string(f.guest_port));
        }
        if (m.str().empty()) return;
        x_.open("metadata").open("vmrun:profile", {{"xmlns:vmrun", kVmrunMetadataNamespace}});
        x_.raw(m.str());
        x_.close().close();
    }

    std::string smbios_value(int type, const std::string& key) const {
        auto it = plan_.smbios.find(type);
        if (it == plan_.smbios.end()) return "";
        for (const auto& [k, v] : it->second)
            if (k == key) return v;
        return "";
    }

    void memory_backing() {
        if (!plan_.hugepages && !plan_.shared_ram()) return;
        x_.open("memoryBacking");
        if (plan_.hugepages) {
            x_.open("hugepages");
            x_.leaf("page", {{"size", std::to_string(plan_.hugepages->page_kib)}, {"unit", "KiB"}});
            x_.close();
        } else {
            x_.leaf("source", {{"type", "memfd"}});
        }
        // virtiofsd maps the guest's RAM, as with vmrun's share=on.
        if (plan_.shared_ram()) x_.leaf("access", {{"mode", "shared"}});
        x_.close();
        if (!plan_.hugepages) return;
        if (plan_.hugepages->allocate)
            warnings_.push_back("hugepages.allocate (kept in <metadata> for vmrun import): libvirt takes pages from the pool but does not raise it; reserve " +
                                std::to_string(plan_.hugepages->pages) + " pages of " +
                                std::to_string(plan_.hugepages->page_kib) + " KiB before starting the domain");
    }

    void cputune() {
        if (!p_.cpu.pin) return;
        x_.open("cputune");
        for (size_t i = 0; i < p_.cpu.pin->vcpus.size(); ++i)
            x_.leaf("vcpupin", {{"vcpu", std::to_string(i)}, {"cpuset", std::to_string(p_.cpu.pin->vcpus[i])}});
        if (!p_.cpu.pin->emulator.empty()) x_.leaf("emulatorpin", {{"cpuset", format_cpu_list(p_.cpu.pin->emulator)}});
        x_.close();
    }

    // SMBIOS types libvirt has elements for; the keys are QEMU's, which
    // libvirt's entry names match for these types.
    void sysinfo() {
        if (plan_.smbios.empty()) return;
        static const std::map<int, std::pair<const char*, std::set<std::string>>> kBlocks = {
            {0, {"bios", {"vendor", "version", "date", "release"}}},
            {1, {"system", {"manufacturer", "product", "version", "serial", "uuid", "sku", "family"}}},
            {2, {"baseBoard", {"manufacturer", "product", "version", "serial", "asset", "location"}}},
            {3, {"chassis", {"manufacturer", "version", "serial", "asset", "sku"}}},
        };
        x_.open("sysinfo", {{"type", "smbios"}});
        for (const auto& [type, fields] : plan_.smbios) {
            auto block = kBlocks.find(type);
            if (block == kBlocks.end()) {
                warnings_.push_back("smbios type " + std::to_string(type) + ": libvirt has no element for it; not carried over");
                continue;
            }
            x_.open(block->second.first);
            for (const auto& [key, value] : fields) {
                if (block->second.second.count(key)) x_.leaf("entry", {{"name", key}}, value);
                else warnings_.push_back("smbios type " + std::to_string(type) + " " + key + ": libvirt has no entry for it; not carried over");
            }
            x_.close();
        }
        x_.close();
    }

    void os() {
        const auto& f = plan_.firmware;
        x_.open("os");
        x_.leaf("type", {{"arch", "x86_64"}, {"machine", p_.machine}}, "hvm");
        if (f.type == FirmwareType::ovmf) {
            x_.leaf("loader", {{"readonly", "yes"}, {"secure", f.secure_boot ? "yes" : "no"}, {"type", "pflash"}}, f.code);
            x_.leaf("nvram", {{"template", f.vars_template}}, f.vars);
            if (f.reset_nvram) warnings_.push_back("firmware.reset_nvram: use 'virsh start --reset-nvram' for the same effect");
        }
        if (p_.kernel) {
            x_.leaf("kernel", {}, p_.kernel->image);
            if (!p_.kernel->initrd.empty()) x_.leaf("initrd", {}, p_.kernel->initrd);
            if (!p_.kernel->cmdline.empty()) x_.leaf("cmdline", {}, p_.kernel->cmdline);
        }
        // libvirt refuses <boot dev> together with a device's <boot order>.
        bool device_order = false;
        for (const auto& d : plan_.disks) device_order = device_order || d.disk.boot_index.has_value();
        if (!device_order)
            for (char c : p_.boot.order) {
                const char* dev = c == 'c' ? "hd" : c == 'd' ? "cdrom" : c == 'n' ? "network" : c == 'a' ? "fd" : nullptr;
                if (dev) x_.leaf("boot", {{"dev", dev}});
                else warnings_.push_back(std::string("boot.order letter '") + c + "': libvirt has no device for it");
            }
        else if (!p_.boot.order.empty())
            warnings_.push_back("boot.order: the disks' boot_index decides in libvirt (it refuses both)");
        if (p_.boot.menu) x_.leaf("bootmenu", {{"enable", "yes"}});
        if (!plan_.smbios.empty()) x_.leaf("smbios", {{"mode", "sysinfo"}});
        x_.close();
    }

    void features() {
        x_.open("features");
        x_.leaf("acpi");
        x_.leaf("apic");
        if (p_.cpu.hyperv != HypervMode::off || !p_.cpu.hv_vendor_id.empty()) {
            x_.open("hyperv", {{"mode", p_.cpu.hyperv == HypervMode::passthrough ? "passthrough" : "custom"}});
            if (p_.cpu.hyperv == HypervMode::enlightened) hyperv_set_elements();
            if (!p_.cpu.hv_vendor_id.empty()) x_.leaf("vendor_id", {{"state", "on"}, {"value", p_.cpu.hv_vendor_id}});
            x_.close();
        }
        if (p_.cpu.hide_kvm) x_.open("kvm").leaf("hidden", {{"state", "on"}}).close();
        if (plan_.firmware.secure_boot) x_.leaf("smm", {{"state", "on"}});
        x_.close();
    }

    // The same set qemu_argv gives QEMU; hv-time is a clock timer in libvirt,
    // stimer-direct a child of <stimer>.
    void hyperv_set_elements() {
        for (const auto& f : hyperv_set()) {
            if (f.libvirt.empty() || f.libvirt.find('/') != std::string::npos) continue;
            Attrs a{{"state", "on"}};
            if (f.libvirt == "spinlocks") a.push_back({"retries", std::to_string(std::stoul(f.qemu_value, nullptr, 0))});
            if (f.libvirt == "stimer") x_.open("stimer", a).leaf("direct", {{"state", "on"}}).close();
            else x_.leaf(f.libvirt, a);
        }
    }

    void cpu() {
        const auto& model = p_.cpu.model;
        Attrs mode{{"mode", model == "host" ? "host-passthrough" : model == "max" ? "maximum" : "custom"}};
        if (model == "host") mode.push_back({"check", "none"});
        x_.open("cpu", mode);
        if (model != "host" && model != "max") x_.leaf("model", {{"fallback", "forbid"}}, model);
        x_.leaf("topology", {{"sockets", std::to_string(p_.smp.sockets)}, {"dies", "1"},
                             {"cores", std::to_string(p_.smp.cores)}, {"threads", std::to_string(p_.smp.threads)}});
        for (const auto& f : p_.cpu.flags) {
            bool off = !f.empty() && f[0] == '-';
            std::string name = !f.empty() && (f[0] == '+' || f[0] == '-') ? f.substr(1) : f;
            x_.leaf("feature", {{"policy", off ? "disable" : "require"}, {"name", name}});
        }
        x_.close();
    }

    void clock() {
        x_.open("clock", {{"offset", p_.rtc == RtcBase::localtime ? "localtime" : "utc"}});
        if (p_.cpu.hyperv == HypervMode::enlightened) x_.leaf("timer", {{"name", "hypervclock"}, {"present", "yes"}});
        if (!p_.hpet) x_.leaf("timer", {{"name", "hpet"}, {"present", "no"}});
        x_.close();
    }

    void devices() {
        x_.open("devices");
        x_.leaf("emulator", {}, emulator_);
        x_.leaf("controller", {{"type", "pci"}, {"index", "0"}, {"model", "pcie-root"}});
        for (const auto& rp : plan_.root_ports) {
            x_.open("controller", {{"type", "pci"}, {"index", std::to_string(bus_index_.at(rp.id))}, {"model", "pcie-root-port"}});
            x_.leaf("model", {{"name", rp.model == RootPortModel::ioh3420 ? "ioh3420" : "pcie-root-port"}});
            x_.leaf("target", {{"chassis", std::to_string(rp.chassis)}, {"port", hex(unsigned(rp.port), 1)}});
            x_.leaf("alias", {{"name", libvirt_alias(rp.id)}});
            x_.leaf("address", pci_address(rp.at));
            x_.close();
        }
        if (p_.root_ports.hotplug == HotplugMode::native)
            warnings_.push_back("root_ports.hotplug: native: set <pci><acpi-hotplug-bridge state='off'/> (libvirt 9.1+) or "
                                "-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off by hand");
        passthrough();
        storage();
        network();
        usb();
        display();
        serial();
        if (p_.tpm)
            x_.open("tpm", {{"model", p_.tpm->model == TpmModel::crb ? "tpm-crb" : "tpm-tis"}})
                .leaf("backend", {{"type", "emulator"}, {"version", "2.0"}})
                .close();
        if (plan_.looking_glass) {
            // libvirt maps /dev/shm/NAME for a <shmem name='NAME'>.
            const auto& lg = *plan_.looking_glass;
            x_.open("shmem", {{"name", lg.kvmfr ? "kvmfr0" : "looking-glass-" + p_.name}});
            x_.leaf("model", {{"type", "ivshmem-plain"}});
            x_.leaf("size", {{"unit", "M"}}, std::to_string(lg.size_mib));
            x_.leaf("alias", {{"name", libvirt_alias("looking-glass")}});
            x_.leaf("address", pci_address(lg.at));
            x_.close();
            if (lg.kvmfr) warnings_.push_back("looking_glass.device: kvmfr: libvirt needs the kvmfr device passed by hand (<qemu:commandline>)");
            if (!lg.owner.empty())
                warnings_.push_back("looking_glass.owner (kept in <metadata>): libvirt makes /dev/shm/looking-glass-" + p_.name +
                                    " as its QEMU user; a tmpfiles.d rule gives it to " + lg.owner);
        }
        audio();
        input();
        shared_folders();
        if (plan_.agent_serial) {
            x_.open("controller", {{"type", "virtio-serial"}, {"index", "0"}});
            x_.leaf("address", pci_address(*plan_.agent_serial));
            x_.close();
            // libvirt makes the socket and connects to the agent itself.
            x_.open("channel", {{"type", "unix"}});
            x_.leaf("source", {{"mode", "bind"}});
            x_.leaf("target", {{"type", "virtio"}, {"name", "org.qemu.guest_agent.0"}});
            x_.close();
        }
        if (plan_.balloon) {
            x_.open("memballoon", {{"model", "virtio"}});
            x_.leaf("alias", {{"name", libvirt_alias("vmrun-balloon")}});
            x_.leaf("address", pci_address(*plan_.balloon));
            x_.close();
        } else {
            x_.leaf("memballoon", {{"model", "none"}});
        }
        x_.close();
    }

    // libvirt runs virtiofsd for each <filesystem> itself.
    void shared_folders() {
        for (const auto& f : plan_.shared_folders) {
            if (f.folder.readonly) {
                warnings_.push_back("shared folder '" + f.folder.tag + "' is read-only: libvirt 9 serves virtiofs read-write only; "
                                    "not carried over (add it by hand once your libvirt takes <readonly/> for virtiofs)");
                continue;
            }
            x_.open("filesystem", {{"type", "mount"}, {"accessmode", "passthrough"}});
            x_.leaf("driver", {{"type", "virtiofs"}});
            x_.leaf("source", {{"dir", f.folder.path}});
            x_.leaf("target", {{"dir", f.folder.tag}});
            x_.leaf("address", pci_address(f.at));
            x_.close();
        }
    }

    void passthrough() {
        for (const auto& pp : plan_.passthrough) {
            const auto& d = pp.device;
            x_.open("hostdev", {{"mode", "subsystem"}, {"type", "pci"}, {"managed", "yes"}});
            x_.leaf("driver", {{"name", "vfio"}});
            x_.open("source");
            x_.leaf("address", {{"domain", hex(d.host.domain, 4)}, {"bus", hex(d.host.bus, 2)},
                                {"slot", hex(d.host.slot, 2)}, {"function", hex(d.host.function, 1)}});
            x_.close();
            x_.leaf("alias", {{"name", libvirt_alias(d.id)}});
            if (!d.romfile.empty() || d.rombar) {
                Attrs rom;
                if (d.rombar) rom.push_back({"bar", on_off(*d.rombar)});
                if (!d.romfile.empty()) rom.push_back({"file", d.romfile});
                x_.leaf("rom", rom);
            }
            x_.leaf("address", pci_address(pp.at));
            x_.close();
            if (d.x_vga) x_vga_ids_.push_back(d.id);
            if (d.vf_net.any())
                warnings_.push_back("passthrough " + d.id + ": the VF's mac/vlan/spoof_check/trust are set by vmrun on the PF; "
                                    "with libvirt use an <interface type='hostdev'> or 'ip link set PF vf N' by hand");
        }
    }

    void storage() {
        if (plan_.scsi_controller) {
            x_.open("controller", {{"type", "scsi"}, {"index", "0"}, {"model", "virtio-scsi"}});
            x_.leaf("address", pci_address(*plan_.scsi_controller));
            x_.close();
        }
        int virtio = 0, sd = 0, scsi_target = 0;
        for (const auto& dp : plan_.disks) {
            const auto& d = dp.disk;
            if (d.bus == DiskBus::nvme) {
                // libvirt 9 has no NVMe disk bus: the same -drive/-device QEMU gets.
                warnings_.push_back("disk " + d.id + ": libvirt 9 has no NVMe disk; carried as <qemu:commandline> (libvirt does not manage it)");
                nvme_disks_.push_back(&dp);
                continue;
            }
            bool block = d.path.rfind("/dev/", 0) == 0;
            bool cd = d.media == DiskMedia::cdrom;
            x_.open("disk", {{"type", block ? "block" : "file"}, {"device", cd ? "cdrom" : "disk"}});
            Attrs driver{{"name", "qemu"}, {"type", d.format == DiskFormat::raw ? "raw" : "qcow2"}};
            if (!d.cache.empty()) driver.push_back({"cache", d.cache});
            if (!d.aio.empty()) driver.push_back({"io", d.aio});
            x_.leaf("driver", driver);
            x_.leaf("source", {{block ? "dev" : "file", d.path}});
            std::string bus = d.bus == DiskBus::virtio ? "virtio" : d.bus == DiskBus::virtio_scsi ? "scsi" : "sata";
            std::string dev = d.bus == DiskBus::virtio ? "vd" + drive_letters(virtio++) : "sd" + drive_letters(sd++);
            x_.leaf("target", {{"dev", dev}, {"bus", bus}});
            if (cd || d.readonly) x_.leaf("readonly");
            if (d.boot_index) x_.leaf("boot", {{"order", std::to_string(*d.boot_index)}});
            x_.leaf("alias", {{"name", libvirt_alias(d.id)}});
            if (dp.at) {
                x_.leaf("address", pci_address(*dp.at));
            } else {
                if (dp.port_bus.rfind("ide.", 0) == 0) {
                    // ide.N is the q35 AHCI's port N, libvirt's unit N.
                    x_.leaf("address", {{"type", "drive"}, {"controller", "0"}, {"bus", "0"}, {"target", "0"},
                                        {"unit", dp.port_bus.substr(dp.port_bus.rfind('.') + 1)}});
                } else {
                    // On scsi0.0 QEMU gives each disk the next free target, LUN 0.
                    x_.leaf("address", {{"type", "drive"}, {"controller", "0"}, {"bus", "0"},
                                        {"target", std::to_string(scsi_target++)}, {"unit", "0"}});
                }
            }
            x_.close();
        }
    }

    static std::string drive_letters(int n) {
        std::string s;
        for (++n; n > 0; n = (n - 1) / 26) s.insert(s.begin(), char('a' + (n - 1) % 26));
        return s;
    }

    void network() {
        for (const auto& np : plan_.nics) {
            const auto& n = np.nic;
            bool tap = n.type == NicType::tap;
            x_.open("interface", {{"type", tap ? "bridge" : "user"}});
            x_.leaf("mac", {{"address", n.mac}});
            if (tap) {
                x_.leaf("source", {{"bridge", n.bridge}});
                x_.leaf("target", {{"dev", np.tap}});
                if (n.create_bridge)
                    warnings_.push_back("network " + n.id + ": create_bridge: libvirt needs bridge " + n.bridge + " to exist already");
            }
            x_.leaf("model", {{"type", n.model == NicModel::virtio ? "virtio" : n.model == NicModel::e1000e ? "e1000e" : "e1000"}});
            if (tap && np.vhost) x_.leaf("driver", {{"name", "vhost"}});
            x_.leaf("alias", {{"name", libvirt_alias(n.id)}});
            x_.leaf("address", pci_address(np.at));
            x_.close();
            for (const auto& f : n.forwards)
                warnings_.push_back("network " + n.id + ": forward " + f.protocol + " " + f.host_address + ":" +
                                    std::to_string(f.host_port) + " -> " + std::to_string(f.guest_port) +
                                    ": libvirt 9.0's user networking (slirp) has no port forwards (kept in <metadata> for vmrun import)");
        }
    }

    void usb() {
        if (!plan_.usb_controller) {
            x_.leaf("controller", {{"type", "usb"}, {"index", "0"}, {"model", "none"}});
            return;
        }
        x_.open("controller", {{"type", "usb"}, {"index", "0"}, {"model", "qemu-xhci"}});
        x_.leaf("alias", {{"name", libvirt_alias("xhci")}});
        x_.leaf("address", pci_address(*plan_.usb_controller));
        x_.close();
        for (const auto& u : plan_.usb) {
            x_.open("hostdev", {{"mode", "subsystem"}, {"type", "usb"}, {"managed", "yes"}});
            x_.open("source");
            if (u.device.vendor) {
                x_.leaf("vendor", {{"id", hex(*u.device.vendor, 4)}});
                x_.leaf("product", {{"id", hex(*u.device.product, 4)}});
            } else {
                x_.leaf("address", {{"bus", std::to_string(*u.device.bus)}, {"device", std::to_string(*u.device.addr)}});
            }
            x_.close();
            x_.leaf("alias", {{"name", libvirt_alias(u.device.id)}});
            x_.close();
        }
    }

    void display() {
        const auto& d = p_.display;
        auto listen_of = [](const std::string& listen, const char* fallback) {
            std::string l = listen.empty() ? fallback : listen;
            auto colon = l.rfind(':');
            return std::pair(l.substr(0, colon), l.substr(colon + 1));
        };
        if (d.type == DisplayType::vnc || d.type == DisplayType::spice) {
            auto [host, port] = listen_of(d.listen, d.type == DisplayType::vnc ? "127.0.0.1:5900" : "127.0.0.1:5930");
            x_.open("graphics", {{"type", d.type == DisplayType::vnc ? "vnc" : "spice"}, {"port", port}, {"autoport", "no"}});
            x_.leaf("listen", {{"type", "address"}, {"address", host}});
            x_.close();
        } else if (d.type == DisplayType::gtk) {
            warnings_.push_back("display: gtk: libvirt has no GTK display; use virt-viewer with a <graphics type='spice'>");
        }
        const char* model = "none";
        switch (plan_.vga) {
            case VgaType::std: model = "vga"; break;
            case VgaType::virtio: model = "virtio"; break;
            case VgaType::qxl: model = "qxl"; break;
            default: break;
        }
        x_.open("video").leaf("model", {{"type", model}}).close();
    }

    void serial() {
        if (p_.serial == SerialMode::none) return;
        // libvirt keeps its own console (virsh console) in place of vmrun's socket.
        x_.open("serial", {{"type", "pty"}}).leaf("target", {{"port", "0"}}).close();
        x_.open("console", {{"type", "pty"}}).leaf("target", {{"type", "serial"}, {"port", "0"}}).close();
    }

    // What QEMU gets that libvirt has no element for: x-vga on a hostdev,
    // NVMe disks, ACPI tables, the profile's qemu_extra_args.
    void qemu_extras() {
        std::vector<std::string> args;
        if (!nvme_disks_.empty()) {
            // The very -drive/-device pairs vmrun gives QEMU, a root port named as libvirt names it.
            auto argv = build_qemu_argv(plan_);
            for (const auto* dp : nvme_disks_)
                for (size_t i = 0; i + 1 < argv.size(); ++i) {
                    auto parsed = parse_option(argv[i + 1]);
                    auto value = [&](const std::string& key) {
                        for (const auto& [k, v] : parsed.props)
                            if (k == key) return v;
                        return std::string();
                    };
                    if (argv[i] == "-drive" && value("id") == dp->drive_id) args.insert(args.end(), {"-drive", argv[i + 1]});
                    if (argv[i] == "-device" && parsed.head == "nvme" && value("id") == dp->disk.id) {
                        QemuOption dev("nvme");
                        for (const auto& [k, v] : parsed.props) dev.set(k, k == "bus" ? libvirt_bus_name(v) : v);
                        args.insert(args.end(), {"-device", dev.str()});
                    }
                }
        }
        for (const auto& table : p_.acpi_tables) args.insert(args.end(), {"-acpitable", "file=" + escape_option_value(table)});
        for (const auto& a : p_.qemu_extra_args) args.push_back(a);
        if (!p_.acpi_tables.empty()) warnings_.push_back("acpi_tables: carried as -acpitable in <qemu:commandline>");
        if (!p_.qemu_extra_args.empty()) warnings_.push_back("qemu_extra_args: carried as <qemu:commandline>, unchecked by libvirt");
        if (!args.empty()) {
            x_.open("qemu:commandline");
            for (const auto& a : args) x_.leaf("qemu:arg", {{"value", a}});
            x_.close();
        }
        if (!x_vga_ids_.empty()) {
            x_.open("qemu:override");
            for (const auto& id : x_vga_ids_) {
                x_.open("qemu:device", {{"alias", libvirt_alias(id)}}).open("qemu:frontend");
                x_.leaf("qemu:property", {{"name", "x-vga"}, {"type", "bool"}, {"value", "true"}});
                x_.close().close();
            }
            x_.close();
        }
    }

    // A root port's QEMU id under libvirt is its alias (pcie.0 stays).
    static std::string libvirt_bus_name(const std::string& bus) { return bus == "pcie.0" ? bus : libvirt_alias(bus); }

    void not_carried() {
        if (!p_.run_as.empty())
            warnings_.push_back("run_as (kept in <metadata>): libvirt runs QEMU as the user in /etc/libvirt/qemu.conf (user=, group=)");
        if (p_.sandbox) warnings_.push_back("sandbox (kept in <metadata>): libvirt sets QEMU's seccomp sandbox in qemu.conf (seccomp_sandbox)");
        if (p_.shutdown_timeout != 60)
            warnings_.push_back("shutdown_timeout (kept in <metadata>): libvirt-guests.service's SHUTDOWN_TIMEOUT does this for libvirt");
        if (p_.host_display)
            warnings_.push_back("host_display (kept in <metadata>): libvirt hands the boot GPU over only through hook scripts "
                                "(/etc/libvirt/hooks/qemu: stop the display manager, unbind the consoles, unload the driver)");
        if (plan_.hugepages && plan_.hugepages->private_mount)
            warnings_.push_back("hugepages (the mount kept in <metadata>): libvirt uses its own hugetlbfs mount (qemu.conf hugetlbfs_mount)");
    }

    const LaunchPlan& plan_;
    const Profile& p_;
    std::string emulator_;
    std::map<std::string, int> bus_index_;
    XmlWriter x_;
    std::vector<std::string> warnings_, x_vga_ids_;
    std::vector<const DiskPlan*> nvme_disks_;
};

}  // namespace

std::string libvirt_alias(const std::string& id) {
    std::string out = "ua-";
    for (char c : id) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
    return out;
}

LibvirtDomain export_libvirt_domain(const LaunchPlan& plan, const std::string& emulator) {
    return DomainWriter(plan, emulator).run();
}

}  // namespace vmrun
