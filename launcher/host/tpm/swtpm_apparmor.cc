#include "host/tpm/swtpm_apparmor.h"

#include <fnmatch.h>

#include <fstream>
#include <sstream>

namespace vmrun {

namespace {

std::string read_all(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// AppArmor's ** crosses '/', * does not.
bool glob_match(const std::string& pattern, const std::string& path) {
    if (pattern.size() >= 3 && pattern.compare(pattern.size() - 3, 3, "/**") == 0) {
        auto base = pattern.substr(0, pattern.size() - 3);
        if (base.find('*') == std::string::npos) return path.rfind(base + "/", 0) == 0;
    }
    std::string p = pattern;
    for (size_t at; (at = p.find("**")) != std::string::npos;) p.replace(at, 2, "*");
    bool crosses = pattern.find("**") != std::string::npos;
    return ::fnmatch(p.c_str(), path.c_str(), crosses ? 0 : FNM_PATHNAME) == 0;
}

}  // namespace

std::vector<std::string> apparmor_writable_paths(const std::string& profile_text) {
    std::vector<std::string> out;
    std::istringstream in(profile_text);
    for (std::string line; std::getline(in, line);) {
        std::istringstream words(line);
        std::string first, second, third;
        words >> first;
        if (first == "owner" || first == "audit") words >> first;
        if (first.empty() || first[0] != '/' || first.find("@{") != std::string::npos) continue;
        words >> second;
        while (!second.empty() && second.back() == ',') second.pop_back();
        if (second.find('w') != std::string::npos || second.find('a') != std::string::npos) out.push_back(first);
    }
    return out;
}

bool apparmor_allows(const std::vector<std::string>& rules, const std::string& path) {
    // A file in the folder: what swtpm writes is DIR/tpm2-00.permall, DIR/.lock.
    auto file = path + "/tpm2-00.permall";
    for (const auto& r : rules)
        if (glob_match(r, file)) return true;
    return false;
}

std::optional<Failure> swtpm_apparmor_problem(const std::string& sysroot, const std::string& state_dir) {
    auto profiles = read_all(sysroot + "/sys/kernel/security/apparmor/profiles");
    bool enforced = false;
    std::istringstream lines(profiles);
    for (std::string line; std::getline(lines, line);)
        if ((line.rfind("swtpm ", 0) == 0 || line.rfind("/usr/bin/swtpm ", 0) == 0) && line.find("(enforce)") != std::string::npos)
            enforced = true;
    if (!enforced) return std::nullopt;
    const std::string profile = sysroot + "/etc/apparmor.d/usr.bin.swtpm", local = sysroot + "/etc/apparmor.d/local/usr.bin.swtpm";
    auto rules = apparmor_writable_paths(read_all(profile) + "\n" + read_all(local));
    if (apparmor_allows(rules, state_dir)) return std::nullopt;
    return Failure{"AppArmor confines swtpm (profile usr.bin.swtpm, enforced) to its own folders, and it may not write "
                   "its state in " + state_dir + ": the TPM would fail at its first write",
                   "let it: add the line '" + state_dir + "/** rwk,' to /etc/apparmor.d/local/usr.bin.swtpm, then "
                   "apparmor_parser -r /etc/apparmor.d/usr.bin.swtpm",
                   "/etc/apparmor.d/usr.bin.swtpm"};
}

}  // namespace vmrun
