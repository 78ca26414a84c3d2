#include "profile/libvirt_import.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include "base/cpu_list.h"
#include "base/qemu_option_text.h"
#include "profile/libvirt_metadata.h"

#include <nlohmann/json.hpp>
#include "profile/profile_edit.h"

namespace vmrun {

namespace {

using boost::property_tree::ptree;

std::string attr(const ptree& n, const std::string& name, const std::string& fallback = "") {
    return n.get<std::string>("<xmlattr>." + name, fallback);
}

std::string text(const ptree& n) {
    auto s = n.get_value<std::string>();
    auto b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

const ptree* child(const ptree& n, const std::string& path) {
    auto c = n.get_child_optional(path);
    return c ? &*c : nullptr;
}

// An element's attributes; get_child with a temporary default would hand back
// a reference to that temporary, gone before the loop reads it.
const ptree& attributes(const ptree& n) {
    static const ptree none;
    auto* a = child(n, "<xmlattr>");
    return a ? *a : none;
}

unsigned number(const std::string& s) {
    try {
        return unsigned(std::stoul(s, nullptr, 0));
    } catch (...) {
        return 0;
    }
}

// libvirt's scaled integers (<memory unit='KiB'>, <page size unit>) in KiB.
uint64_t kib_of(const std::string& value, std::string unit) {
    uint64_t v = 0;
    try {
        v = std::stoull(value);
    } catch (...) {
        return 0;
    }
    std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) { return std::tolower(c); });
    if (unit == "b" || unit == "bytes") return v / 1024;
    if (unit == "" || unit == "k" || unit == "kib") return v;
    if (unit == "kb") return v * 1000 / 1024;
    if (unit == "m" || unit == "mib") return v << 10;
    if (unit == "mb") return v * 1000 * 1000 / 1024;
    if (unit == "g" || unit == "gib") return v << 20;
    if (unit == "gb") return v * 1000 * 1000 * 1000 / 1024;
    if (unit == "t" || unit == "tib") return v << 30;
    return 0;
}

std::string size_text(uint64_t kib) {
    if (kib % (1 << 20) == 0) return std::to_string(kib >> 20) + "G";
    return std::to_string(kib >> 10) + "M";
}

// "ua-gpu" (a user alias, what vmrun export writes) -> "gpu".
std::string id_of(const ptree& n) {
    auto alias = n.get<std::string>("alias.<xmlattr>.name", "");
    return alias.rfind("ua-", 0) == 0 ? alias.substr(3) : "";
}

std::string hex2(unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02x", v);
    return buf;
}

std::string pci_address_text(const ptree& a) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04x:%02x:%02x.%x", number(attr(a, "domain", "0")), number(attr(a, "bus")),
                  number(attr(a, "slot")), number(attr(a, "function")));
    return buf;
}

// One YAML list item: "  - key: value" then "    key: value".
struct Item {
    std::vector<std::pair<std::string, std::string>> fields;  // value already YAML
    void add(const std::string& key, const std::string& yaml_value) { fields.push_back({key, yaml_value}); }
    void text(const std::string& key, const std::string& value) { add(key, yaml_scalar(value)); }
    std::string str() const {
        std::string out;
        for (size_t i = 0; i < fields.size(); ++i)
            out += std::string(i == 0 ? "  - " : "    ") + fields[i].first + ": " + fields[i].second + "\n";
        return out;
    }
};

class Importer {
public:
    explicit Importer(const ptree& domain) : d_(domain) {}

    LibvirtImport run(const std::string& source) {
        read_metadata();
        read_qemu_extras();
        std::ostringstream y;
        y << "# Imported from " << source << " by 'vmrun import libvirt'.\n";
        if (auto* desc = child(d_, "description")) y << "# " << text(*desc) << "\n";
        auto name = d_.get<std::string>("name", "");
        y << "name: " << yaml_scalar(name) << "\n";
        y << "machine: q35\n";
        y << "accelerator: " << (attr(d_, "type") == "kvm" ? "kvm" : "tcg") << "\n";
        memory(y);
        cpu(y);
        clock(y);
        os(y);
        devices(y);
        if (meta("serial")) y << "serial: " << meta_.at("serial") << "\n";
        if (meta("headless")) y << "headless: true\n";
        if (meta("shutdown-timeout")) y << "shutdown_timeout: " << meta_.at("shutdown-timeout") << "\n";
        if (meta("run-as")) y << "run_as: " << yaml_scalar(meta_.at("run-as")) << "\n";
        if (meta("sandbox")) y << "sandbox: true\n";
        if (meta_host_display_) host_display(y);
        if (!acpi_tables_.empty()) {
            y << "acpi_tables:\n";
            for (const auto& t : acpi_tables_) y << "  - " << yaml_scalar(t) << "\n";
        }
        if (!extra_args_.empty()) {
            y << "qemu_extra_args:\n";
            for (const auto& a : extra_args_) y << "  - " << yaml_scalar(a) << "\n";
        }
        unknown_top_level();
        return {y.str(), warnings_, ""};
    }

private:
    void warn(const std::string& w) { warnings_.push_back(w); }

    static std::string local_name(const std::string& tag) {
        auto colon = tag.find(':');
        return colon == std::string::npos ? tag : tag.substr(colon + 1);
    }

