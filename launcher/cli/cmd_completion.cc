// vmrun completion SHELL: the script to source. vmrun __complete WORD...: what
// that script asks for, with the host's running VMs, device ids and PCI functions.

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "base/exit_codes.h"
#include "cli/command.h"
#include "cli/completion.h"
#include "host/pci/pci_sysfs.h"
#include "vm/load_plan.h"
#include "qmp/client.h"
#include "run/instance_lock.h"
#include "run/vm_folders.h"

namespace vmrun::cli {

namespace {

// Folder names under the parent of a VM folder (runtime or state), sorted.
std::vector<std::string> vm_folders(bool runtime) {
    auto probe = vm_paths_for("x");
    auto base = std::filesystem::path(runtime ? probe.runtime_dir : probe.state_dir).parent_path();
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(base, ec))
        if (e.is_directory(ec)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> running_vm_names() {
    std::vector<std::string> out;
    for (const auto& name : vm_folders(true)) {
        pid_t holder = 0;
        if (vm_running(vm_paths_for(name), holder)) out.push_back(name);
    }
    return out;
}

std::vector<std::string> known_vms() {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& name : vm_folders(false))
        if (std::filesystem::exists(vm_paths_for(name).journal_file(), ec)) out.push_back(name);
    return out;
}

// The ids QEMU knows the VM's devices by; a second at most, as a shell waits.
std::vector<std::string> device_ids(const std::string& vm) {
    qmp::Timeouts t;
    t.connect = std::chrono::milliseconds(1000);
    t.command = std::chrono::milliseconds(1000);
    qmp::Client c({}, t);
    std::vector<std::string> out;
    if (c.connect_unix(vm_paths_for(vm).qmp_socket())) return out;
    auto r = c.execute("qom-list", {{"path", "/machine/peripheral"}});
    if (r && r.value.is_array())
        for (const auto& e : r.value)
            if (e.is_object() && e.value("type", "").rfind("child<", 0) == 0 && e.contains("name") && e["name"].is_string())
                out.push_back(e["name"]);
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<Candidate> pci_functions() {
    std::vector<Candidate> out;
    for (const auto& f : read_pci_functions(probe_host_facts("completion").sysroot)) {
        if (f.is_bridge()) continue;
        out.push_back({f.address.str(), f.ids() + " " + (f.driver.empty() ? "unbound" : f.driver)});
    }
    return out;
}

}  // namespace

int run_completion(const ParsedArgs& args) {
    auto shell = args.positional("SHELL");
    auto script = completion_script(shell);
    if (script.empty()) {
        std::cerr << "vmrun completion: no completion for '" << shell << "'; give bash or zsh\n";
        return kExitUsage;
    }
    std::cout << script;
    return kExitOk;
}

int run_complete_words(const std::vector<std::string>& words) {
    CompletionSources sources{running_vm_names, known_vms, device_ids, pci_functions};
    auto c = complete(words, sources);
    std::cout << format_completion(c, words.empty() ? "" : words.back());
    return kExitOk;
}

}  // namespace vmrun::cli
