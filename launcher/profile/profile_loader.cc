#include "profile/profile_loader.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>

#include "base/utf8.h"

#include "profile/profile_schema.h"
#include "profile/smbios_fields.h"
#include "profile/value_parsers.h"
#include "profile/yaml_reader.h"

namespace vmrun {

namespace {

class Loader {
public:
    Loader(Profile& p, Diagnostics& d, std::string base_dir) : p_(p), d_(d), base_dir_(std::move(base_dir)) {}

    void root(const YAML::Node& root) {
        MapReader r(root, "the profile", d_);
        if (!r.ok()) return;
        p_.at.set("", loc_of(root));
        auto remember = [&](const std::string& key) { p_.at.set(key, r.key_loc(key)); };
        // The keys whose rows read them (true/false, numbers, fixed choices).
        for (const auto& section : profile_schema()) {
            if (section.id != "top") continue;
            for (const auto& row : section.keys)
                if (row.read)
                    if (auto n = r.get(row.key)) {
                        remember(row.key);
                        row.read(*n, row.key, p_, d_);
                    }
        }

        if (auto n = r.get("name")) {
            remember("name");
            if (auto s = read_string(*n, "name", d_)) {
                if (is_safe_name(*s)) p_.name = *s;
                else d_.error(loc_of(*n), "'name' may use letters, digits, '-', '_' and '.' (at most 64, not starting with '.' or '-'), got '" + *s + "'");
            }
        } else if (!r.has("name")) {
            d_.error(loc_of(root), "the profile needs 'name', e.g. name: win10");
        }
        if (auto n = r.get("memory")) {
            remember("memory");
            if (auto s = read_string(*n, "memory", d_)) {
                auto m = parse_memory_mib(*s);
                if (m.value) p_.memory_mib = *m.value;
                else d_.error(loc_of(*n), "'memory': " + m.error + ", got '" + *s + "'");
            }
        } else if (!r.has("memory")) {
            d_.error(loc_of(root), "the profile needs 'memory', e.g. memory: 4G");
        }
        if (auto n = r.get("hugepages")) {
            remember("hugepages");
            hugepages(*n);
        }
        if (auto n = r.get("smp")) { remember("smp"); smp(*n); }
        if (auto n = r.get("cpu")) { remember("cpu"); cpu(*n); }
        if (auto n = r.get("boot")) { remember("boot"); boot(*n); }
        if (auto n = r.get("firmware")) { remember("firmware"); firmware(*n); }
        if (auto n = r.get("tpm")) { remember("tpm"); tpm(*n); }
        if (auto n = r.get("kernel")) { remember("kernel"); kernel(*n); }
        if (auto n = r.get("disks")) { remember("disks"); each(*n, "disks", [&](auto& item) { disk(item); }); }
        if (auto n = r.get("network")) { remember("network"); each(*n, "network", [&](auto& item) { nic(item); }); }
        if (auto n = r.get("passthrough")) { remember("passthrough"); each(*n, "passthrough", [&](auto& item) { passthrough(item); }); }
        if (auto n = r.get("usb")) { remember("usb"); each(*n, "usb", [&](auto& item) { usb(item); }); }
        if (auto n = r.get("shared_folders")) {
            remember("shared_folders");
            each(*n, "shared_folders", [&](auto& item) { shared_folder(item); });
        }
        if (auto n = r.get("root_ports")) { remember("root_ports"); root_ports(*n); }
        if (auto n = r.get("display")) { remember("display"); display(*n); }
        if (auto n = r.get("smbios")) { remember("smbios"); smbios(*n); }
        if (auto n = r.get("acpi_tables")) {
            remember("acpi_tables");
            if (auto l = read_string_list(*n, "acpi_tables", d_))
                for (size_t i = 0; i < l->size(); ++i) {
                    if ((*l)[i].empty()) d_.error(loc_of((*n)[i]), "an ACPI table is the path of a table file, like /sys/firmware/acpi/tables/MSDM");
                    // QEMU's -acpitable file= is a colon-separated list: one path would become two files.
                    else if ((*l)[i].find(':') != std::string::npos)
                        d_.error(loc_of((*n)[i]), "an ACPI table's path cannot hold ':' (QEMU would read it as two files); copy or "
                                                  "link the table to a name without one, got '" + (*l)[i] + "'");
                    else p_.acpi_tables.push_back(path((*l)[i]));
                }
        }
        if (auto n = r.get("looking_glass")) { remember("looking_glass"); looking_glass(*n); }
        if (auto n = r.get("audio")) { remember("audio"); audio(*n); }
        if (auto n = r.get("host_display")) { remember("host_display"); host_display(*n); }
        if (auto n = r.get("input")) { remember("input"); each(*n, "input", [&](auto& item) { input(item); }); }
        if (auto n = r.get("run_as")) {
            remember("run_as");
            if (auto v = read_string(*n, "run_as", d_)) {
                if (is_safe_name(*v)) p_.run_as = *v;
                else d_.error(loc_of(*n), "'run_as' must be a user name, got '" + *v + "'");
            }
        }
        if (auto n = r.get("qemu_extra_args")) {
            remember("qemu_extra_args");
            if (auto l = read_string_list(*n, "qemu_extra_args", d_)) p_.qemu_extra_args = *l;
        }
        r.finish();
    }

private:
    template <typename F>
    void each(const YAML::Node& n, const std::string& key, F&& f) {
        if (!n.IsSequence()) {
            d_.error(loc_of(n), "'" + key + "' must be a list (items start with '- '), got " + describe_kind(n));
            return;
        }
        for (const auto& item : n) f(item);
    }

    std::string path(const std::string& p) const {
        if (p.empty() || p[0] == '/' || base_dir_.empty()) return p;
        // Lexical only: the file need not exist yet, and no I/O happens here.
        return (std::filesystem::path(base_dir_) / p).lexically_normal().string();
    }