    // host_display from vmrun's metadata: the unit, or the commands (JSON lists of words).
    void host_display(std::ostream& y) {
        const auto& m = *meta_host_display_;
        y << "host_display:\n";
        if (auto unit = attr(m, "unit"); !unit.empty()) y << "  unit: " << yaml_scalar(unit) << "\n";
        for (auto [key, field] : {std::pair{"stop", "stop"}, std::pair{"start", "start"}, std::pair{"stop-units", "stop_units"}}) {
            auto words = nlohmann::json::parse(attr(m, key), nullptr, false);
            if (!words.is_array()) continue;
            y << "  " << field << ": [";
            for (size_t i = 0; i < words.size(); ++i)
                y << (i ? ", " : "") << yaml_scalar(words[i].is_string() ? words[i].get<std::string>() : words[i].dump());
            y << "]\n";
        }
        if (auto t = attr(m, "timeout"); !t.empty())
            y << "  timeout: " << (t.find_first_not_of("0123456789") == std::string::npos ? t : yaml_scalar(t)) << "\n";
    }

    // vmrun export's <metadata><vmrun:profile xmlns:vmrun='urn:vmrun:profile:1'>,
    // under whatever prefix libvirt kept for it.
    void read_metadata() {
        auto* md = child(d_, "metadata");
        if (!md) return;
        for (const auto& [tag, n] : *md) {
            bool ours = false;
            for (const auto& [k, v] : attributes(n))
                ours = ours || (k.rfind("xmlns", 0) == 0 && v.data() == kVmrunMetadataNamespace);
            if (!ours) {
                if (tag != "<xmlattr>") warn("<metadata><" + tag + ">: not carried over");
                continue;
            }
            for (const auto& [mtag, m] : n) {
                auto name = local_name(mtag);
                if (name == "<xmlattr>") continue;
                if (name == "create-bridge") create_bridge_.insert(attr(m, "nic"));
                else if (name == "forward") forwards_[attr(m, "nic")].push_back(text(m));
                else if (name == "hugepages") meta_hugepages_ = m;
                else if (name == "audio") meta_audio_ = m;
                else if (name == "host-display") meta_host_display_ = m;
                else meta_[name] = text(m);
            }
        }
    }

    bool meta(const std::string& key) const { return meta_.count(key) > 0; }

    // A <sound> and the <audio> it plays through (its own <audio id>, else the first);
    // vmrun's metadata, when there, keeps the profile's words (pipewire, user).
    std::string audio(const std::string& model, const std::map<std::string, const ptree*>& audio_by_id) {
        std::string out = "audio:\n";
        if (meta_audio_) {
            for (const char* k : {"backend", "user", "server", "cookie"})
                if (auto v = attr(*meta_audio_, k); !v.empty()) out += std::string("  ") + k + ": " + yaml_scalar(v) + "\n";
        } else {
            const ptree* a = audio_by_id.empty() ? nullptr : audio_by_id.begin()->second;
            auto type = a ? attr(*a, "type") : "none";
            if (type == "pulseaudio") {
                out += "  backend: pulseaudio\n";
                if (auto server = attr(*a, "serverName"); !server.empty()) out += "  server: " + yaml_scalar(server) + "\n";
                else warn("<audio type='pulseaudio'> without serverName: set audio.user to the desktop user whose server plays the guest");
            } else if (type == "alsa") {
                out += "  backend: alsa\n";
            } else {
                if (type != "none") warn("<audio type='" + type + "'>: vmrun plays through pipewire, pulseaudio or alsa; none here");
                out += "  backend: none\n";
            }
        }
        if (model == "ac97") out += "  model: ac97\n";
        for (const auto& [id, a] : audio_by_id)
            if (attr(*a, "type") == "alsa")
                if (auto dev = a->get<std::string>("output.<xmlattr>.dev", ""); !dev.empty()) out += "  device: " + yaml_scalar(dev) + "\n";
        return out;
    }

    void memory(std::ostringstream& y) {
        uint64_t kib = 0;
        if (auto* m = child(d_, "memory")) kib = kib_of(text(*m), attr(*m, "unit"));
        if (auto* c = child(d_, "currentMemory"); c && kib_of(text(*c), attr(*c, "unit")) != kib)
            warn("<currentMemory>: the guest starts with all of <memory>; 'vmrun balloon NAME SIZE' lowers it while it runs");
        y << "memory: " << size_text(kib) << "\n";
        if (meta_hugepages_) {
            y << "hugepages:\n";
            if (auto kib = number(attr(*meta_hugepages_, "size-kib", "0"))) y << "  size: " << size_text(kib) << "\n";
            if (auto path = attr(*meta_hugepages_, "path"); !path.empty()) y << "  path: " << yaml_scalar(path) << "\n";
            if (attr(*meta_hugepages_, "allocate") == "yes") y << "  allocate: true\n";
            if (attr(*meta_hugepages_, "size-kib", "0") == "0" && attr(*meta_hugepages_, "path").empty() &&
                attr(*meta_hugepages_, "allocate") != "yes")
                y << "  allocate: false\n";
        } else if (auto* mb = child(d_, "memoryBacking")) {
            for (const auto& [tag, n] : *mb) {
                if (tag != "hugepages") {
                    warn("<memoryBacking><" + tag + ">: not carried over");
                    continue;
                }
                if (auto* page = child(n, "page")) {
                    y << "hugepages:\n  size: " << size_text(kib_of(attr(*page, "size"), attr(*page, "unit", "KiB"))) << "\n";
                } else {
                    y << "hugepages: true\n";
                }
            }
        }
    }

