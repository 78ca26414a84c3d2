#include "cli/completion.h"

#include <algorithm>

#include "cli/option_parser.h"

namespace vmrun::cli {

namespace {

bool is_verbosity(const std::string& w) { return w == "-v" || w == "-vv" || w == "--verbose"; }

bool is_profile_path(const std::string& w) { return w.ends_with(".yaml") || w.ends_with(".yml"); }

const OptionSpec* find_option(const Command& c, const std::string& word) {
    for (const auto* o : command_options(c)) {
        if (word == "--" + o->name) return o;
        if (o->short_name && word == std::string("-") + o->short_name) return o;
    }
    return nullptr;
}

// "user|tap" and "raw|qcow2" are the values themselves; "VENDOR:PRODUCT|BUS.ADDR" names a shape.
std::vector<std::string> value_choices(const OptionSpec& o) {
    if (o.value_name.find('|') == std::string::npos ||
        o.value_name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789|-") != std::string::npos)
        return {};
    std::vector<std::string> out;
    for (size_t start = 0;;) {
        auto bar = o.value_name.find('|', start);
        out.push_back(o.value_name.substr(start, bar - start));
        if (bar == std::string::npos) return out;
        start = bar + 1;
    }
}

// An option's value: its choices, host PCI functions, or paths.
Completion complete_value(const OptionSpec& o, const std::string& current, const std::string& prefix, const CompletionSources& s) {
    Completion out;
    if (o.name == "pci" && s.pci_functions) {
        // ADDR[,ADDR...]: the next function after those already typed.
        auto comma = current.rfind(',');
        std::string typed = comma == std::string::npos ? "" : current.substr(0, comma + 1);
        for (auto& c : s.pci_functions()) out.candidates.push_back({prefix + typed + c.word, c.description});
        return out;
    }
    if (o.value_name == "PATH" || o.value_name == "DIR" || o.value_name == "EVDEV") {
        out.files = CompletionFiles::any;
        return out;
    }
    for (auto& v : value_choices(o)) out.candidates.push_back({prefix + v, o.help});
    return out;
}

Completion names(const std::vector<std::string>& vms) {
    Completion out;
    for (const auto& n : vms) out.candidates.push_back({n, "VM"});
    return out;
}

}  // namespace

Completion complete(const std::vector<std::string>& typed, const CompletionSources& s) {
    std::vector<std::string> words;
    for (size_t i = 0; i < typed.size(); ++i)
        if (i + 1 == typed.size() || !is_verbosity(typed[i])) words.push_back(typed[i]);
    if (words.empty()) words.push_back("");
    const std::string& current = words.back();
    Completion out;

    // The first word: a command, a profile (vmrun PROFILE), or a global option.
    if (words.size() == 1) {
        if (current.rfind("-", 0) == 0) {
            for (const char* o : {"--help", "--version", "--verbose", "--dry-run"}) out.candidates.push_back({o, ""});
            return out;
        }
        for (const auto& c : commands()) out.candidates.push_back({c.name, c.summary});
        out.files = CompletionFiles::profiles;
        return out;
    }
    std::string name = words[0];
    if (name == "--dry-run") name = "dry-run";
    const Command* command = find_command(name);
    bool profile_given = false;
    if (!command && is_profile_path(name)) {
        command = find_command("start");
        profile_given = true;
    }
    if (!command) return out;

    // Walk the words between the command and the cursor: options (and the
    // values they take) and positionals.
    std::vector<std::string> positionals;
    std::vector<const OptionSpec*> given;
    const OptionSpec* awaiting_value = nullptr;
    for (size_t i = 1; i + 1 < words.size(); ++i) {
        const auto& w = words[i];
        if (awaiting_value) {
            awaiting_value = nullptr;
            continue;
        }
        if (w.rfind("-", 0) == 0 && w.size() > 1) {
            auto eq = w.find('=');
            if (const auto* o = find_option(*command, w.substr(0, eq))) {
                given.push_back(o);
                if (o->kind != ValueKind::none && o->kind != ValueKind::optional && eq == std::string::npos) awaiting_value = o;
            }
            continue;
        }
        positionals.push_back(w);
    }
    if (awaiting_value) return complete_value(*awaiting_value, current, "", s);
    if (current.rfind("-", 0) == 0) {
        auto eq = current.find('=');
        if (eq != std::string::npos) {
            if (const auto* o = find_option(*command, current.substr(0, eq)); o && o->kind != ValueKind::none)
                return complete_value(*o, current.substr(eq + 1), current.substr(0, eq + 1), s);
            return out;
        }
        for (const auto* o : command_options(*command))
            if (std::find(given.begin(), given.end(), o) == given.end())
                out.candidates.push_back({"--" + o->name, o->help});
        return out;
    }

    // The positional under the cursor, by its name in the table.
    std::vector<std::string> expected;
    bool via_qmp = std::any_of(given.begin(), given.end(), [](auto* o) { return o->name == "qmp"; });
    if (!profile_given) {
        if (command->vm_target && !via_qmp) expected.push_back("NAME");
        for (const auto& p : command->positionals) expected.push_back(p.name);
    }
    if (positionals.size() >= expected.size()) return out;
    const auto& slot = expected[positionals.size()];
    if (slot == "PROFILE") {
        out.files = CompletionFiles::profiles;
    } else if (slot == "NAME" && command->name == "restore") {
        if (s.known_vms) out = names(s.known_vms());  // a crashed VM is not running
    } else if (slot == "NAME") {
        if (s.running_vms) out = names(s.running_vms());
    } else if (slot == "ID") {
        std::string vm = command->vm_target && !via_qmp && !positionals.empty() ? positionals[0] : "";
        if (!vm.empty() && s.device_ids)
            for (auto& id : s.device_ids(vm)) out.candidates.push_back({id, "device in " + vm});
    } else if (slot == "SHELL") {
        out.candidates = {{"bash", ""}, {"zsh", ""}};
    } else if (slot == "FORMAT") {
        out.candidates = {{"libvirt", "a libvirt domain XML (virsh define / dumpxml)"}};
    } else if (slot == "XML") {
        out.files = CompletionFiles::any;
    }
    return out;
}

std::string format_completion(const Completion& c, const std::string& current) {
    static const char* kinds[] = {"none", "profiles", "any"};
    std::string out = std::string("files:") + kinds[int(c.files)] + "\n";
    for (const auto& x : c.candidates) {
        if (x.word.rfind(current, 0) != 0) continue;
        std::string description = x.description;
        std::replace(description.begin(), description.end(), '\n', ' ');
        std::replace(description.begin(), description.end(), '\t', ' ');
        out += x.word + (description.empty() ? "" : "\t" + description) + "\n";
    }
    return out;
}

}  // namespace vmrun::cli