    // hugepages: true | false | /a/hugetlbfs/mount | {size: 2M | 1G, allocate: bool, path: /mount}
    void hugepages(const YAML::Node& n) {
        if (n.IsScalar() && !n.Scalar().empty() && n.Scalar()[0] == '/') {
            p_.hugepages = Hugepages{0, n.Scalar(), false};
            return;
        }
        if (n.IsScalar()) {
            Diagnostics probe;
            if (auto b = read_bool(n, "hugepages", probe)) {
                if (*b) p_.hugepages = Hugepages{};
                return;
            }
        }
        if (!n.IsMap()) {
            d_.error(loc_of(n), "'hugepages' is true, false, a hugetlbfs mount path (like /dev/hugepages1G) or a mapping "
                                "like {size: 1G, allocate: true}; got " + describe_kind(n));
            return;
        }
        MapReader r(n, "'hugepages'", d_);
        if (!r.ok()) return;
        Hugepages h;
        if (auto v = r.get("size")) {
            p_.at.set("hugepages.size", loc_of(*v));
            if (auto s = read_string(*v, "size", d_)) {
                if (*s == "2M" || *s == "2MiB") h.page_kib = 2048;
                else if (*s == "1G" || *s == "1GiB") h.page_kib = 1048576;
                else d_.error(loc_of(*v), "'size' is a huge page size of x86-64: 2M or 1G; got '" + printable(*s) + "'");
            }
        }
        if (auto v = r.get("allocate")) {
            p_.at.set("hugepages.allocate", loc_of(*v));
            if (auto b = read_bool(*v, "allocate", d_)) h.allocate = *b;
        }
        if (auto v = r.get("path")) {
            p_.at.set("hugepages.path", loc_of(*v));
            if (auto s = read_string(*v, "path", d_)) {
                if (!s->empty() && (*s)[0] == '/') h.path = *s;
                else d_.error(loc_of(*v), "'path' is the absolute path of a hugetlbfs mount, like /dev/hugepages1G; got '" + printable(*s) + "'");
            }
        }
        r.finish();
        p_.hugepages = h;
    }

    // smbios: host | {host: bool, type0: {...}, type1: {...}, type2, type3, type17}
    void smbios(const YAML::Node& n) {
        Smbios out;
        if (n.IsScalar() && n.Scalar() == "host") {
            out.from_host = true;
            p_.smbios = out;
            return;
        }
        if (!n.IsMap()) {
            d_.error(loc_of(n), "'smbios' is 'host' (copy this machine's DMI strings) or a mapping of types like "
                                "{type1: {manufacturer: ..., product: ...}}; got " + describe_kind(n));
            return;
        }
        MapReader r(n, "'smbios'", d_);
        if (!r.ok()) return;
        if (auto v = r.get("host")) if (auto b = read_bool(*v, "host", d_)) out.from_host = *b;
        for (int type : smbios_types()) {
            std::string name = "type" + std::to_string(type);
            auto t = r.get(name);
            if (!t) continue;
            MapReader fields(*t, "'" + name + "'", d_);
            if (!fields.ok()) continue;
            for (const auto& f : smbios_fields()) {
                if (f.type != type) continue;
                auto v = fields.get(f.key);
                if (!v) continue;
                if (auto value = smbios_value(*v, type, f.key)) out.fields.emplace_back(type, f.key, *value);
            }
            fields.finish();
        }
        r.finish();
        p_.smbios = out;
    }

    std::optional<std::string> smbios_value(const YAML::Node& v, int type, const std::string& key) {
        if (type == 0 && key == "uefi") {
            auto b = read_bool(v, key, d_);
            return b ? std::optional<std::string>(*b ? "on" : "off") : std::nullopt;
        }
        auto s = read_string(v, key, d_);
        if (!s) return std::nullopt;
        auto refuse = [&](const std::string& what) {
            d_.error(loc_of(v), "'" + key + "' " + what + ", got '" + printable(*s) + "'");
            return std::nullopt;
        };
        bool digits = !s->empty() && s->find_first_not_of("0123456789") == std::string::npos;
        if (key == "speed" && (!digits || s->size() > 5)) return refuse("is the memory speed in MT/s, a number like 3200");
        if (key == "release") {
            auto dot = s->find('.');
            bool ok = dot != std::string::npos && dot > 0 && dot + 1 < s->size() &&
                      s->find_first_not_of("0123456789.") == std::string::npos && s->find('.', dot + 1) == std::string::npos;
            if (!ok) return refuse("is MAJOR.MINOR, like 1.16");
        }
        if (key == "uuid") {
            static const std::string hex = "0123456789abcdefABCDEF";
            bool ok = s->size() == 36;
            for (size_t i = 0; ok && i < s->size(); ++i)
                ok = (i == 8 || i == 13 || i == 18 || i == 23) ? (*s)[i] == '-' : hex.find((*s)[i]) != std::string::npos;
            if (!ok) return refuse("is a UUID like 4c4c4544-0042-3510-8052-b4c04f4d4e32");
        }
        // SMBIOS strings are plain text; a control character would corrupt the table.
        for (unsigned char c : *s)
            if (c < 0x20 || c == 0x7f) return refuse("must be printable text");
        if (s->size() > 255) return refuse("is longer than SMBIOS allows (255 bytes)");
        return s;
    }

    void smp(const YAML::Node& n) {
        if (n.IsScalar()) {
            if (auto v = read_int(n, "smp", 1, 1024, d_)) p_.smp = {1, *v, 1};
            return;
        }
        MapReader r(n, "'smp'", d_);
        if (!r.ok()) return;
        if (auto v = r.get("sockets")) if (auto i = read_int(*v, "sockets", 1, 64, d_)) p_.smp.sockets = *i;
        if (auto v = r.get("cores")) if (auto i = read_int(*v, "cores", 1, 512, d_)) p_.smp.cores = *i;
        if (auto v = r.get("threads")) if (auto i = read_int(*v, "threads", 1, 8, d_)) p_.smp.threads = *i;
        r.finish();
    }

    // -cpu is not comma-escaped by QEMU (',,' splits there too), so the model
    // and every flag must be one token each: nothing can smuggle in an option.
    void cpu_model(const YAML::Node& n, const std::string& text) {
        if (is_token(text)) p_.cpu.model = text;
        else d_.error(loc_of(n), "a cpu model is one word of letters, digits, '.', '_' and '-' (like host, max, "
                                 "EPYC-v4), got '" + printable(text) + "'");
    }

