// vmrun completion SHELL: the script to source. vmrun __complete WORD...: what
// that script asks for, with the host's running VMs, device ids and PCI functions.

#include <iostream>

#include "base/exit_codes.h"
#include "cli/command.h"
#include "cli/completion.h"
#include "vm/completion_facts.h"
#include "vm/running_vms.h"

namespace vmrun::cli {

namespace {

std::vector<Candidate> pci_functions() {
    std::vector<Candidate> out;
    for (auto& f : host_function_choices()) out.push_back({std::move(f.address), std::move(f.description)});
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
    CompletionSources sources{running_vm_names, known_vm_names, device_ids_of, pci_functions};
    auto c = complete(words, sources);
    std::cout << format_completion(c, words.empty() ? "" : words.back());
    return kExitOk;
}

}  // namespace vmrun::cli