    void cpu(std::ostringstream& y) {
        unsigned vcpus = number(d_.get<std::string>("vcpu", "1"));
        const ptree* c = child(d_, "cpu");
        const ptree* topology = c ? child(*c, "topology") : nullptr;
        if (topology)
            y << "smp:\n  sockets: " << attr(*topology, "sockets", "1") << "\n  cores: " << attr(*topology, "cores", "1")
              << "\n  threads: " << attr(*topology, "threads", "1") << "\n";
        else
            y << "smp: " << vcpus << "\n";

        std::vector<std::string> lines;
        std::string mode = c ? attr(*c, "mode", "custom") : "";
        if (mode == "host-passthrough") lines.push_back("model: host");
        else if (mode == "host-model") {
            lines.push_back("model: host");
            warn("<cpu mode='host-model'>: imported as model host (host-passthrough)");
        } else if (mode == "maximum") lines.push_back("model: max");
        else if (c && child(*c, "model")) lines.push_back("model: " + yaml_scalar(c->get<std::string>("model")));

        const ptree* features = child(d_, "features");
        if (features) {
            if (auto* kvm = child(*features, "kvm")) {
                for (const auto& [tag, n] : *kvm) {
                    if (tag == "hidden" && attr(n, "state") == "on") lines.push_back("hide_kvm: true");
                    else if (tag != "<xmlattr>") warn("<features><kvm><" + tag + ">: not carried over");
                }
            }
            if (auto* hv = child(*features, "hyperv")) hyperv(*hv, lines);
            static const std::set<std::string> quiet = {"acpi", "apic", "pae", "hyperv", "kvm", "smm", "<xmlattr>"};
            for (const auto& [tag, n] : *features)
                if (!quiet.count(tag)) warn("<features><" + tag + ">: not carried over");
        }
        std::vector<std::string> flags;
        if (c)
            for (const auto& [tag, n] : *c) {
                if (tag == "feature") {
                    auto policy = attr(n, "policy", "require");
                    if (policy == "require" || policy == "force") flags.push_back("+" + attr(n, "name"));
                    else if (policy == "disable" || policy == "forbid") flags.push_back("-" + attr(n, "name"));
                    else warn("<cpu><feature policy='" + policy + "' name='" + attr(n, "name") + "'>: not carried over");
                } else if (tag != "model" && tag != "topology" && tag != "<xmlattr>" && tag != "vendor") {
                    warn("<cpu><" + tag + ">: not carried over");
                }
            }
        if (!flags.empty()) {
            std::string list;
            for (const auto& f : flags) list += (list.empty() ? "" : ", ") + yaml_scalar(f);
            lines.push_back("flags: [" + list + "]");
        }
        pinning(lines, vcpus);
        if (!lines.empty()) {
            y << "cpu:\n";
            for (const auto& l : lines) y << "  " << l << "\n";
        }
    }

    // vmrun's hyperv: true is one set; anything else is named.
    void hyperv(const ptree& hv, std::vector<std::string>& lines) {
        static const std::set<std::string> vmrun_set = {"relaxed", "vapic", "spinlocks", "vpindex", "synic", "stimer", "reset", "frequencies"};
        std::set<std::string> on;
        for (const auto& [tag, n] : hv) {
            if (tag == "<xmlattr>") continue;
            if (tag == "vendor_id") {
                if (attr(n, "state") == "on") lines.push_back("hv_vendor_id: " + yaml_scalar(attr(n, "value")));
                continue;
            }
            if (attr(n, "state", "on") != "on") continue;
            if (vmrun_set.count(tag)) on.insert(tag);
            else warn("<hyperv><" + tag + ">: not in vmrun's Hyper-V set; not carried over");
        }
        if (on.empty()) return;
        lines.push_back("hyperv: true");
        for (const auto& f : vmrun_set)
            if (!on.count(f)) warn("<hyperv>: vmrun's hyperv: true also turns on " + f);
    }

    void pinning(std::vector<std::string>& lines, unsigned vcpus) {
        auto* tune = child(d_, "cputune");
        if (!tune) return;
        std::map<unsigned, int> pins;
        std::string emulator;
        for (const auto& [tag, n] : *tune) {
            if (tag == "vcpupin") {
                auto cpus = parse_cpu_list(attr(n, "cpuset"));
                if (!cpus || cpus->size() != 1) {
                    warn("<vcpupin vcpu='" + attr(n, "vcpu") + "' cpuset='" + attr(n, "cpuset") +
                         "'>: vmrun pins a vCPU to one host CPU; pinning not carried over");
                    return;
                }
                pins[number(attr(n, "vcpu"))] = cpus->front();
            } else if (tag == "emulatorpin") {
                emulator = attr(n, "cpuset");
            } else if (tag != "<xmlattr>") {
                warn("<cputune><" + tag + ">: not carried over");
            }
        }
        std::string pin;
        if (!pins.empty()) {
            if (pins.size() != vcpus || pins.rbegin()->first != vcpus - 1) {
                warn("<cputune>: vmrun pins every vCPU or none; pinning not carried over");
                return;
            }
            std::string list;
            for (const auto& [v, cpu] : pins) list += (list.empty() ? "" : ", ") + std::to_string(cpu);
            pin += "    vcpus: [" + list + "]\n";
        }
        if (!emulator.empty()) {
            auto cpus = parse_cpu_list(emulator);
            if (cpus) {
                std::string list;
                for (int cpu : *cpus) list += (list.empty() ? "" : ", ") + std::to_string(cpu);
                pin += "    emulator: [" + list + "]\n";
            }
        }
        if (!pin.empty()) lines.push_back("pin:\n" + pin.substr(0, pin.size() - 1));
    }