    // hyperv: true | false | passthrough
    void hyperv(const YAML::Node& n) {
        if (n.IsScalar() && n.Scalar() == "passthrough") {
            p_.cpu.hyperv = HypervMode::passthrough;
            return;
        }
        Diagnostics probe;
        if (auto b = read_bool(n, "hyperv", probe)) {
            p_.cpu.hyperv = *b ? HypervMode::enlightened : HypervMode::off;
            return;
        }
        d_.error(loc_of(n), "'hyperv' is true (the set Windows uses), passthrough (everything this host's KVM offers) or "
                            "false; got " + (n.IsScalar() ? "'" + printable(n.Scalar()) + "'" : describe_kind(n)));
    }

    void cpu(const YAML::Node& n) {
        if (n.IsScalar()) { cpu_model(n, n.Scalar()); return; }
        MapReader r(n, "'cpu'", d_);
        if (!r.ok()) return;
        if (auto v = r.get("model")) if (auto s = read_string(*v, "model", d_)) cpu_model(*v, *s);
        if (auto v = r.get("hide_kvm")) { p_.at.set("cpu.hide_kvm", loc_of(*v)); if (auto b = read_bool(*v, "hide_kvm", d_)) p_.cpu.hide_kvm = *b; }
        if (auto v = r.get("hv_vendor_id")) {
            if (auto s = read_string(*v, "hv_vendor_id", d_)) {
                if (s->empty() || s->size() > 12 || s->find_first_of(",= ") != std::string::npos)
                    d_.error(loc_of(*v), "'hv_vendor_id' must be 1 to 12 characters without ',', '=' or spaces, got '" + *s + "'");
                else p_.cpu.hv_vendor_id = *s;
            }
        }
        if (auto v = r.get("hyperv")) { p_.at.set("cpu.hyperv", loc_of(*v)); hyperv(*v); }
        if (auto v = r.get("flags"))
            if (auto l = read_string_list(*v, "flags", d_))
                for (size_t i = 0; i < l->size(); ++i) {
                    if (is_cpu_flag((*l)[i])) p_.cpu.flags.push_back((*l)[i]);
                    else d_.error(loc_of((*v)[i]), "a cpu flag is +name, -name or name=value (one word each), got '" +
                                                      printable((*l)[i]) + "'");
                }
        if (auto v = r.get("pin")) cpu_pin(*v, r.key_loc("pin"));
        r.finish();
    }

    // A list of host CPU numbers. In 'vcpus' a CPU may appear once: two vCPUs
    // pinned to one host CPU take turns on it, which pinning is meant to stop.
    std::optional<std::vector<int>> host_cpus(const YAML::Node& v, const std::string& key, bool distinct) {
        p_.at.set("cpu.pin." + key, loc_of(v));
        if (!v.IsSequence() || v.size() == 0) {
            d_.error(loc_of(v), "'" + key + "' is a list of host CPU numbers, like [2, 3, 4, 5]; got " + describe_kind(v));
            return std::nullopt;
        }
        std::vector<int> out;
        std::map<int, int> line_of;
        bool ok = true;
        for (const auto& item : v) {
            auto c = read_int(item, key, 0, 8191, d_);
            if (!c) { ok = false; continue; }
            auto [it, fresh] = line_of.emplace(*c, loc_of(item).line);
            if (!fresh && distinct) {
                d_.error(loc_of(item), "host CPU " + std::to_string(*c) + " is given to two vCPUs (also at line " +
                                           std::to_string(it->second) + "); give each vCPU a CPU of its own");
                ok = false;
            }
            if (fresh) out.push_back(*c);
        }
        if (!ok) return std::nullopt;
        return out;
    }

    void cpu_pin(const YAML::Node& n, SourceLoc key) {
        p_.at.set("cpu.pin", key);
        MapReader r(n, "'pin'", d_);
        if (!r.ok()) return;
        CpuPinning pin;
        bool ok = true;
        if (auto v = r.get("vcpus")) {
            if (auto l = host_cpus(*v, "vcpus", true)) pin.vcpus = *l;
            else ok = false;
        }
        if (auto v = r.get("emulator")) {
            if (auto l = host_cpus(*v, "emulator", false)) pin.emulator = *l;
            else ok = false;
        }
        if (ok && pin.vcpus.empty() && pin.emulator.empty())
            d_.error(key, "'pin' needs 'vcpus' (one host CPU per vCPU), 'emulator' (QEMU's other threads) or both");
        else if (ok)
            p_.cpu.pin = pin;
        r.finish();
    }

    void boot(const YAML::Node& n) {
        MapReader r(n, "'boot'", d_);
        if (!r.ok()) return;
        if (auto v = r.get("menu")) if (auto b = read_bool(*v, "menu", d_)) p_.boot.menu = *b;
        if (auto v = r.get("order")) {
            p_.at.set("boot.order", loc_of(*v));
            if (auto s = read_string(*v, "order", d_)) {
                if (s->empty() || s->find_first_not_of("cdn") != std::string::npos)
                    d_.error(loc_of(*v), "'order' is a string of QEMU boot letters: c (disk), d (cdrom), n (network), like 'dc'; got '" + *s + "'");
                else p_.boot.order = *s;
            }
        }
        r.finish();
    }

    void firmware(const YAML::Node& n) {
        auto type = [&](const YAML::Node& v) {
            if (auto s = read_choice(v, "firmware", key_choices("top", "firmware"), d_))
                p_.firmware.type = *s == "ovmf" ? FirmwareType::ovmf : FirmwareType::seabios;
        };
        if (n.IsScalar()) { type(n); return; }
        MapReader r(n, "'firmware'", d_);
        if (!r.ok()) return;
        if (auto v = r.get("type")) type(*v);
        else if (!r.has("type")) d_.error(loc_of(n), "'firmware' needs 'type': seabios or ovmf");
        if (auto v = r.get("code")) { p_.at.set("firmware.code", loc_of(*v)); if (auto s = read_string(*v, "code", d_)) p_.firmware.code = path(*s); }
        if (auto v = r.get("vars_template")) { p_.at.set("firmware.vars_template", loc_of(*v)); if (auto s = read_string(*v, "vars_template", d_)) p_.firmware.vars_template = path(*s); }
        if (auto v = r.get("secure_boot")) { p_.at.set("firmware.secure_boot", loc_of(*v)); if (auto b = read_bool(*v, "secure_boot", d_)) p_.firmware.secure_boot = *b; }
        if (auto v = r.get("reset_nvram")) { p_.at.set("firmware.reset_nvram", loc_of(*v)); if (auto b = read_bool(*v, "reset_nvram", d_)) p_.firmware.reset_nvram = *b; }
        r.finish();
    }

