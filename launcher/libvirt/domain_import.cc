#include "libvirt/domain_import.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <climits>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <boost/property_tree/ptree.hpp>
#include <nlohmann/json.hpp>

#include "base/cpu_list.h"
#include "base/qemu_option_text.h"
#include "libvirt/metadata.h"
#include "base/utf8.h"
#include "libvirt/xml_reader.h"
#include "profile/profile_edit.h"
#include "profile/hyperv_set.h"
#include "profile/smbios_fields.h"

namespace vmrun {

namespace {

using boost::property_tree::ptree;

std::string attr(const ptree& n, const std::string& name, const std::string& fallback = "") {
    return n.get<std::string>("<xmlattr>." + name, fallback);
}

std::string content(const ptree& n) {
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

// 52:54:00:12:34:56, written plain as profiles write it (yaml_scalar would
// quote it for its leading digit).
bool mac_address(const std::string& s) {
    if (s.size() != 17) return false;
    for (size_t k = 0; k < s.size(); ++k)
        if (k % 3 == 2 ? s[k] != ':' : !std::isxdigit(static_cast<unsigned char>(s[k]))) return false;
    return true;
}

bool digits(const std::string& s, size_t most = 9) {
    return !s.empty() && s.size() <= most && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
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

std::string two_hex_digits(unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02x", v);
    return buf;
}

// Text as lines of the profile's header comment. yaml-cpp starts a line it
// is given after '\n' with '#' again, but YAML and editors also break lines
// at \r, NEL, LS and PS, so the text is cut at each of them; other control
// characters are not YAML text and become spaces (`altered` says so).
std::vector<std::string> comment_lines(const std::string& s, bool* altered = nullptr) {
    std::vector<std::string> lines(1);
    for (size_t k = 0; k < s.size(); ++k) {
        unsigned char c = s[k], next = k + 1 < s.size() ? s[k + 1] : 0, third = k + 2 < s.size() ? s[k + 2] : 0;
        if (c == '\r' && next == '\n') continue;
        if (c == '\n' || c == '\r') {
            lines.emplace_back();
        } else if (c == 0xC2 && next == 0x85) {  // NEL
            lines.emplace_back();
            k += 1;
        } else if (c == 0xE2 && next == 0x80 && (third == 0xA8 || third == 0xA9)) {  // LS, PS
            lines.emplace_back();
            k += 2;
        } else if ((c < 0x20 && c != '\t') || c == 0x7F || (c == 0xC2 && next >= 0x80 && next <= 0x9F)) {
            lines.back() += ' ';
            k += c == 0xC2;
            if (altered) *altered = true;
        } else {
            lines.back() += char(c);
        }
    }
    return lines;
}

// A value of the profile as the importer builds it. Nothing is pasted into
// YAML text: the emitter writes each value, so whatever a value from the XML
// holds (a newline, ': ', a '#') it stays that one value.
// A map's entry: a struct of its own, not std::pair, which cannot hold the
// still incomplete Yaml (clang with libstdc++ refuses it).
struct YamlEntry;

struct Yaml {
    enum class Kind { word, text, map, list };
    Kind kind = Kind::map;
    bool flow = false;
    std::string scalar;
    std::vector<YamlEntry> entries;  // a map's, in the order written
    std::vector<Yaml> items;         // a list's
};

struct YamlEntry {
    std::string key;
    Yaml value;
};

// vmrun's own words (q35, 8G, true, 4): plain.
Yaml word(const std::string& w) { return {Yaml::Kind::word, false, w, {}, {}}; }
Yaml word(uint64_t n) { return word(std::to_string(n)); }
// A string from the XML: plain when YAML reads it back as that same string
// (yaml_scalar's rule, which also keeps "0000:01:00.0" quoted), else quoted.
Yaml str(const std::string& s) { return {Yaml::Kind::text, false, s, {}, {}}; }
Yaml map(bool flow = false) { return {Yaml::Kind::map, flow, "", {}, {}}; }
Yaml list(bool flow = false) { return {Yaml::Kind::list, flow, "", {}, {}}; }
bool empty(const Yaml& y) { return y.entries.empty() && y.items.empty(); }

// Recursion over what the importer built (a profile is four levels deep at
// most), never over the XML.
void emit(YAML::Emitter& out, const Yaml& y) {
    switch (y.kind) {
        case Yaml::Kind::word:
            out << y.scalar;
            break;
        case Yaml::Kind::text:
            if (yaml_scalar(y.scalar) != y.scalar) out << YAML::DoubleQuoted;
            out << y.scalar;
            break;
        case Yaml::Kind::map:
            out << (y.flow ? YAML::Flow : YAML::Block) << YAML::BeginMap;
            for (const auto& [key, value] : y.entries) {
                out << YAML::Key;
                emit(out, str(key));
                out << YAML::Value;
                emit(out, value);
            }
            out << YAML::EndMap;
            break;
        case Yaml::Kind::list:
            out << (y.flow ? YAML::Flow : YAML::Block) << YAML::BeginSeq;
            for (const auto& item : y.items) emit(out, item);
            out << YAML::EndSeq;
            break;
    }
}

std::string shown(const Yaml& y) {
    if (y.kind == Yaml::Kind::word || y.kind == Yaml::Kind::text) return y.scalar;
    YAML::Emitter out;
    out << YAML::Flow;
    emit(out, y);
    return out.c_str();
}

// A JSON list of strings (how vmrun export writes a command's words), else
// nullopt. Read through nlohmann's SAX interface so that anything else is
// refused where it starts instead of built first: a list nested a million
// deep would have been a million nodes.
std::optional<std::vector<std::string>> json_words(const std::string& text) {
    using json = nlohmann::json;
    struct Words {
        std::vector<std::string> words;
        int depth = 0;
        bool null() { return false; }
        bool boolean(bool) { return false; }
        bool number_integer(json::number_integer_t) { return false; }
        bool number_unsigned(json::number_unsigned_t) { return false; }
        bool number_float(json::number_float_t, const std::string&) { return false; }
        bool string(std::string& s) {
            words.push_back(s);
            return depth == 1;
        }
        bool binary(json::binary_t&) { return false; }
        bool start_object(std::size_t) { return false; }
        bool key(std::string&) { return false; }
        bool end_object() { return false; }
        bool start_array(std::size_t) { return ++depth == 1; }
        bool end_array() { return --depth == 0; }
        bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }
    } sax;
    try {
        if (!json::sax_parse(text, &sax)) return std::nullopt;
    } catch (const std::exception&) {
        return std::nullopt;
    }
    return sax.words;
}

class Importer {
public:
    explicit Importer(const ptree& domain) : d_(domain) {}

    LibvirtImport run(const std::string& source) {
        read_metadata();
        read_qemu_extras();
        auto header = comment_lines("Imported from " + source + " by 'vmrun import libvirt'.");
        for (const char* tag : {"title", "description"})
            if (auto* e = child(d_, tag)) {
                bool altered = false;
                for (auto& line : comment_lines(content(*e), &altered)) header.push_back(line);
                if (altered) warn("<" + std::string(tag) + ">: its control characters are spaces in the profile's comment");
            }
        Yaml p = map();
        put(p, "name", str(d_.get<std::string>("name", "")));
        put(p, "machine", word("q35"));
        put(p, "accelerator", word(attr(d_, "type") == "kvm" ? "kvm" : "tcg"));
        memory(p);
        cpu(p);
        clock(p);
        power_management(p);
        os(p);
        smbios(p);  // <sysinfo> is beside <os>, not in it: read without an <os> too
        devices(p);
        if (auto v = meta_choice("serial", {"socket", "stdio", "none"})) put(p, "serial", *v);
        if (meta("headless")) put(p, "headless", word("true"));
        if (auto v = meta_count("shutdown-timeout")) put(p, "shutdown_timeout", *v);
        if (meta("run-as")) put(p, "run_as", str(meta_.at("run-as")));
        if (meta("sandbox")) put(p, "sandbox", word("true"));
        if (meta_host_display_) host_display(p);
        if (!acpi_tables_.empty()) {
            Yaml tables = list();
            for (const auto& t : acpi_tables_) tables.items.push_back(str(t));
            put(p, "acpi_tables", tables);
        }
        if (!extra_args_.empty()) {
            Yaml args = list();
            for (const auto& a : extra_args_) args.items.push_back(str(a));
            put(p, "qemu_extra_args", args);
        }
        unknown_top_level();

        YAML::Emitter out;
        for (size_t k = 0; k < header.size(); ++k) {
            if (k) out << YAML::Newline;  // a comment after a comment goes on the same line otherwise
            out << YAML::Comment(header[k]);
        }
        emit(out, p);
        if (!out.good()) return {"", {}, source + ": the profile could not be written: " + out.GetLastError()};
        return {std::string(out.c_str()) + "\n", warnings_, ""};
    }

private:
    void warn(const std::string& w) { warnings_.push_back(as_one_line(w)); }

    // A profile says a thing once; a domain can say it twice (two <loader>s,
    // two <system>s): the first is kept.
    void put(Yaml& map, const std::string& key, Yaml value) {
        for (const auto& [k, v] : map.entries)
            if (k == key) {
                warn(key + ": the domain gives it twice; '" + shown(v) + "' kept, '" + shown(value) + "' not carried over");
                return;
            }
        map.entries.push_back({key, std::move(value)});
    }

    // A number libvirt writes (0x01, 4); a value that is not one is read as
    // far as it is one, and said so (once: an address is read more than once).
    unsigned number(const std::string& s, const std::string& what) {
        unsigned long v = 0;
        size_t used = 0;
        try {
            v = std::stoul(s, &used, 0);
        } catch (...) {
            used = 0;
        }
        if (v > UINT_MAX) {
            v = 0;
            used = 0;
        }
        if (!s.empty() && used != s.size() && not_numbers_.insert(what + " '" + s + "'").second)
            warn(what + " '" + s + "': not a number; read as " + std::to_string(v));
        return unsigned(v);
    }

    // libvirt's scaled integers (<memory unit='KiB'>, <page size unit>) in KiB.
    uint64_t kib_of(const std::string& value, std::string unit, const std::string& what) {
        uint64_t v = 0;
        if (!digits(value, 19)) {
            warn(what + " '" + value + "': not a number; read as 0");
            return 0;
        }
        v = std::stoull(value);
        std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) { return std::tolower(c); });
        if (unit == "b" || unit == "bytes") return v / 1024;
        if (unit == "" || unit == "k" || unit == "kib") return v;
        if (unit == "kb") return v * 1000 / 1024;
        if (unit == "m" || unit == "mib") return v << 10;
        if (unit == "mb") return v * 1000 * 1000 / 1024;
        if (unit == "g" || unit == "gib") return v << 20;
        if (unit == "gb") return v * 1000 * 1000 * 1000 / 1024;
        if (unit == "t" || unit == "tib") return v << 30;
        warn(what + " unit '" + unit + "': not one libvirt has; read as 0");
        return 0;
    }