    void clock(std::ostringstream& y) {
        auto* c = child(d_, "clock");
        if (!c) return;
        if (attr(*c, "offset") == "localtime") y << "rtc: localtime\n";
        else if (attr(*c, "offset", "utc") != "utc") warn("<clock offset='" + attr(*c, "offset") + "'>: vmrun has utc and localtime; utc");
        for (const auto& [tag, n] : *c)
            if (tag == "timer" && attr(n, "name") != "hypervclock") {
                std::string what;
                for (const auto& [k, v] : attributes(n)) what += " " + k + "='" + v.data() + "'";
                warn("<clock><timer" + what + ">: QEMU's default is kept");
            }
    }

    void os(std::ostringstream& y) {
        auto* o = child(d_, "os");
        if (!o) return;
        auto machine = o->get<std::string>("type.<xmlattr>.machine", "q35");
        if (machine.find("q35") == std::string::npos) warn("<os><type machine='" + machine + "'>: vmrun runs q35 only");
        if (auto arch = o->get<std::string>("type.<xmlattr>.arch", "x86_64"); arch != "x86_64")
            warn("<os><type arch='" + arch + "'>: vmrun runs x86_64 guests only");
        std::string boot_order, firmware;
        bool menu = false;
        std::vector<std::string> kernel;
        for (const auto& [tag, n] : *o) {
            if (tag == "loader") {
                firmware += "  code: " + yaml_scalar(text(n)) + "\n";
                if (attr(n, "secure") == "yes") firmware += "  secure_boot: true\n";
            } else if (tag == "nvram") {
                if (auto t = attr(n, "template"); !t.empty()) firmware += "  vars_template: " + yaml_scalar(t) + "\n";
                auto own = "/var/lib/vmrun/" + d_.get<std::string>("name", "") + "/OVMF_VARS.fd";
                if (!text(n).empty() && text(n) != own)
                    warn("<nvram>" + text(n) + "</nvram>: vmrun keeps the guest's variables in its state folder "
                         "(/var/lib/vmrun/NAME/OVMF_VARS.fd); copy this file there to keep the boot entries");
            } else if (tag == "boot") {
                auto dev = attr(n, "dev");
                char letter = dev == "hd" ? 'c' : dev == "cdrom" ? 'd' : dev == "network" ? 'n' : dev == "fd" ? 'a' : 0;
                if (letter) boot_order += letter;
            } else if (tag == "bootmenu") {
                menu = attr(n, "enable") == "yes";
            } else if (tag == "kernel" || tag == "initrd" || tag == "cmdline") {
                kernel.push_back("  " + (tag == "kernel" ? std::string("image") : tag) + ": " + yaml_scalar(text(n)));
            } else if (tag == "smbios") {
                smbios_host_ = attr(n, "mode") == "host";
            } else if (tag != "type" && tag != "<xmlattr>") {
                warn("<os><" + tag + ">: not carried over");
            }
        }
        bool efi = attr(*o, "firmware") == "efi" || !firmware.empty();
        if (meta("reset-nvram")) firmware += "  reset_nvram: true\n";
        if (efi) {
            y << "firmware:\n  type: ovmf\n" << firmware;
            if (firmware.empty()) warn("<os firmware='efi'>: vmrun's default OVMF files");
        }
        if (boot_order == "c") {
            // What libvirt writes when nothing was asked; QEMU's own order starts with the disk too.
            warn("<os><boot dev='hd'/> alone (libvirt's default): QEMU's default boot order (disk first) is kept");
            boot_order.clear();
        }
        if (menu || (!boot_order.empty() && !any_disk_boot_order())) {
            y << "boot:\n";
            if (menu) y << "  menu: true\n";
            if (!boot_order.empty() && !any_disk_boot_order())
                y << "  order: " << boot_order << "\n";
            else if (!boot_order.empty())
                warn("<os><boot dev>: the disks' <boot order> decide (vmrun takes one or the other)");
        }
        if (!kernel.empty()) {
            y << "kernel:\n";
            for (const auto& k : kernel) y << k << "\n";
        }
        smbios(y);
    }

    bool any_disk_boot_order() const {
        if (auto* devs = child(d_, "devices"))
            for (const auto& [tag, n] : *devs)
                if (tag == "disk" && child(n, "boot")) return true;
        return false;
    }

    void smbios(std::ostringstream& y) {
        static const std::map<std::string, int> kTypes = {{"bios", 0}, {"system", 1}, {"baseBoard", 2}, {"chassis", 3}};
        std::string body;
        if (auto* s = child(d_, "sysinfo"))
            for (const auto& [tag, n] : *s) {
                if (tag == "<xmlattr>") continue;
                auto type = kTypes.find(tag);
                if (type == kTypes.end()) {
                    warn("<sysinfo><" + tag + ">: not carried over");
                    continue;
                }
                std::string fields;
                for (const auto& [etag, e] : n)
                    if (etag == "entry") fields += (fields.empty() ? "" : ", ") + attr(e, "name") + ": " + yaml_scalar(text(e));
                if (!fields.empty()) body += "  type" + std::to_string(type->second) + ": {" + fields + "}\n";
            }
        if (smbios_host_ && body.empty()) y << "smbios: host\n";
        else if (!body.empty()) y << "smbios:\n" << (smbios_host_ ? "  host: true\n" : "") << body;
    }