    // tpm: true, or a mapping {model: crb | tis, reset: bool}.
    void tpm(const YAML::Node& n) {
        if (n.IsScalar()) {
            if (auto b = read_bool(n, "tpm", d_))
                if (*b) p_.tpm = Tpm{};
            return;
        }
        if (!n.IsMap()) {
            d_.error(loc_of(n), "'tpm' is true, false or a mapping like {model: crb, reset: false}; got " + describe_kind(n));
            return;
        }
        MapReader r(n, "'tpm'", d_);
        if (!r.ok()) return;
        Tpm t;
        if (auto v = r.get("model")) {
            p_.at.set("tpm.model", loc_of(*v));
            if (auto s = read_choice(*v, "model", key_choices("tpm", "model"), d_)) {
                t.model = *s == "crb" ? TpmModel::crb : TpmModel::tis;
                t.model_given = true;
            }
        }
        if (auto v = r.get("reset")) { p_.at.set("tpm.reset", loc_of(*v)); if (auto b = read_bool(*v, "reset", d_)) t.reset = *b; }
        r.finish();
        p_.tpm = t;
    }

    // looking_glass: true, or {size: 64M | resolution: 2560x1440, owner: USER, device: shm | kvmfr}.
    void looking_glass(const YAML::Node& n) {
        if (n.IsScalar()) {
            if (auto b = read_bool(n, "looking_glass", d_))
                if (*b) {
                    p_.looking_glass = LookingGlass{};
                    p_.looking_glass->size_mib = looking_glass_size_mib(p_.looking_glass->width, p_.looking_glass->height);
                }
            return;
        }
        if (!n.IsMap()) {
            d_.error(loc_of(n), "'looking_glass' is true, false or a mapping like {resolution: 2560x1440, owner: alice}; got " +
                                    describe_kind(n));
            return;
        }
        MapReader r(n, "'looking_glass'", d_);
        if (!r.ok()) return;
        LookingGlass lg;
        if (auto v = r.get("size")) {
            p_.at.set("looking_glass.size", loc_of(*v));
            if (auto s = read_string(*v, "size", d_)) {
                auto m = parse_memory_mib(*s);
                if (!m.value) d_.error(loc_of(*v), "'size': " + m.error + ", got '" + *s + "'");
                else if (*m.value < 2 || (*m.value & (*m.value - 1)))
                    d_.error(loc_of(*v), "'size' must be a power of two of at least 2M (IVSHMEM's BAR is one), like 32M or 64M; got '" + *s + "'");
                else lg.size_mib = *m.value;
            }
        }
        if (auto v = r.get("resolution")) {
            p_.at.set("looking_glass.resolution", loc_of(*v));
            if (r.has("size")) {
                d_.error(loc_of(*v), "give 'size' or 'resolution', not both: the size follows from the resolution");
            } else if (auto s = read_string(*v, "resolution", d_)) {
                auto res = parse_resolution(*s);
                if (res.value) lg.width = res.value->width, lg.height = res.value->height;
                else d_.error(loc_of(*v), "'resolution': " + res.error + ", got '" + *s + "'");
            }
        }
        if (auto v = r.get("owner")) {
            p_.at.set("looking_glass.owner", loc_of(*v));
            if (auto s = read_string(*v, "owner", d_)) {
                if (is_safe_name(*s)) lg.owner = *s;
                else d_.error(loc_of(*v), "'owner' must be a user name (the desktop user who runs the Looking Glass client), got '" + *s + "'");
            }
        }
        if (auto v = r.get("device")) {
            p_.at.set("looking_glass.device", loc_of(*v));
            if (auto s = read_choice(*v, "device", key_choices("looking_glass", "device"), d_))
                lg.device = *s == "kvmfr" ? LookingGlassDevice::kvmfr : LookingGlassDevice::shm;
        }
        r.finish();
        if (!lg.size_mib) lg.size_mib = looking_glass_size_mib(lg.width, lg.height);
        p_.looking_glass = lg;
    }

    // An input item: an evdev path, or {evdev: PATH, grab_all: bool, repeat: bool}.
    // A list item that is its main key's value alone (`- /dev/input/...`) or a
    // mapping holding it with more keys: `main` reads that value either way,
    // `rest` the mapping's other keys. False when the item is no mapping.
    bool value_or_mapping(const YAML::Node& n, const char* main_key, const std::string& what, const std::string& main_is,
                          const std::function<void(const YAML::Node&)>& main, const std::function<void(MapReader&)>& rest) {
        if (n.IsScalar()) {
            main(n);
            return true;
        }
        MapReader r(n, what, d_);
        if (!r.ok()) return false;
        if (auto v = r.get(main_key)) main(*v);
        else if (!r.has(main_key)) d_.error(loc_of(n), what + " needs '" + main_key + "': " + main_is);
        rest(r);
        r.finish();
        return true;
    }

    void input(const YAML::Node& n) {
        EvdevInput in;
        in.at.set("", loc_of(n));
        auto evdev = [&](const YAML::Node& v) {
            in.at.set("evdev", loc_of(v));
            auto s = read_string(v, "evdev", d_);
            if (!s) return;
            if (s->empty() || (*s)[0] != '/')
                d_.error(loc_of(v), "'evdev' is the absolute path of an event device, like /dev/input/by-id/usb-Logitech_USB_Receiver-event-kbd; got '" +
                                        *s + "'");
            else in.evdev = *s;
        };
        bool item = value_or_mapping(n, "evdev", "an input device", "the path of its event device, like /dev/input/by-id/...-event-kbd", evdev,
                                     [&](MapReader& r) {
            if (auto v = r.get("grab_all")) { in.at.set("grab_all", loc_of(*v)); if (auto b = read_bool(*v, "grab_all", d_)) in.grab_all = *b; }
            if (auto v = r.get("repeat")) { in.at.set("repeat", loc_of(*v)); if (auto b = read_bool(*v, "repeat", d_)) in.repeat = *b; }
        });
        if (item) p_.input.push_back(std::move(in));
    }