    std::string pci_address_text(const ptree& a) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%04x:%02x:%02x.%x", number(attr(a, "domain", "0"), "<address domain>"),
                      number(attr(a, "bus"), "<address bus>"), number(attr(a, "slot"), "<address slot>"),
                      number(attr(a, "function"), "<address function>"));
        return buf;
    }

    static std::string local_name(const std::string& tag) {
        auto colon = tag.find(':');
        return colon == std::string::npos ? tag : tag.substr(colon + 1);
    }

    bool meta(const std::string& key) const { return meta_.count(key) > 0; }

    // A metadata value the profile takes from a fixed set; anything else is
    // named and left out rather than written for the loader to trip on.
    std::optional<Yaml> meta_choice(const std::string& key, std::initializer_list<const char*> choices) {
        if (!meta(key)) return std::nullopt;
        const auto& v = meta_.at(key);
        for (const char* c : choices)
            if (v == c) return word(v);
        std::string names;
        for (const char* c : choices) names += (names.empty() ? "" : ", ") + std::string(c);
        warn("<metadata><vmrun:" + key + ">" + v + "</vmrun:" + key + ">: not one of " + names + "; not carried over");
        return std::nullopt;
    }

    std::optional<Yaml> meta_count(const std::string& key) {
        if (!meta(key)) return std::nullopt;
        if (digits(meta_.at(key))) return word(meta_.at(key));
        warn("<metadata><vmrun:" + key + ">" + meta_.at(key) + "</vmrun:" + key + ">: not a number; not carried over");
        return std::nullopt;
    }

    // host_display from vmrun's metadata: the unit, or the commands (JSON lists of words).
    void host_display(Yaml& p) {
        const auto& m = *meta_host_display_;
        Yaml h = map();
        if (auto unit = attr(m, "unit"); !unit.empty()) put(h, "unit", str(unit));
        for (auto [key, field] : {std::pair{"stop", "stop"}, std::pair{"start", "start"}, std::pair{"stop-units", "stop_units"}}) {
            auto text = attr(m, key);
            if (text.empty()) continue;
            auto words = json_words(text);
            if (!words) {
                warn("<metadata><vmrun:host-display " + std::string(key) + "='" + text + "'>: not a JSON list of words; not carried over");
                continue;
            }
            Yaml l = list(true);
            for (const auto& w : *words) l.items.push_back(str(w));
            put(h, field, l);
        }
        if (auto t = attr(m, "timeout"); !t.empty()) put(h, "timeout", digits(t) ? word(t) : str(t));
        put(p, "host_display", h);
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
                else if (name == "forward") forwards_[attr(m, "nic")].push_back(content(m));
                else if (name == "hugepages") meta_hugepages_ = m;
                else if (name == "audio") meta_audio_ = m;
                else if (name == "host-display") meta_host_display_ = m;
                else meta_[name] = content(m);
            }
        }
    }

    // A <sound> and the <audio> it plays through (its own <audio id>, else the first);
    // vmrun's metadata, when there, keeps the profile's words (pipewire, user).
    Yaml audio(const std::string& model, const std::map<std::string, const ptree*>& audio_by_id) {
        Yaml out = map();
        if (meta_audio_) {
            for (const char* k : {"backend", "user", "server", "cookie"})
                if (auto v = attr(*meta_audio_, k); !v.empty()) put(out, k, str(v));
        } else {
            const ptree* a = audio_by_id.empty() ? nullptr : audio_by_id.begin()->second;
            auto type = a ? attr(*a, "type") : "none";
            if (type == "pulseaudio") {
                put(out, "backend", word("pulseaudio"));
                if (auto server = attr(*a, "serverName"); !server.empty()) put(out, "server", str(server));
                else warn("<audio type='pulseaudio'> without serverName: set audio.user to the desktop user whose server plays the guest");
            } else if (type == "alsa") {
                put(out, "backend", word("alsa"));
            } else {
                if (type != "none") warn("<audio type='" + type + "'>: vmrun plays through pipewire, pulseaudio or alsa; none here");
                put(out, "backend", word("none"));
            }
        }
        if (model == "ac97") put(out, "model", word("ac97"));
        for (const auto& [id, a] : audio_by_id)
            if (attr(*a, "type") == "alsa")
                if (auto dev = a->get<std::string>("output.<xmlattr>.dev", ""); !dev.empty()) put(out, "device", str(dev));
        return out;
    }

    // The size in the profile's units (whole MiB), said when that rounds.
    Yaml size(uint64_t kib, const std::string& what) {
        if (kib % 1024) warn(what + ": " + std::to_string(kib) + " KiB is not whole MiB; " + size_text(kib) + " (rounded down)");
        return word(size_text(kib));
    }

    void memory(Yaml& p) {
        uint64_t kib = 0;
        if (auto* m = child(d_, "memory")) kib = kib_of(content(*m), attr(*m, "unit"), "<memory>");
        if (auto* c = child(d_, "currentMemory"); c && kib_of(content(*c), attr(*c, "unit"), "<currentMemory>") != kib)
            warn("<currentMemory>: the guest starts with all of <memory>; 'vmrun balloon NAME SIZE' lowers it while it runs");
        put(p, "memory", size(kib, "<memory>"));
        if (meta_hugepages_) {
            Yaml h = map();
            if (auto kib = number(attr(*meta_hugepages_, "size-kib", "0"), "<vmrun:hugepages size-kib>"))
                put(h, "size", size(kib, "<vmrun:hugepages size-kib>"));
            if (auto path = attr(*meta_hugepages_, "path"); !path.empty()) put(h, "path", str(path));
            if (attr(*meta_hugepages_, "allocate") == "yes") put(h, "allocate", word("true"));
            if (attr(*meta_hugepages_, "size-kib", "0") == "0" && attr(*meta_hugepages_, "path").empty() &&
                attr(*meta_hugepages_, "allocate") != "yes")
                put(h, "allocate", word("false"));
            put(p, "hugepages", h);
        } else if (auto* mb = child(d_, "memoryBacking")) {
            for (const auto& [tag, n] : *mb) {
                // Shared RAM follows from shared folders in vmrun.
                if ((tag == "source" && attr(n, "type") == "memfd") || (tag == "access" && attr(n, "mode") == "shared")) continue;
                if (tag != "hugepages") {
                    warn("<memoryBacking><" + tag + ">: not carried over");
                    continue;
                }
                if (auto* page = child(n, "page")) {
                    Yaml h = map();
                    put(h, "size", size(kib_of(attr(*page, "size"), attr(*page, "unit", "KiB"), "<hugepages><page size>"),
                                        "<hugepages><page size>"));
                    put(p, "hugepages", h);
                } else {
                    put(p, "hugepages", word("true"));
                }
            }
        }
    }

    // <topology>'s counts as they are, or <vcpu> when one is not a count.
    Yaml smp(const ptree& topology, unsigned vcpus) {
        Yaml s = map();
        for (const char* key : {"sockets", "cores", "threads"}) {
            auto v = attr(topology, key, "1");
            if (!digits(v, 4)) {
                warn("<cpu><topology " + std::string(key) + "='" + v + "'>: not a count; smp: " + std::to_string(vcpus) +
                     " (the <vcpu> count) instead");
                return word(vcpus);
            }
            put(s, key, word(v));
        }
        for (const char* key : {"dies", "clusters"})
            if (auto v = attr(topology, key, "1"); v != "1")
                warn("<cpu><topology " + std::string(key) + "='" + v + "'>: vmrun's smp has sockets, cores and threads; not carried over");
        return s;
    }

    void cpu(Yaml& p) {
        unsigned vcpus = number(d_.get<std::string>("vcpu", "1"), "<vcpu>");
        const ptree* c = child(d_, "cpu");
        const ptree* topology = c ? child(*c, "topology") : nullptr;
        put(p, "smp", topology ? smp(*topology, vcpus) : word(vcpus));

        Yaml out = map();
        std::string mode = c ? attr(*c, "mode", "custom") : "";
        if (mode == "host-passthrough") put(out, "model", word("host"));
        else if (mode == "host-model") {
            put(out, "model", word("host"));
            warn("<cpu mode='host-model'>: imported as model host (host-passthrough)");
        } else if (mode == "maximum") put(out, "model", word("max"));
        else if (c && child(*c, "model")) put(out, "model", str(c->get<std::string>("model")));

        const ptree* features = child(d_, "features");
        if (features) {
            if (auto* kvm = child(*features, "kvm")) {
                for (const auto& [tag, n] : *kvm) {
                    if (tag == "hidden" && attr(n, "state") == "on") put(out, "hide_kvm", word("true"));
                    else if (tag != "<xmlattr>") warn("<features><kvm><" + tag + ">: not carried over");
                }
            }
            if (auto* hv = child(*features, "hyperv")) hyperv(*hv, out);
            static const std::set<std::string> quiet = {"acpi", "apic", "pae", "hyperv", "kvm", "smm", "<xmlattr>"};
            for (const auto& [tag, n] : *features)
                if (!quiet.count(tag)) warn("<features><" + tag + ">: not carried over");
        }
        Yaml flags = list(true);
        if (c)
            for (const auto& [tag, n] : *c) {
                if (tag == "feature") {
                    auto policy = attr(n, "policy", "require");
                    if (policy == "require" || policy == "force") flags.items.push_back(str("+" + attr(n, "name")));
                    else if (policy == "disable" || policy == "forbid") flags.items.push_back(str("-" + attr(n, "name")));
                    else warn("<cpu><feature policy='" + policy + "' name='" + attr(n, "name") + "'>: not carried over");
                } else if (tag != "model" && tag != "topology" && tag != "<xmlattr>" && tag != "vendor") {
                    warn("<cpu><" + tag + ">: not carried over");
                }
            }
        if (!empty(flags)) put(out, "flags", flags);
        if (auto pin = pinning(vcpus)) put(out, "pin", *pin);
        if (!empty(out)) put(p, "cpu", out);
    }

    // vmrun's hyperv: true is one set (hyperv_set.h); anything else is named.
    void hyperv(const ptree& hv, Yaml& out) {
        std::set<std::string> vmrun_set;
        for (const auto& f : hyperv_set())
            if (!f.libvirt.empty()) vmrun_set.insert(f.libvirt);
        std::set<std::string> on;
        for (const auto& [tag, n] : hv) {
            if (tag == "<xmlattr>") continue;
            if (tag == "vendor_id") {
                if (attr(n, "state") == "on") put(out, "hv_vendor_id", str(attr(n, "value")));
                continue;
            }
            if (attr(n, "state", "on") != "on") continue;
            if (vmrun_set.count(tag)) on.insert(tag);
            else warn("<hyperv><" + tag + ">: not in vmrun's Hyper-V set; not carried over");
            for (const auto& [sub, s] : n)
                if (sub != "<xmlattr>" && attr(s, "state", "on") == "on") {
                    if (vmrun_set.count(tag + "/" + sub)) on.insert(tag + "/" + sub);
                    else warn("<hyperv><" + tag + "><" + sub + ">: not in vmrun's Hyper-V set; not carried over");
                }
        }
        if (attr(hv, "mode") == "passthrough") {
            put(out, "hyperv", word("passthrough"));
            return;
        }
        if (on.empty()) return;
        put(out, "hyperv", word("true"));
        for (auto f : vmrun_set)
            if (!on.count(f)) {
                if (auto slash = f.find('/'); slash != std::string::npos) f = f.substr(0, slash) + "><" + f.substr(slash + 1);
                warn("<hyperv>: vmrun's hyperv: true also turns on <" + f + ">");
            }
    }

    // A cpuset longer than this is no host's: parse_cpu_list spells ranges
    // out, and "0-8191," repeated would be millions of numbers.
    static constexpr size_t kMaxCpusetChars = 1024;

    std::optional<std::vector<int>> cpuset(const std::string& text) {
        if (text.size() > kMaxCpusetChars) return std::nullopt;
        return parse_cpu_list(text);
    }

    std::optional<Yaml> pinning(unsigned vcpus) {
        auto* tune = child(d_, "cputune");
        if (!tune) return std::nullopt;
        std::map<unsigned, int> pins;
        std::string emulator;
        for (const auto& [tag, n] : *tune) {
            if (tag == "vcpupin") {
                auto cpus = cpuset(attr(n, "cpuset"));
                if (!cpus || cpus->size() != 1) {
                    warn("<vcpupin vcpu='" + attr(n, "vcpu") + "' cpuset='" + attr(n, "cpuset") +
                         "'>: vmrun pins a vCPU to one host CPU; pinning not carried over");
                    return std::nullopt;
                }
                pins[number(attr(n, "vcpu"), "<vcpupin vcpu>")] = cpus->front();
            } else if (tag == "emulatorpin") {
                emulator = attr(n, "cpuset");
            } else if (tag != "<xmlattr>") {
                warn("<cputune><" + tag + ">: not carried over");
            }
        }
        Yaml pin = map();
        if (!pins.empty()) {
            if (pins.size() != vcpus || pins.rbegin()->first != vcpus - 1) {
                warn("<cputune>: vmrun pins every vCPU or none; pinning not carried over");
                return std::nullopt;
            }
            Yaml l = list(true);
            for (const auto& [v, cpu] : pins) l.items.push_back(word(uint64_t(cpu)));
            put(pin, "vcpus", l);
        }
        if (!emulator.empty()) {
            if (auto cpus = cpuset(emulator)) {
                Yaml l = list(true);
                for (int cpu : *cpus) l.items.push_back(word(uint64_t(cpu)));
                put(pin, "emulator", l);
            } else {
                warn("<emulatorpin cpuset='" + emulator + "'>: not a CPU list; not carried over");
            }
        }
        if (empty(pin)) return std::nullopt;
        return pin;
    }

    void clock(Yaml& p) {
        auto* c = child(d_, "clock");
        if (!c) return;
        if (attr(*c, "offset") == "localtime") put(p, "rtc", word("localtime"));
        else if (attr(*c, "offset", "utc") != "utc") warn("<clock offset='" + attr(*c, "offset") + "'>: vmrun has utc and localtime; utc");
        for (const auto& [tag, n] : *c)
            if (tag == "timer" && attr(n, "name") == "hpet" && attr(n, "present") == "no") {
                put(p, "hpet", word("false"));
            } else if (tag == "timer" && attr(n, "name") != "hypervclock") {
                std::string what;
                for (const auto& [k, v] : attributes(n)) what += " " + k + "='" + v.data() + "'";
                warn("<clock><timer" + what + ">: QEMU's default is kept");
            }
    }

    // vmrun has one switch for both sleep states; a domain that keeps one of
    // them gets neither (a passed GPU survives neither).
    void power_management(Yaml& p) {
        auto* pm = child(d_, "pm");
        if (!pm) return;
        std::map<std::string, std::string> enabled;
        for (const auto& [tag, n] : *pm) {
            if (tag == "<xmlattr>") continue;
            if (tag == "suspend-to-mem" || tag == "suspend-to-disk") enabled[tag] = attr(n, "enabled");
            else warn("<pm><" + tag + ">: not carried over");
        }
        bool any_off = false, any_on = false;
        for (const auto& [tag, e] : enabled) (e == "no" ? any_off : any_on) = true;
        if (any_off) put(p, "guest_sleep", word("false"));
        else if (any_on) put(p, "guest_sleep", word("true"));
        if (any_off && any_on) warn("<pm>: one sleep state on and one off; vmrun's guest_sleep: false turns both off");
    }

    void os(Yaml& p) {
        auto* o = child(d_, "os");
        if (!o) return;
        auto machine = o->get<std::string>("type.<xmlattr>.machine", "q35");
        if (machine.find("q35") == std::string::npos) warn("<os><type machine='" + machine + "'>: vmrun runs q35 only");
        if (auto arch = o->get<std::string>("type.<xmlattr>.arch", "x86_64"); arch != "x86_64")
            warn("<os><type arch='" + arch + "'>: vmrun runs x86_64 guests only");
        std::string boot_order;
        Yaml firmware = map(), kernel = map();
        put(firmware, "type", word("ovmf"));
        bool menu = false;
        for (const auto& [tag, n] : *o) {
            if (tag == "loader") {
                put(firmware, "code", str(content(n)));
                if (attr(n, "secure") == "yes") put(firmware, "secure_boot", word("true"));
            } else if (tag == "nvram") {
                if (auto t = attr(n, "template"); !t.empty()) put(firmware, "vars_template", str(t));
                auto own = "/var/lib/vmrun/" + d_.get<std::string>("name", "") + "/OVMF_VARS.fd";
                if (!content(n).empty() && content(n) != own)
                    warn("<nvram>" + content(n) + "</nvram>: vmrun keeps the guest's variables in its state folder "
                         "(/var/lib/vmrun/NAME/OVMF_VARS.fd); copy this file there to keep the boot entries");
            } else if (tag == "boot") {
                auto dev = attr(n, "dev");
                char letter = dev == "hd" ? 'c' : dev == "cdrom" ? 'd' : dev == "network" ? 'n' : dev == "fd" ? 'a' : 0;
                if (letter) boot_order += letter;
                else warn("<os><boot dev='" + dev + "'>: not carried over");
            } else if (tag == "bootmenu") {
                menu = attr(n, "enable") == "yes";
            } else if (tag == "kernel" || tag == "initrd" || tag == "cmdline") {
                put(kernel, tag == "kernel" ? std::string("image") : tag, str(content(n)));
            } else if (tag == "smbios") {
                smbios_host_ = attr(n, "mode") == "host";
            } else if (tag != "type" && tag != "<xmlattr>") {
                warn("<os><" + tag + ">: not carried over");
            }
        }
        bool efi = attr(*o, "firmware") == "efi" || firmware.entries.size() > 1;
        if (meta("reset-nvram")) put(firmware, "reset_nvram", word("true"));
        if (efi) {
            if (firmware.entries.size() == 1) warn("<os firmware='efi'>: vmrun's default OVMF files");
            put(p, "firmware", firmware);
        }
        if (boot_order == "c") {
            // What libvirt writes when nothing was asked; QEMU's own order starts with the disk too.
            warn("<os><boot dev='hd'/> alone (libvirt's default): QEMU's default boot order (disk first) is kept");
            boot_order.clear();
        }
        if (menu || (!boot_order.empty() && !any_disk_boot_order())) {
            Yaml boot = map();
            if (menu) put(boot, "menu", word("true"));
            if (!boot_order.empty() && !any_disk_boot_order())
                put(boot, "order", word(boot_order));
            else if (!boot_order.empty())
                warn("<os><boot dev>: the disks' <boot order> decide (vmrun takes one or the other)");
            put(p, "boot", boot);
        }
        if (!empty(kernel)) put(p, "kernel", kernel);
    }

    bool any_disk_boot_order() const {
        if (auto* devs = child(d_, "devices"))
            for (const auto& [tag, n] : *devs)
                if (tag == "disk" && child(n, "boot")) return true;
        return false;
    }

    static bool smbios_key(int type, const std::string& key) {
        for (const auto& f : smbios_fields())
            if (f.type == type && key == f.key) return true;
        return false;
    }

    void smbios(Yaml& p) {
        static const std::map<std::string, int> kTypes = {{"bios", 0}, {"system", 1}, {"baseBoard", 2}, {"chassis", 3}};
        Yaml s = map();
        if (smbios_host_) put(s, "host", word("true"));
        if (auto* info = child(d_, "sysinfo"))
            for (const auto& [tag, n] : *info) {
                if (tag == "<xmlattr>") continue;
                auto type = kTypes.find(tag);
                if (type == kTypes.end()) {
                    warn("<sysinfo><" + tag + ">: not carried over");
                    continue;
                }
                Yaml fields = map(true);
                for (const auto& [etag, e] : n) {
                    if (etag != "entry") continue;
                    if (auto name = attr(e, "name"); smbios_key(type->second, name)) put(fields, name, str(content(e)));
                    else warn("<sysinfo><" + tag + "><entry name='" + name + "'>: not an SMBIOS string vmrun sets; not carried over");
                }
                if (!empty(fields)) put(s, "type" + std::to_string(type->second), fields);
            }
        if (smbios_host_ && s.entries.size() == 1) put(p, "smbios", word("host"));
        else if (!empty(s)) put(p, "smbios", s);
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

    // A boot order or index: a number, else left out (and said).
    void boot_index(Yaml& item, const std::string& value, const std::string& what) {
        if (value.empty()) return;
        if (digits(value, 4)) put(item, "boot_index", word(value));
        else warn(what + " '" + value + "': not a number; not carried over");
    }

    // '-drive if=none,id=drive-X,file=...' + '-device nvme,drive=drive-X,id=X,...' as vmrun export writes them.
    bool nvme_disk(const std::string& drive, const std::string& device) {
        std::map<std::string, std::string> dr, dev;
        for (auto& [k, v] : parse_option(drive).props) dr[k] = v;
        for (auto& [k, v] : parse_option(device).props) dev[k] = v;
        if (dr["if"] != "none" || dr["id"].empty() || dev["drive"] != dr["id"] || dr["file"].empty()) return false;
        Yaml disk = map();
        if (!dev["id"].empty()) put(disk, "id", str(dev["id"]));
        put(disk, "path", str(dr["file"]));
        if (!dr["format"].empty()) put(disk, "format", str(dr["format"]));
        put(disk, "bus", word("nvme"));
        if (!dr["cache"].empty()) put(disk, "cache", str(dr["cache"]));
        if (!dr["aio"].empty()) put(disk, "aio", str(dr["aio"]));
        if (dr["readonly"] == "on") put(disk, "readonly", word("true"));
        boot_index(disk, dev["bootindex"], "-device nvme bootindex");
        nvme_disks_.push_back(disk);
        return true;
    }

    static std::string id_field(const Yaml& item) {
        for (const auto& [k, v] : item.entries)
            if (k == "id") return v.scalar;
        return "";
    }

    void devices(Yaml& p) {
        auto* devs = child(d_, "devices");
        if (!devs) return;
        std::vector<Yaml> disks, nics, passthrough, usb, inputs, folders;
        bool agent = false;
        std::map<unsigned, std::string> root_ports;  // controller index -> model
        std::set<unsigned> buses_used;
        std::optional<Yaml> display, tpm, looking_glass;
        std::string sound_model, toggle;
        std::map<std::string, const ptree*> audio_by_id;
        int virtio_inputs = 0;
        bool balloon = false;
        int hostdev_index = 0;
        for (const auto& [tag, n] : *devs) {
            if (auto* a = child(n, "address"); a && attr(*a, "type") == "pci")
                buses_used.insert(number(attr(*a, "bus"), "<address bus>"));
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
                if (!display) display = graphics(n);
                else warn("a second <graphics>: vmrun has one display");
            } else if (tag == "video") {
                video(n);
            } else if (tag == "tpm") {
                auto model = attr(n, "model", "tpm-crb");
                if (n.get<std::string>("backend.<xmlattr>.type", "") != "emulator")
                    warn("<tpm> with a passthrough backend: vmrun runs swtpm instead");
                if (tpm) warn("a second <tpm>: vmrun gives the guest one");
                else tpm = word(model == "tpm-tis" ? "tis" : "crb");
            } else if (tag == "shmem" && n.get<std::string>("model.<xmlattr>.type", "ivshmem-plain") == "ivshmem-plain" &&
                       attr(n, "name").rfind("looking-glass", 0) == 0) {
                auto* size_element = child(n, "size");
                Yaml lg = map();
                put(lg, "size", size(size_element ? kib_of(content(*size_element), attr(*size_element, "unit", "M"), "<shmem><size>")
                                                  : 32 << 10,
                                     "<shmem><size>"));
                if (meta("looking-glass-owner")) put(lg, "owner", str(meta_.at("looking-glass-owner")));
                if (looking_glass) warn("a second <shmem name='looking-glass…'>: vmrun has one Looking Glass");
                else looking_glass = lg;
            } else if (tag == "memballoon") {
                balloon = attr(n, "model") == "virtio";
            } else if (tag == "filesystem") {
                if (auto item = filesystem(n)) folders.push_back(*item);
            } else if (tag == "channel" && n.get<std::string>("target.<xmlattr>.name", "") == "org.qemu.guest_agent.0") {
                agent = true;
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
            std::map<std::string, size_t> rank_of;  // the first place of each id
            size_t place = 0;
            for (std::string id; ids >> id;) rank_of.emplace(id, place++);
            auto rank = [&](const Yaml& disk) {
                auto r = rank_of.find(id_field(disk));
                return r == rank_of.end() ? place : r->second;
            };
            std::stable_sort(disks.begin(), disks.end(), [&](const Yaml& a, const Yaml& b) { return rank(a) < rank(b); });
        }
        if (tpm && tpm->scalar == "crb" && !meta("tpm-reset")) {
            put(p, "tpm", word("true"));
        } else if (tpm) {
            Yaml t = map();
            put(t, "model", *tpm);
            if (meta("tpm-reset")) put(t, "reset", word("true"));
            put(p, "tpm", t);
        }
        if (looking_glass) put(p, "looking_glass", *looking_glass);
        if (!sound_model.empty()) put(p, "audio", audio(sound_model, audio_by_id));
        if (balloon) put(p, "balloon", word("true"));
        if (agent) put(p, "guest_agent", word("true"));
        auto put_list = [&](const char* key, const std::vector<Yaml>& items) {
            if (items.empty()) return;
            Yaml l = list();
            l.items = items;
            put(p, key, l);
        };
        put_list("input", inputs);
        if (!toggle.empty()) put(p, "input_toggle", str(toggle));
        if (virtio_inputs && inputs.empty())
            warn("<input bus='virtio'> without an <input type='evdev'>: vmrun adds a virtio keyboard and mouse only with 'input'");
        put_list("disks", disks);
        put_list("network", nics);
        put_list("passthrough", passthrough);
        put_list("usb", usb);
        put_list("shared_folders", folders);
        if (!root_ports.empty()) {
            int spare = 0;
            std::set<std::string> models;
            for (const auto& [index, model] : root_ports) {
                models.insert(model);
                if (!buses_used.count(index)) ++spare;
            }
            Yaml rp = map();
            put(rp, "model", word(models.size() == 1 ? *models.begin() : "pcie-root-port"));
            put(rp, "spare", word(uint64_t(std::min(spare, 32))));
            if (auto v = meta_choice("hotplug", {"acpi", "native"})) put(rp, "hotplug", *v);
            put(p, "root_ports", rp);
        }
        if (auto v = meta_choice("display", {"none", "gtk", "vnc", "spice"})) {
            display = map();
            put(*display, "type", *v);
        }
        if (display || !video_.empty()) {
            if (!display) {
                display = map();
                put(*display, "type", word("none"));
            }
            if (!video_.empty()) put(*display, "vga", word(video_));
            put(p, "display", *display);
        }
    }

    // <input type='evdev'><source dev grab='all' repeat='on' grabToggle/>: an input item.
    void evdev_input(const ptree& n, std::vector<Yaml>& inputs, std::string& toggle) {
        auto* src = child(n, "source");
        if (!src || attr(*src, "dev").empty()) {
            warn("<input type='evdev'> without <source dev>: not carried over");
            return;
        }
        Yaml item = map();
        put(item, "evdev", str(attr(*src, "dev")));
        if (attr(*src, "grab") == "all") put(item, "grab_all", word("true"));
        if (attr(*src, "repeat") == "on") put(item, "repeat", word("true"));
        inputs.push_back(item);
        if (auto t = attr(*src, "grabToggle"); !t.empty()) {
            if (!toggle.empty() && toggle != t) warn("<input type='evdev'> grabToggle='" + t + "': vmrun has one toggle for all; '" + toggle + "' kept");
            else toggle = t;
        }
    }

    void controller(const ptree& n, std::map<unsigned, std::string>& root_ports) {
        auto type = attr(n, "type"), model = attr(n, "model");
        if (type == "pci" && model == "pcie-root-port") {
            root_ports[number(attr(n, "index"), "<controller index>")] =
                n.get<std::string>("model.<xmlattr>.name", "pcie-root-port") == "ioh3420" ? "ioh3420" : "pcie-root-port";
            return;
        }
        // vmrun adds these itself when a device needs them.
        if (type == "pci" && model == "pcie-root") return;
        if (type == "usb" && (model == "qemu-xhci" || model == "none" || model == "nec-xhci")) return;
        if (type == "sata" || (type == "scsi" && model == "virtio-scsi") || type == "virtio-serial") return;
        warn("<controller type='" + type + "'" + (model.empty() ? "" : " model='" + model + "'") + ">: not carried over");
    }

    // A virtiofs <filesystem>: a shared folder (9p and the rest are not vmrun's).
    std::optional<Yaml> filesystem(const ptree& n) {
        auto driver = n.get<std::string>("driver.<xmlattr>.type", "path");
        auto dir = n.get<std::string>("source.<xmlattr>.dir", "");
        auto tag = n.get<std::string>("target.<xmlattr>.dir", "");
        if (driver != "virtiofs" || attr(n, "type", "mount") != "mount") {
            warn("<filesystem> " + tag + " with driver '" + driver + "': vmrun shares folders through virtiofs only; not carried over");
            return std::nullopt;
        }
        if (dir.empty() || tag.empty()) {
            warn("<filesystem> without a source dir or target dir: not carried over");
            return std::nullopt;
        }
        Yaml f = map();
        put(f, "path", str(dir));
        put(f, "tag", str(tag));
        if (child(n, "readonly")) put(f, "readonly", word("true"));
        return f;
    }

    std::optional<Yaml> disk(const ptree& n) {
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
        Yaml item = map();
        if (auto id = id_of(n); !id.empty()) put(item, "id", str(id));
        put(item, "path", str(path));
        if (device == "cdrom") put(item, "media", word("cdrom"));
        auto format = n.get<std::string>("driver.<xmlattr>.type", "raw");
        if (format == "raw" || format == "qcow2") put(item, "format", word(format));
        else warn("<disk> " + target + ": format " + format + " is not one vmrun opens (raw, qcow2); written as raw");
        auto bus = n.get<std::string>("target.<xmlattr>.bus", "virtio");
        if (bus == "virtio") put(item, "bus", word("virtio"));
        else if (bus == "scsi") put(item, "bus", word("virtio-scsi"));
        else if (bus == "sata" || bus == "ide") put(item, "bus", word("sata"));
        else warn("<disk> " + target + ": bus " + bus + " is not one of vmrun's; it gets vmrun's default");
        if (auto cache = n.get<std::string>("driver.<xmlattr>.cache", ""); !cache.empty() && cache != "default") put(item, "cache", str(cache));
        if (auto io = n.get<std::string>("driver.<xmlattr>.io", ""); !io.empty() && io != "default") put(item, "aio", str(io));
        if (child(n, "readonly") && device != "cdrom") put(item, "readonly", word("true"));
        boot_index(item, n.get<std::string>("boot.<xmlattr>.order", ""), "<disk> " + target + " <boot order>");
        for (const char* other : {"shareable", "serial", "iotune", "encryption", "blockio"})
            if (child(n, other)) warn("<disk> " + target + " <" + other + ">: not carried over");
        return item;
    }

    std::optional<Yaml> interface(const ptree& n, std::vector<Yaml>& passthrough) {
        auto type = attr(n, "type");
        auto mac = n.get<std::string>("mac.<xmlattr>.address", "");
        Yaml item = map();
        if (auto id = id_of(n); !id.empty()) put(item, "id", str(id));
        if (type == "bridge") {
            put(item, "type", word("tap"));
            put(item, "bridge", str(n.get<std::string>("source.<xmlattr>.bridge", "")));
            auto tap = n.get<std::string>("target.<xmlattr>.dev", "");
            // libvirt's own names (vnetN) are handed out at start; vmrun picks its own.
            if (!tap.empty() && tap.rfind("vnet", 0) != 0) put(item, "tap", str(tap));
        } else if (type == "user") {
            put(item, "type", word("user"));
        } else if (type == "network") {
            put(item, "type", word("user"));
            warn("<interface type='network'> (libvirt network '" + n.get<std::string>("source.<xmlattr>.network", "") +
                 "'): vmrun has no libvirt networks; imported as user networking (use type: tap with its bridge, e.g. virbr0, instead)");
        } else if (type == "hostdev") {
            Yaml vf = map();
            if (auto* a = child(n, "source.address")) put(vf, "host", str(pci_address_text(*a)));
            if (auto id = id_of(n); !id.empty()) put(vf, "id", str(id));
            passthrough.push_back(vf);
            if (!mac.empty()) warn("<interface type='hostdev'> mac " + mac + ": set it with mac: on a pf/vf item");
            return std::nullopt;
        } else {
            warn("<interface type='" + type + "'>: not carried over");
            return std::nullopt;
        }
        if (!mac.empty()) put(item, "mac", mac_address(mac) ? word(mac) : str(mac));
        auto id = id_of(n);
        if (create_bridge_.count(id) && type == "bridge") put(item, "create_bridge", word("true"));
        if (auto f = forwards_.find(id); f != forwards_.end() && type == "user") {
            Yaml l = list(true);
            for (const auto& fw : f->second) l.items.push_back(str(fw));
            put(item, "forwards", l);
        }
        auto model = n.get<std::string>("model.<xmlattr>.type", "virtio");
        if (model == "virtio" || model == "e1000e" || model == "e1000") put(item, "model", word(model));
        else warn("<interface> model " + model + ": vmrun has virtio, e1000e and e1000; virtio");
        return item;
    }

    void hostdev(const ptree& n, const std::string& libvirt_alias, std::vector<Yaml>& passthrough, std::vector<Yaml>& usb) {
        auto type = attr(n, "type");
        auto alias = n.get<std::string>("alias.<xmlattr>.name", libvirt_alias);
        Yaml item = map();
        if (type == "pci") {
            auto* src = child(n, "source.address");
            if (!src) {
                warn("<hostdev type='pci'> without a source address: not carried over");
                return;
            }
            put(item, "host", str(pci_address_text(*src)));
            if (auto id = id_of(n); !id.empty()) put(item, "id", str(id));
            if (x_vga_aliases_.count(alias)) put(item, "x_vga", word("true"));
            if (auto* rom = child(n, "rom")) {
                if (auto bar = attr(*rom, "bar"); !bar.empty()) put(item, "rombar", word(bar == "on" ? "true" : "false"));
                if (auto file = attr(*rom, "file"); !file.empty()) put(item, "romfile", str(file));
            }
            if (auto* a = child(n, "address"); a && number(attr(*a, "bus"), "<address bus>") == 0)
                put(item, "guest_address",
                    str(two_hex_digits(number(attr(*a, "slot"), "<address slot>")) + "." +
                        std::to_string(number(attr(*a, "function"), "<address function>"))));
            if (attr(n, "managed", "no") != "yes")
                warn("<hostdev> " + pci_address_text(*src) + " managed='no': vmrun binds it to vfio-pci itself (and gives it back)");
            passthrough.push_back(item);
        } else if (type == "usb") {
            std::string host;
            if (auto* v = child(n, "source.vendor")) {
                char buf[16];
                std::snprintf(buf, sizeof buf, "%04x:%04x", number(attr(*v, "id"), "<vendor id>"),
                              number(n.get<std::string>("source.product.<xmlattr>.id", "0"), "<product id>"));
                host = buf;
            } else if (auto* a = child(n, "source.address")) {
                host = std::to_string(number(attr(*a, "bus"), "<address bus>")) + "." +
                       std::to_string(number(attr(*a, "device"), "<address device>"));
            }
            put(item, "host", str(host));
            if (auto id = id_of(n); !id.empty()) put(item, "id", str(id));
            usb.push_back(item);
        } else {
            warn("<hostdev type='" + type + "'>: not carried over");
        }
    }

    std::optional<Yaml> graphics(const ptree& n) {
        auto type = attr(n, "type");
        if (type != "vnc" && type != "spice") {
            warn("<graphics type='" + type + "'>: vmrun has vnc, spice and gtk; not carried over");
            return std::nullopt;
        }
        auto address = n.get<std::string>("listen.<xmlattr>.address", attr(n, "listen", "127.0.0.1"));
        auto port = attr(n, "port");
        Yaml out = map();
        put(out, "type", word(type));
        if (attr(n, "autoport") == "yes" || port.empty() || port == "-1")
            warn("<graphics type='" + type + "' autoport='yes'>: vmrun's default port (5900 vnc, 5930 spice)");
        else
            put(out, "listen", str(address + ":" + port));
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
                                                    "sysinfo", "devices", "qemu:commandline", "qemu:override", "metadata", "pm"};
        for (const auto& [tag, n] : d_) {
            if (known.count(tag)) continue;
            if ((tag == "on_poweroff" && content(n) == "destroy") || (tag == "on_reboot" && content(n) == "restart") ||
                (tag == "on_crash" && content(n) == "destroy"))
                continue;  // what vmrun does
            warn("<" + tag + ">" + (content(n).empty() ? "" : content(n) + "</" + tag + ">") + ": not carried over");
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
    std::set<std::string> x_vga_aliases_, not_numbers_;
    std::vector<Yaml> nvme_disks_;
    std::string video_;
    bool smbios_host_ = false;
};

}  // namespace

LibvirtImport import_libvirt_domain(const std::string& xml, const std::string& source) {
    auto read = read_domain_xml(xml, source);
    if (!read.error.empty()) return {"", {}, read.error};
    auto domain = read.tree.get_child_optional("domain");
    if (!domain) return {"", {}, source + ": not a libvirt domain (no <domain> element at the top)"};
    if (domain->get<std::string>("name", "").empty()) return {"", {}, source + ": the domain has no <name>"};
    return Importer(*domain).run(source);
}

}  // namespace vmrun