    // <qemu:commandline> and <qemu:override>: x-vga, vmrun's own NVMe disks
    // and ACPI tables are recognised; the rest stays QEMU arguments.
    void read_qemu_extras() {
        std::vector<std::string> args;
        if (auto* cl = child(d_, "qemu:commandline"))
            for (const auto& [tag, n] : *cl) {
                if (tag == "qemu:arg") args.push_back(attr(n, "value"));
                else if (tag == "qemu:env") warn("<qemu:env name='" + attr(n, "name") + "'>: not carried over");
            }
        for (size_t i = 0; i < args.size(); ++i) {
            const auto& a = args[i];
            bool has_next = i + 1 < args.size();
            const std::string prefix = "device.", suffix = ".x-vga=on";
            if (a == "-set" && has_next && args[i + 1].size() > prefix.size() + suffix.size() &&
                args[i + 1].rfind(prefix, 0) == 0 &&
                args[i + 1].compare(args[i + 1].size() - suffix.size(), suffix.size(), suffix) == 0) {
                // -set device.ALIAS.x-vga=on, as the VFIO guides write it for libvirt
                auto v = args[i + 1];
                x_vga_aliases_.insert(v.substr(prefix.size(), v.size() - prefix.size() - suffix.size()));
                ++i;
            } else if (a == "-acpitable" && has_next && args[i + 1].rfind("file=", 0) == 0) {
                acpi_tables_.push_back(parse_option(args[i + 1]).props.front().second);
                ++i;
            } else if (a == "-drive" && i + 3 < args.size() && args[i + 2] == "-device" && args[i + 3].rfind("nvme,", 0) == 0 &&
                       nvme_disk(args[i + 1], args[i + 3])) {
                i += 3;
            } else {
                extra_args_.push_back(a);
            }
        }
        if (auto* ov = child(d_, "qemu:override"))
            for (const auto& [tag, dev] : *ov) {
                if (tag != "qemu:device") continue;
                auto alias = attr(dev, "alias");
                for (const auto& [ftag, fe] : dev)
                    for (const auto& [ptag, p] : fe) {
                        if (ptag != "qemu:property") continue;
                        if (attr(p, "name") == "x-vga" && attr(p, "value") == "true") x_vga_aliases_.insert(alias);
                        else warn("<qemu:override> " + alias + " " + attr(p, "name") + "=" + attr(p, "value") + ": not carried over");
                    }
            }
    }

    // '-drive if=none,id=drive-X,file=...' + '-device nvme,drive=drive-X,id=X,...' as vmrun export writes them.
    bool nvme_disk(const std::string& drive, const std::string& device) {
        std::map<std::string, std::string> dr, dev;
        for (auto& [k, v] : parse_option(drive).props) dr[k] = v;
        for (auto& [k, v] : parse_option(device).props) dev[k] = v;
        if (dr["if"] != "none" || dr["id"].empty() || dev["drive"] != dr["id"] || dr["file"].empty()) return false;
        Item disk;
        if (!dev["id"].empty()) disk.text("id", dev["id"]);
        disk.text("path", dr["file"]);
        if (!dr["format"].empty()) disk.add("format", dr["format"]);
        disk.add("bus", "nvme");
        if (!dr["cache"].empty()) disk.add("cache", dr["cache"]);
        if (!dr["aio"].empty()) disk.add("aio", dr["aio"]);
        if (dr["readonly"] == "on") disk.add("readonly", "true");
        if (!dev["bootindex"].empty()) disk.add("boot_index", dev["bootindex"]);
        nvme_disks_.push_back(disk);
        return true;
    }