    // host_display: handoff, or {unit: NAME | stop: [argv], start: [argv], timeout: S}.
    void host_display(const YAML::Node& n) {
        if (n.IsScalar()) {
            if (auto s = read_choice(n, "host_display", key_choices("top", "host_display"), d_)) p_.host_display = HostDisplay{};
            return;
        }
        if (!n.IsMap()) {
            d_.error(loc_of(n), "'host_display' is handoff or a mapping like {unit: gdm.service} or {stop: [...], start: [...]}; got " +
                                    describe_kind(n));
            return;
        }
        MapReader r(n, "'host_display'", d_);
        if (!r.ok()) return;
        HostDisplay h;
        if (auto v = r.get("unit")) {
            p_.at.set("host_display.unit", loc_of(*v));
            if (auto s = read_string(*v, "unit", d_)) {
                if (!s->empty() && s->find_first_of(" \t\n/") == std::string::npos && s->front() != '-') h.unit = *s;
                else d_.error(loc_of(*v), "'unit' is a systemd unit's name, like display-manager.service or gdm.service; got '" + *s + "'");
            }
        }
        for (auto [key, field] : {std::pair{"stop", &h.stop}, std::pair{"start", &h.start}}) {
            auto v = r.get(key);
            if (!v) continue;
            p_.at.set(std::string("host_display.") + key, loc_of(*v));
            if (auto l = read_string_list(*v, key, d_)) {
                if (l->empty() || l->front().empty())
                    d_.error(loc_of(*v), std::string("'") + key + "' is a command as a list of words, program first, like [/usr/sbin/service, lightdm, " + key + "]");
                else *field = *l;
            }
        }
        if (r.has("stop") != r.has("start"))
            d_.error(r.key_loc(r.has("stop") ? "stop" : "start"),
                     "give 'stop' and 'start' together: vmrun runs one before the GPU goes to the VM and the other when it comes back");
        if (r.has("unit") && (r.has("stop") || r.has("start")))
            d_.error(r.key_loc("unit"), "give 'unit' or 'stop' and 'start', not both: the unit is stopped and started with systemctl");
        else if (r.has("stop")) h.unit.clear();
        if (auto v = r.get("stop_units")) {
            p_.at.set("host_display.stop_units", loc_of(*v));
            if (auto l = read_string_list(*v, "stop_units", d_)) {
                for (const auto& u : *l)
                    if (u.empty() || u.find_first_of(" \t\n/") != std::string::npos || u.front() == '-' ||
                        (u.find(".service") == std::string::npos && u.find(".scope") == std::string::npos))
                        d_.error(loc_of(*v), "'stop_units' lists systemd units by name, like [nvidia-persistenced.service]; got '" + u + "'");
                h.stop_units = *l;
            }
        }
        if (auto v = r.get("timeout")) {
            p_.at.set("host_display.timeout", loc_of(*v));
            if (auto i = read_int(*v, "timeout", 1, 300, d_)) h.timeout = *i;
        }
        r.finish();
        p_.host_display = h;
    }

    // audio: BACKEND, or {backend, model: ich9 | ac97, user, server, cookie, device}.
    void audio(const YAML::Node& n) {
        const auto& backends = key_choices("audio", "backend");
        auto backend_of = [](const std::string& s) {
            return s == "pipewire" ? AudioBackend::pipewire : s == "pulseaudio" ? AudioBackend::pulseaudio
                   : s == "alsa"   ? AudioBackend::alsa     : AudioBackend::none;
        };
        if (n.IsScalar()) {
            p_.at.set("audio.backend", loc_of(n));
            if (auto s = read_choice(n, "audio", backends, d_)) p_.audio = Audio{backend_of(*s)};
            return;
        }
        if (!n.IsMap()) {
            d_.error(loc_of(n), "'audio' is a backend (pipewire, pulseaudio, alsa, none) or a mapping like "
                                "{backend: pipewire, user: alice}; got " + describe_kind(n));
            return;
        }
        MapReader r(n, "'audio'", d_);
        if (!r.ok()) return;
        Audio a;
        auto backend = r.get("backend");
        if (!backend) {
            d_.error(loc_of(n), "'audio' needs a backend: {backend: pipewire | pulseaudio | alsa | none}");
        } else {
            p_.at.set("audio.backend", loc_of(*backend));
            if (auto s = read_choice(*backend, "backend", backends, d_)) a.backend = backend_of(*s);
            else backend.reset();
        }
        if (auto v = r.get("model")) {
            p_.at.set("audio.model", loc_of(*v));
            if (auto s = read_choice(*v, "model", key_choices("audio", "model"), d_)) a.model = *s == "ac97" ? AudioModel::ac97 : AudioModel::ich9;
        }
        // Keys that only some backends read: given to another, they would be ignored, so say so.
        auto only_for = [&](const std::string& key, bool fits, const std::string& which) -> std::optional<YAML::Node> {
            auto v = r.get(key);
            if (!v) return std::nullopt;
            p_.at.set("audio." + key, loc_of(*v));
            if (backend && !fits) {
                d_.error(loc_of(*v), "'" + key + "' is for backend " + which + ", and this audio's backend is '" +
                                         backend->Scalar() + "': remove it, or change the backend");
                return std::nullopt;
            }
            return v;
        };
        bool server = a.uses_sound_server();
        if (auto v = only_for("user", server, "pipewire or pulseaudio")) {
            if (auto s = read_string(*v, "user", d_)) {
                if (is_safe_name(*s)) a.user = *s;
                else d_.error(loc_of(*v), "'user' must be a user name (the desktop user whose sound server plays the guest), got '" + *s + "'");
            }
        }
        for (auto [key, field] : {std::pair{"server", &a.server}, std::pair{"cookie", &a.cookie}})
            if (auto v = only_for(key, server, "pipewire or pulseaudio"))
                if (auto s = read_string(*v, key, d_)) {
                    if (s->empty() || s->find('\n') != std::string::npos)
                        d_.error(loc_of(*v), std::string("'") + key + "' is a file's path, like " +
                                                 (key == std::string("server") ? "/run/user/1000/pulse/native" : "/home/alice/.config/pulse/cookie"));
                    else *field = path(*s);
                }
        if (auto v = only_for("device", a.backend == AudioBackend::alsa, "alsa")) {
            if (auto s = read_string(*v, "device", d_)) {
                if (!s->empty() && s->find_first_of("\n\t ") == std::string::npos) a.device = *s;
                else d_.error(loc_of(*v), "'device' is an ALSA PCM name, like default or hw:0,0; got '" + *s + "'");
            }
        }
        r.finish();
        p_.audio = a;
    }