    void devices(std::ostringstream& y) {
        auto* devs = child(d_, "devices");
        if (!devs) return;
        std::vector<Item> disks, nics, passthrough, usb;
        std::map<unsigned, std::string> root_ports;  // controller index -> model
        std::set<unsigned> buses_used;
        std::string display, tpm, looking_glass, sound_model;
        std::map<std::string, const ptree*> audio_by_id;
        std::vector<Item> inputs;
        std::string toggle;
        int virtio_inputs = 0;
        bool balloon = false;
        int hostdev_index = 0;
        for (const auto& [tag, n] : *devs) {
            if (auto* a = child(n, "address"); a && attr(*a, "type") == "pci") buses_used.insert(number(attr(*a, "bus")));
            if (tag == "controller") {
                controller(n, root_ports);
            } else if (tag == "disk") {
                if (auto item = disk(n)) disks.push_back(*item);
            } else if (tag == "interface") {
                if (auto item = interface(n, passthrough)) nics.push_back(*item);
            } else if (tag == "hostdev") {
                std::string libvirt_alias = "hostdev" + std::to_string(hostdev_index++);
                hostdev(n, libvirt_alias, passthrough, usb);
            } else if (tag == "graphics") {
                if (display.empty()) display = graphics(n);
                else warn("a second <graphics>: vmrun has one display");
            } else if (tag == "video") {
                video(n);
            } else if (tag == "tpm") {
                auto model = attr(n, "model", "tpm-crb");
                if (n.get<std::string>("backend.<xmlattr>.type", "") != "emulator")
                    warn("<tpm> with a passthrough backend: vmrun runs swtpm instead");
                tpm = model == "tpm-tis" ? "tis" : "crb";
            } else if (tag == "shmem" && n.get<std::string>("model.<xmlattr>.type", "ivshmem-plain") == "ivshmem-plain" &&
                       attr(n, "name").rfind("looking-glass", 0) == 0) {
                auto* size = child(n, "size");
                looking_glass = "looking_glass:\n  size: " +
                                size_text(size ? kib_of(text(*size), attr(*size, "unit", "M")) : 32 << 10) + "\n";
                if (meta("looking-glass-owner")) looking_glass += "  owner: " + yaml_scalar(meta_.at("looking-glass-owner")) + "\n";
            } else if (tag == "memballoon") {
                balloon = attr(n, "model") == "virtio";
            } else if (tag == "emulator" || tag == "serial" || tag == "console" || tag == "<xmlattr>") {
                // vmrun runs qemu-system-x86_64 and gives the guest its own console socket.
            } else if (tag == "sound") {
                if (!sound_model.empty()) warn("a second <sound>: vmrun gives the guest one sound card");
                else if (attr(n, "model") == "ich9" || attr(n, "model") == "ac97") sound_model = attr(n, "model");
                else warn("<sound model='" + attr(n, "model") + "'>: vmrun has ich9 and ac97; not carried over");
            } else if (tag == "audio") {
                audio_by_id[attr(n, "id", "1")] = &n;
            } else if (tag == "input" && attr(n, "bus") == "ps2") {
                // q35 has the PS/2 keyboard and mouse by itself.
            } else if (tag == "input" && attr(n, "type") == "evdev") {
                evdev_input(n, inputs, toggle);
            } else if (tag == "input" && attr(n, "bus") == "virtio" && (attr(n, "type") == "keyboard" || attr(n, "type") == "mouse")) {
                ++virtio_inputs;  // vmrun adds both with the evdev inputs
            } else {
                warn("<" + tag + (attr(n, "type").empty() ? "" : " type='" + attr(n, "type") + "'") +
                     (attr(n, "model").empty() ? "" : " model='" + attr(n, "model") + "'") + ">: not carried over");
            }
        }
        for (const auto& d : nvme_disks_) disks.push_back(d);
        if (meta("disk-order")) {
            std::istringstream ids(meta_.at("disk-order"));
            std::vector<std::string> order{std::istream_iterator<std::string>(ids), {}};
            auto rank = [&](const Item& i) {
                for (const auto& [k, v] : i.fields)
                    if (k == "id") return size_t(std::find(order.begin(), order.end(), v) - order.begin());
                return order.size();
            };
            std::stable_sort(disks.begin(), disks.end(), [&](const Item& a, const Item& b) { return rank(a) < rank(b); });
        }
        if (tpm == "crb" && !meta("tpm-reset")) y << "tpm: true\n";
        else if (!tpm.empty()) y << "tpm:\n  model: " << tpm << "\n" << (meta("tpm-reset") ? "  reset: true\n" : "");
        y << looking_glass;
        if (!sound_model.empty()) y << audio(sound_model, audio_by_id);
        if (balloon) y << "balloon: true\n";
        auto list = [&](const char* key, const std::vector<Item>& items) {
            if (items.empty()) return;
            y << key << ":\n";
            for (const auto& i : items) y << i.str();
        };
        list("input", inputs);
        if (!toggle.empty()) y << "input_toggle: " << toggle << "\n";
        if (virtio_inputs && inputs.empty())
            warn("<input bus='virtio'> without an <input type='evdev'>: vmrun adds a virtio keyboard and mouse only with 'input'");
        list("disks", disks);
        list("network", nics);
        list("passthrough", passthrough);
        list("usb", usb);
        if (!root_ports.empty()) {
            int spare = 0;
            std::set<std::string> models;
            for (const auto& [index, model] : root_ports) {
                models.insert(model);
                if (!buses_used.count(index)) ++spare;
            }
            y << "root_ports:\n  model: " << (models.size() == 1 ? *models.begin() : "pcie-root-port") << "\n"
              << "  spare: " << std::min(spare, 32) << "\n";
            if (meta("hotplug")) y << "  hotplug: " << meta_.at("hotplug") << "\n";
        }
        if (meta("display")) display = "  type: " + meta_.at("display") + "\n";
        if (!display.empty() || !video_.empty()) {
            if (display.empty()) display = "  type: none\n";
            y << "display:\n" << display;
            if (!video_.empty()) y << "  vga: " << video_ << "\n";
        }
    }

    // <input type='evdev'><source dev grab='all' repeat='on' grabToggle/>: an input item.
    void evdev_input(const ptree& n, std::vector<Item>& inputs, std::string& toggle) {
        auto* src = child(n, "source");
        if (!src || attr(*src, "dev").empty()) {
            warn("<input type='evdev'> without <source dev>: not carried over");
            return;
        }
        Item item;
        item.text("evdev", attr(*src, "dev"));
        if (attr(*src, "grab") == "all") item.fields.push_back({"grab_all", "true"});
        if (attr(*src, "repeat") == "on") item.fields.push_back({"repeat", "true"});
        inputs.push_back(item);
        if (auto t = attr(*src, "grabToggle"); !t.empty()) {
            if (!toggle.empty() && toggle != t) warn("<input type='evdev'> grabToggle='" + t + "': vmrun has one toggle for all; '" + toggle + "' kept");
            else toggle = t;
        }
    }