    void kernel(const YAML::Node& n) {
        MapReader r(n, "'kernel'", d_);
        if (!r.ok()) return;
        KernelBoot k;
        if (auto v = r.get("image")) { if (auto s = read_string(*v, "image", d_)) k.image = path(*s); }
        else if (!r.has("image")) d_.error(loc_of(n), "'kernel' needs 'image', the path of the kernel (bzImage/vmlinuz)");
        if (auto v = r.get("initrd")) if (auto s = read_string(*v, "initrd", d_)) k.initrd = path(*s);
        if (auto v = r.get("cmdline")) if (auto s = read_string(*v, "cmdline", d_)) k.cmdline = *s;
        r.finish();
        p_.kernel = k;
    }

    void disk(const YAML::Node& n) {
        MapReader r(n, "a disk", d_);
        if (!r.ok()) return;
        Disk disk;
        disk.at.set("", loc_of(n));
        if (auto v = r.get("id")) { disk.at.set("id", loc_of(*v)); if (auto s = read_string(*v, "id", d_)) disk.id = *s; }
        if (auto v = r.get("media")) {
            if (auto s = read_choice(*v, "media", key_choices("disks", "media"), d_)) disk.media = *s == "cdrom" ? DiskMedia::cdrom : DiskMedia::disk;
        }
        bool format_given = false;
        if (auto v = r.get("path")) {
            disk.at.set("path", loc_of(*v));
            if (auto s = read_string(*v, "path", d_)) {
                if (s->empty()) d_.error(loc_of(*v), "'path' is empty; give an image file or a block device like /dev/sdc6");
                disk.path = path(*s);
            }
        } else if (!r.has("path")) {
            d_.error(loc_of(n), "a disk needs 'path': an image file or a block device like /dev/sdc6");
        }
        if (auto v = r.get("format")) {
            format_given = true;
            disk.at.set("format", loc_of(*v));
            if (auto s = read_choice(*v, "format", key_choices("disks", "format"), d_)) disk.format = *s == "raw" ? DiskFormat::raw : DiskFormat::qcow2;
        }
        if (!format_given && disk.path.size() > 6 && disk.path.substr(disk.path.size() - 6) == ".qcow2") disk.format = DiskFormat::qcow2;
        if (auto v = r.get("bus")) {
            disk.at.set("bus", loc_of(*v));
            if (auto s = read_choice(*v, "bus", key_choices("disks", "bus"), d_))
                disk.bus = *s == "virtio" ? DiskBus::virtio : *s == "virtio-scsi" ? DiskBus::virtio_scsi : *s == "sata" ? DiskBus::sata : DiskBus::nvme;
        } else if (disk.media == DiskMedia::cdrom) {
            disk.bus = DiskBus::sata;  // every guest, Windows installers included, reads an AHCI CD-ROM
        }
        if (auto v = r.get("cache")) {
            disk.at.set("cache", loc_of(*v));
            if (auto s = read_choice(*v, "cache", key_choices("disks", "cache"), d_)) disk.cache = *s;
        }
        if (auto v = r.get("aio")) {
            disk.at.set("aio", loc_of(*v));
            if (auto s = read_choice(*v, "aio", key_choices("disks", "aio"), d_)) disk.aio = *s;
        }
        if (auto v = r.get("readonly")) { disk.at.set("readonly", loc_of(*v)); if (auto b = read_bool(*v, "readonly", d_)) disk.readonly = *b; }
        if (auto v = r.get("boot_index")) { disk.at.set("boot_index", loc_of(*v)); if (auto i = read_int(*v, "boot_index", 0, 99, d_)) disk.boot_index = *i; }
        r.finish();
        p_.disks.push_back(std::move(disk));
    }

    void nic(const YAML::Node& n) {
        MapReader r(n, "a network interface", d_);
        if (!r.ok()) return;
        Nic nic;
        nic.at.set("", loc_of(n));
        if (auto v = r.get("id")) { nic.at.set("id", loc_of(*v)); if (auto s = read_string(*v, "id", d_)) nic.id = *s; }
        if (auto v = r.get("type")) {
            nic.at.set("type", loc_of(*v));
            if (auto s = read_choice(*v, "type", key_choices("network", "type"), d_)) nic.type = *s == "tap" ? NicType::tap : NicType::user;
        } else if (!r.has("type")) {
            d_.error(loc_of(n), "a network interface needs 'type': tap (on a bridge) or user (NAT, no privileges)");
        }
        if (auto v = r.get("model")) {
            if (auto s = read_choice(*v, "model", key_choices("network", "model"), d_))
                nic.model = *s == "virtio" ? NicModel::virtio : *s == "e1000e" ? NicModel::e1000e : NicModel::e1000;
        }
        if (auto v = r.get("mac")) {
            nic.at.set("mac", loc_of(*v));
            if (auto s = read_string(*v, "mac", d_)) {
                auto m = parse_mac(*s);
                if (m.value) nic.mac = *m.value;
                else d_.error(loc_of(*v), "'mac': " + m.error + ", got '" + *s + "'");
            }
        }
        if (auto v = r.get("bridge")) { nic.at.set("bridge", loc_of(*v)); if (auto s = read_string(*v, "bridge", d_)) nic.bridge = *s; }
        if (auto v = r.get("tap")) { nic.at.set("tap", loc_of(*v)); if (auto s = read_string(*v, "tap", d_)) nic.tap = *s; }
        if (auto v = r.get("create_bridge")) {
            nic.at.set("create_bridge", loc_of(*v));
            if (auto b = read_bool(*v, "create_bridge", d_)) nic.create_bridge = *b;
        }
        if (auto v = r.get("forwards")) {
            nic.at.set("forwards", loc_of(*v));
            each(*v, "forwards", [&](const YAML::Node& item) {
                if (auto s = read_string(item, "forwards", d_)) {
                    auto f = parse_port_forward(*s);
                    if (f.value) nic.forwards.push_back({f.value->protocol, f.value->host_address, f.value->host_port, f.value->guest_port});
                    else d_.error(loc_of(item), "port forward: " + f.error + ", got '" + *s + "'");
                }
            });
        }
        r.finish();
        p_.nics.push_back(std::move(nic));
    }

    void passthrough(const YAML::Node& n) {
        Passthrough pt;
        pt.at.set("", loc_of(n));
        auto host = [&](const YAML::Node& v) {
            pt.at.set("host", loc_of(v));
            if (auto s = read_string(v, "host", d_)) {
                if (auto a = parse_pci_address(*s)) pt.host = *a;
                else d_.error(loc_of(v), "'host' must be a PCI address like 0000:03:00.0 or 03:00.0 (see lspci -D), got '" + *s + "'");
            }
        };
        if (n.IsScalar()) {
            host(n);
            p_.passthrough.push_back(std::move(pt));
            return;
        }
        MapReader r(n, "a passthrough device", d_);
        if (!r.ok()) return;
        if (auto v = r.get("host")) host(*v);
        auto pf = r.get("pf");
        auto vf = r.get("vf");
        if (pf || vf) {
            VirtualFunctionRef ref;
            bool ok = true;
            if (pf) {
                pt.at.set("pf", loc_of(*pf));
                auto s = read_string(*pf, "pf", d_);
                auto a = s ? parse_pci_address(*s) : std::nullopt;
                if (a) ref.pf = *a;
                else if (s) d_.error(loc_of(*pf), "'pf' must be the PCI address of an SR-IOV physical function like 0000:03:00.0, got '" + printable(*s) + "'");
                ok = ok && a;
            }
            if (vf) {
                pt.at.set("vf", loc_of(*vf));
                auto i = read_int(*vf, "vf", 0, 255, d_);
                if (i) ref.index = unsigned(*i);
                ok = ok && i;
            }
            if (!pf) d_.error(loc_of(*vf), "'vf' needs 'pf', the physical function whose virtual function it is");
            else if (!vf) d_.error(loc_of(*pf), "'pf' needs 'vf', the index (from 0) of its virtual function to pass");
            else if (r.has("host")) d_.error(pt.at.of("host"), "give either 'host' or 'pf' and 'vf', not both: vmrun finds the VF's address itself");
            else if (ok) pt.vf = ref;
        } else if (!r.has("host")) {
            d_.error(loc_of(n), "a passthrough device needs 'host', its PCI address like 0000:03:00.0 (or 'pf' and 'vf' for an SR-IOV virtual function)");
        }
        if (auto v = r.get("id")) { pt.at.set("id", loc_of(*v)); if (auto s = read_string(*v, "id", d_)) pt.id = *s; }
        if (auto v = r.get("x_vga")) { pt.at.set("x_vga", loc_of(*v)); if (auto b = read_bool(*v, "x_vga", d_)) pt.x_vga = *b; }
        if (auto v = r.get("romfile")) { pt.at.set("romfile", loc_of(*v)); if (auto s = read_string(*v, "romfile", d_)) pt.romfile = path(*s); }
        if (auto v = r.get("rombar")) { pt.at.set("rombar", loc_of(*v)); if (auto b = read_bool(*v, "rombar", d_)) pt.rombar = *b; }
        vf_net_settings(r, pt);
        if (auto v = r.get("guest_address")) {
            pt.at.set("guest_address", loc_of(*v));
            if (auto s = read_string(*v, "guest_address", d_)) {
                // SS.F in hex, as lspci writes the part after the bus: 1a.0
                unsigned slot = 0, function = 0;
                char tail = 0;
                bool ok = s->size() >= 3 && s->size() <= 4 && std::sscanf(s->c_str(), "%2x.%1u%c", &slot, &function, &tail) == 2 &&
                          slot <= 0x1f && function <= 7 && s->find_first_not_of("0123456789abcdefABCDEF.") == std::string::npos;
                if (ok) pt.guest_address = std::make_pair(slot, function);
                else d_.error(loc_of(*v), "'guest_address' is a slot.function on pcie.0 in hex, like 1a.0 (slot 00-1f, function 0-7), got '" +
                                              printable(*s) + "'");
            }
        }
        r.finish();
        p_.passthrough.push_back(std::move(pt));
    }

    // mac, vlan, spoof_check, trust: a NIC VF's settings, enforced by its PF.
    void vf_net_settings(MapReader& r, Passthrough& pt) {
        auto& net = pt.vf_net;
        if (auto v = r.get("mac")) {
            pt.at.set("mac", loc_of(*v));
            if (auto s = read_string(*v, "mac", d_)) {
                auto m = parse_mac(*s);
                if (m.value) net.mac = *m.value;
                else d_.error(loc_of(*v), "'mac': " + m.error + ", got '" + printable(*s) + "'");
            }
        }
        if (auto v = r.get("vlan")) {
            pt.at.set("vlan", loc_of(*v));
            if (auto i = read_int(*v, "vlan", 0, 4094, d_)) net.vlan = unsigned(*i);
        }
        if (auto v = r.get("spoof_check")) {
            pt.at.set("spoof_check", loc_of(*v));
            if (auto b = read_bool(*v, "spoof_check", d_)) net.spoof_check = *b;
        }
        if (auto v = r.get("trust")) {
            pt.at.set("trust", loc_of(*v));
            if (auto b = read_bool(*v, "trust", d_)) net.trust = *b;
        }
        if (r.has("pf") || r.has("vf")) return;
        for (const char* key : {"mac", "vlan", "spoof_check", "trust"})
            if (pt.at.has(key))
                d_.error(pt.at.of(key), std::string("'") + key + "' is a NIC virtual function's setting, made on its physical function; "
                                        "it needs 'pf' and 'vf' (for a whole NIC, the guest's driver sets its MAC and VLANs)");
    }

    void usb(const YAML::Node& n) {
        UsbHost u;
        u.at.set("", loc_of(n));
        auto host = [&](const YAML::Node& v) {
            u.at.set("host", loc_of(v));
            auto s = read_string(v, "host", d_);
            if (!s) return;
            if (s->find(':') != std::string::npos) {
                auto id = parse_usb_id(*s);
                if (id.value) { u.vendor = id.value->vendor; u.product = id.value->product; }
                else d_.error(loc_of(v), "'host': " + id.error + ", got '" + *s + "'");
            } else {
                auto ba = parse_usb_bus_addr(*s);
                if (ba.value) { u.bus = ba.value->bus; u.addr = ba.value->addr; }
                else d_.error(loc_of(v), "'host' is vendor:product like 046d:c52b or bus.addr like 3.4, got '" + *s + "'");
            }
        };
        bool item = value_or_mapping(n, "host", "a USB device", "vendor:product like 046d:c52b or bus.addr like 3.4", host, [&](MapReader& r) {
            if (auto v = r.get("id")) { u.at.set("id", loc_of(*v)); if (auto s = read_string(*v, "id", d_)) u.id = *s; }
        });
        if (item) p_.usb.push_back(std::move(u));
    }