    void controller(const ptree& n, std::map<unsigned, std::string>& root_ports) {
        auto type = attr(n, "type"), model = attr(n, "model");
        if (type == "pci" && model == "pcie-root-port") {
            root_ports[number(attr(n, "index"))] = n.get<std::string>("model.<xmlattr>.name", "pcie-root-port") == "ioh3420"
                                                        ? "ioh3420"
                                                        : "pcie-root-port";
            return;
        }
        // vmrun adds these itself when a device needs them.
        if (type == "pci" && model == "pcie-root") return;
        if (type == "usb" && (model == "qemu-xhci" || model == "none" || model == "nec-xhci")) return;
        if (type == "sata" || (type == "scsi" && model == "virtio-scsi")) return;
        warn("<controller type='" + type + "'" + (model.empty() ? "" : " model='" + model + "'") + ">: not carried over");
    }

    std::optional<Item> disk(const ptree& n) {
        auto type = attr(n, "type"), device = attr(n, "device", "disk");
        auto path = n.get<std::string>("source.<xmlattr>." + std::string(type == "block" ? "dev" : "file"), "");
        auto target = n.get<std::string>("target.<xmlattr>.dev", "?");
        if ((type != "file" && type != "block") || (device != "disk" && device != "cdrom")) {
            warn("<disk type='" + type + "' device='" + device + "'> " + target + ": vmrun takes files and block devices as disks and CD-ROMs; not carried over");
            return std::nullopt;
        }
        if (path.empty()) {
            warn("<disk> " + target + " has no source (an empty CD-ROM drive): not carried over");
            return std::nullopt;
        }
        Item item;
        if (auto id = id_of(n); !id.empty()) item.text("id", id);
        item.text("path", path);
        if (device == "cdrom") item.add("media", "cdrom");
        auto format = n.get<std::string>("driver.<xmlattr>.type", "raw");
        if (format == "raw" || format == "qcow2") item.add("format", format);
        else warn("<disk> " + target + ": format " + format + " is not one vmrun opens (raw, qcow2); written as raw");
        auto bus = n.get<std::string>("target.<xmlattr>.bus", "virtio");
        if (bus == "virtio") item.add("bus", "virtio");
        else if (bus == "scsi") item.add("bus", "virtio-scsi");
        else if (bus == "sata" || bus == "ide") item.add("bus", "sata");
        else warn("<disk> " + target + ": bus " + bus + " is not one of vmrun's; it gets vmrun's default");
        if (auto cache = n.get<std::string>("driver.<xmlattr>.cache", ""); !cache.empty() && cache != "default") item.add("cache", cache);
        if (auto io = n.get<std::string>("driver.<xmlattr>.io", ""); !io.empty() && io != "default") item.add("aio", io);
        if (child(n, "readonly") && device != "cdrom") item.add("readonly", "true");
        if (auto order = n.get<std::string>("boot.<xmlattr>.order", ""); !order.empty()) item.add("boot_index", order);
        for (const char* other : {"shareable", "serial", "iotune", "encryption", "blockio"})
            if (child(n, other)) warn("<disk> " + target + " <" + other + ">: not carried over");
        return item;
    }

    std::optional<Item> interface(const ptree& n, std::vector<Item>& passthrough) {
        auto type = attr(n, "type");
        auto mac = n.get<std::string>("mac.<xmlattr>.address", "");
        Item item;
        if (auto id = id_of(n); !id.empty()) item.text("id", id);
        if (type == "bridge") {
            item.add("type", "tap");
            item.text("bridge", n.get<std::string>("source.<xmlattr>.bridge", ""));
            auto tap = n.get<std::string>("target.<xmlattr>.dev", "");
            // libvirt's own names (vnetN) are handed out at start; vmrun picks its own.
            if (!tap.empty() && tap.rfind("vnet", 0) != 0) item.text("tap", tap);
        } else if (type == "user") {
            item.add("type", "user");
        } else if (type == "network") {
            item.add("type", "user");
            warn("<interface type='network'> (libvirt network '" + n.get<std::string>("source.<xmlattr>.network", "") +
                 "'): vmrun has no libvirt networks; imported as user networking (use type: tap with its bridge, e.g. virbr0, instead)");
        } else if (type == "hostdev") {
            Item vf;
            if (auto* a = child(n, "source.address")) vf.text("host", pci_address_text(*a));
            if (auto id = id_of(n); !id.empty()) vf.text("id", id);
            passthrough.push_back(vf);
            if (!mac.empty()) warn("<interface type='hostdev'> mac " + mac + ": set it with mac: on a pf/vf item");
            return std::nullopt;
        } else {
            warn("<interface type='" + type + "'>: not carried over");
            return std::nullopt;
        }
        if (!mac.empty()) item.add("mac", mac);
        auto id = id_of(n);
        if (create_bridge_.count(id) && type == "bridge") item.add("create_bridge", "true");
        if (auto f = forwards_.find(id); f != forwards_.end() && type == "user") {
            std::string list;
            for (const auto& fw : f->second) list += (list.empty() ? "" : ", ") + yaml_scalar(fw);
            item.add("forwards", "[" + list + "]");
        }
        auto model = n.get<std::string>("model.<xmlattr>.type", "virtio");
        if (model == "virtio" || model == "e1000e" || model == "e1000") item.add("model", model);
        else warn("<interface> model " + model + ": vmrun has virtio, e1000e and e1000; virtio");
        return item;
    }