    // A shared folder: a path, or {path, tag, readonly}.
    void shared_folder(const YAML::Node& n) {
        SharedFolder f;
        f.at.set("", loc_of(n));
        auto folder = [&](const YAML::Node& v) {
            f.at.set("path", loc_of(v));
            auto s = read_string(v, "path", d_);
            if (!s) return;
            if (s->empty()) d_.error(loc_of(v), "'path' is empty; give the host folder to share, like /srv/share");
            else f.path = path(*s);
        };
        bool item = value_or_mapping(n, "path", "a shared folder", "the host folder, like /srv/share", folder, [&](MapReader& r) {
            if (auto v = r.get("tag")) {
                f.at.set("tag", loc_of(*v));
                if (auto s = read_string(*v, "tag", d_)) {
                    if (is_virtiofs_tag(*s)) f.tag = *s;
                    else d_.error(loc_of(*v), "'tag' is what the guest mounts: letters, digits, '-', '_' and '.', at most 36, got '" +
                                                  printable(*s) + "'");
                }
            }
            if (auto v = r.get("readonly")) { f.at.set("readonly", loc_of(*v)); if (auto b = read_bool(*v, "readonly", d_)) f.readonly = *b; }
        });
        if (!item) return;
        if (f.tag.empty() && !f.path.empty() && !f.at.has("tag")) {
            // The folder's own name, when it makes a tag.
            auto name = std::filesystem::path(f.path).lexically_normal().filename().string();
            if (name.empty()) name = std::filesystem::path(f.path).lexically_normal().parent_path().filename().string();
            if (is_virtiofs_tag(name)) f.tag = name;
            else d_.error(f.at.of("path"), "the folder's name '" + printable(name) + "' is no virtiofs tag (letters, digits, '-', '_' "
                                           "and '.', at most 36): give one, like {path: " + printable(f.path) + ", tag: share}");
        }
        p_.shared_folders.push_back(std::move(f));
    }

    void root_ports(const YAML::Node& n) {
        MapReader r(n, "'root_ports'", d_);
        if (!r.ok()) return;
        if (auto v = r.get("model")) {
            if (auto s = read_choice(*v, "model", key_choices("root_ports", "model"), d_))
                p_.root_ports.model = *s == "ioh3420" ? RootPortModel::ioh3420 : RootPortModel::pcie_root_port;
        }
        if (auto v = r.get("spare")) { p_.at.set("root_ports.spare", loc_of(*v)); if (auto i = read_int(*v, "spare", 0, 32, d_)) p_.root_ports.spare = *i; }
        if (auto v = r.get("hotplug")) {
            if (auto s = read_choice(*v, "hotplug", key_choices("root_ports", "hotplug"), d_))
                p_.root_ports.hotplug = *s == "acpi" ? HotplugMode::acpi : HotplugMode::native;
        }
        r.finish();
    }

    void display(const YAML::Node& n) {
        auto type = [&](const YAML::Node& v) {
            p_.at.set("display.type", loc_of(v));
            if (auto s = read_choice(v, "display", key_choices("top", "display"), d_))
                p_.display.type = *s == "none" ? DisplayType::none : *s == "gtk" ? DisplayType::gtk : *s == "vnc" ? DisplayType::vnc : DisplayType::spice;
        };
        if (n.IsScalar()) { type(n); return; }
        MapReader r(n, "'display'", d_);
        if (!r.ok()) return;
        if (auto v = r.get("type")) type(*v);
        if (auto v = r.get("listen")) {
            p_.at.set("display.listen", loc_of(*v));
            if (auto s = read_string(*v, "listen", d_)) {
                auto colon = s->rfind(':');
                bool ok = colon != std::string::npos && colon + 1 < s->size() &&
                          s->find_first_not_of("0123456789", colon + 1) == std::string::npos &&
                          s->find(',') == std::string::npos && s->size() - colon - 1 <= 5 &&
                          std::stoi(s->substr(colon + 1)) <= 65535;
                if (ok) p_.display.listen = *s;
                else d_.error(loc_of(*v), "'listen' must be ADDRESS:PORT like 127.0.0.1:5900, got '" + *s + "'");
            }
        }
        if (auto v = r.get("vga")) {
            p_.at.set("display.vga", loc_of(*v));
            if (auto s = read_choice(*v, "vga", key_choices("display", "vga"), d_))
                p_.display.vga = *s == "auto" ? VgaType::automatic : *s == "none" ? VgaType::none : *s == "std" ? VgaType::std : *s == "virtio" ? VgaType::virtio : VgaType::qxl;
        }
        r.finish();
    }

    Profile& p_;
    Diagnostics& d_;
    std::string base_dir_;
};

}  // namespace

LoadedProfile load_profile(const std::string& text, const std::string& file_name, const std::string& base_dir) {
    LoadedProfile out;
    out.profile.source_file = file_name;
    if (size_t bad = first_invalid_utf8(text); bad != std::string::npos) {
        int line = 1 + int(std::count(text.begin(), text.begin() + long(bad), '\n'));
        size_t line_start = text.rfind('\n', bad == 0 ? 0 : bad - 1);
        int column = int(bad - (line_start == std::string::npos || bad == 0 ? 0 : line_start + 1)) + 1;
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", unsigned((unsigned char)text[bad]));
        out.diagnostics.error({line, column}, std::string("the profile is not UTF-8 text here (byte ") + hex +
                                                  "); save it as UTF-8");
        return out;
    }
    if (auto shape = check_yaml_shape(text)) {
        out.diagnostics.error(shape->loc, shape->message);
        return out;
    }
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
        out.diagnostics.error({e.mark.line + 1, e.mark.column + 1}, "YAML syntax error: " + e.msg);
        return out;
    }
    if (root.IsNull()) {
        out.diagnostics.error({1, 1}, "the profile is empty; start with 'name:' and 'memory:' (see profiles/README.md)");
        return out;
    }
    Loader(out.profile, out.diagnostics, base_dir).root(root);
    return out;
}

}  // namespace vmrun