    void hostdev(const ptree& n, const std::string& libvirt_alias, std::vector<Item>& passthrough, std::vector<Item>& usb) {
        auto type = attr(n, "type");
        auto alias = n.get<std::string>("alias.<xmlattr>.name", libvirt_alias);
        Item item;
        if (type == "pci") {
            auto* src = child(n, "source.address");
            if (!src) {
                warn("<hostdev type='pci'> without a source address: not carried over");
                return;
            }
            item.text("host", pci_address_text(*src));
            if (auto id = id_of(n); !id.empty()) item.text("id", id);
            if (x_vga_aliases_.count(alias)) item.add("x_vga", "true");
            if (auto* rom = child(n, "rom")) {
                if (auto bar = attr(*rom, "bar"); !bar.empty()) item.add("rombar", bar == "on" ? "true" : "false");
                if (auto file = attr(*rom, "file"); !file.empty()) item.text("romfile", file);
            }
            if (auto* a = child(n, "address"); a && number(attr(*a, "bus")) == 0)
                item.text("guest_address", hex2(number(attr(*a, "slot"))) + "." + std::to_string(number(attr(*a, "function"))));
            if (attr(n, "managed", "no") != "yes")
                warn("<hostdev> " + pci_address_text(*src) + " managed='no': vmrun binds it to vfio-pci itself (and gives it back)");
            passthrough.push_back(item);
        } else if (type == "usb") {
            std::string host;
            if (auto* v = child(n, "source.vendor")) {
                char buf[16];
                std::snprintf(buf, sizeof buf, "%04x:%04x", number(attr(*v, "id")), number(n.get<std::string>("source.product.<xmlattr>.id", "0")));
                host = buf;
            } else if (auto* a = child(n, "source.address")) {
                host = std::to_string(number(attr(*a, "bus"))) + "." + std::to_string(number(attr(*a, "device")));
            }
            item.text("host", host);
            if (auto id = id_of(n); !id.empty()) item.text("id", id);
            usb.push_back(item);
        } else {
            warn("<hostdev type='" + type + "'>: not carried over");
        }
    }

    std::string graphics(const ptree& n) {
        auto type = attr(n, "type");
        if (type != "vnc" && type != "spice") {
            warn("<graphics type='" + type + "'>: vmrun has vnc, spice and gtk; not carried over");
            return "";
        }
        auto address = n.get<std::string>("listen.<xmlattr>.address", attr(n, "listen", "127.0.0.1"));
        auto port = attr(n, "port");
        std::string out = "  type: " + type + "\n";
        if (attr(n, "autoport") == "yes" || port.empty() || port == "-1")
            warn("<graphics type='" + type + "' autoport='yes'>: vmrun's default port (5900 vnc, 5930 spice)");
        else
            out += "  listen: " + yaml_scalar(address + ":" + port) + "\n";
        return out;
    }

    void video(const ptree& n) {
        auto model = n.get<std::string>("model.<xmlattr>.type", "none");
        if (model == "none") video_ = "none";
        else if (model == "vga") video_ = "std";
        else if (model == "virtio" || model == "qxl") video_ = model;
        else {
            video_ = "std";
            warn("<video><model type='" + model + "'>: imported as std");
        }
    }

    void unknown_top_level() {
        static const std::set<std::string> known = {"<xmlattr>", "name", "uuid", "title", "description", "memory", "currentMemory",
                                                    "memoryBacking", "vcpu", "cputune", "cpu", "features", "clock", "os",
                                                    "sysinfo", "devices", "qemu:commandline", "qemu:override", "metadata"};
        for (const auto& [tag, n] : d_) {
            if (known.count(tag)) continue;
            if ((tag == "on_poweroff" && text(n) == "destroy") || (tag == "on_reboot" && text(n) == "restart") ||
                (tag == "on_crash" && text(n) == "destroy"))
                continue;  // what vmrun does
            if (tag == "<xmlcomment>") continue;
            warn("<" + tag + ">" + (text(n).empty() ? "" : text(n) + "</" + tag + ">") + ": not carried over");
        }
        if (auto uuid = d_.get<std::string>("uuid", ""); !uuid.empty()) {
            bool in_sysinfo = false;
            if (auto* s = child(d_, "sysinfo.system"))
                for (const auto& [tag, e] : *s)
                    if (tag == "entry" && attr(e, "name") == "uuid") in_sysinfo = true;
            if (!in_sysinfo) warn("<uuid>" + uuid + "</uuid>: set smbios type1 uuid to keep it for the guest");
        }
    }

    const ptree& d_;
    std::map<std::string, std::string> meta_;
    std::optional<ptree> meta_hugepages_, meta_audio_, meta_host_display_;
    std::set<std::string> create_bridge_;
    std::map<std::string, std::vector<std::string>> forwards_;
    std::vector<std::string> warnings_, extra_args_, acpi_tables_;
    std::set<std::string> x_vga_aliases_;
    std::vector<Item> nvme_disks_;
    std::string video_;
    bool smbios_host_ = false;
};

}  // namespace

LibvirtImport import_libvirt_domain(const std::string& xml, const std::string& source) {
    ptree tree;
    try {
        std::istringstream in(xml);
        boost::property_tree::read_xml(in, tree, boost::property_tree::xml_parser::trim_whitespace);
    } catch (const boost::property_tree::xml_parser_error& e) {
        return {"", {}, source + ":" + std::to_string(e.line()) + ": not XML: " + e.message()};
    }
    auto domain = tree.get_child_optional("domain");
    if (!domain) return {"", {}, source + ": not a libvirt domain (no <domain> element at the top)"};
    if (domain->get<std::string>("name", "").empty()) return {"", {}, source + ": the domain has no <name>"};
    return Importer(*domain).run(source);
}

}  // namespace vmrun
