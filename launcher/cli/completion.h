#pragma once
// Tab completion, worked out by vmrun itself from the command table: the bash
// and zsh scripts only hand over the words typed so far ('vmrun __complete
// WORD...') and offer what comes back, so they never drift from the binary.

#include <functional>
#include <string>
#include <vector>

#include "cli/command.h"

namespace vmrun::cli {

// What the shell adds to the candidates: profile files (*.yaml, *.yml and
// folders), any file, or nothing.
enum class CompletionFiles { none, profiles, any };

struct Candidate {
    std::string word, description;
};

struct Completion {
    CompletionFiles files = CompletionFiles::none;
    std::vector<Candidate> candidates;  // not yet filtered by the word under the cursor
};

// What a completion may need from the host; each is asked only when the word
// being completed calls for it.
struct CompletionSources {
    std::function<std::vector<std::string>()> running_vms;
    std::function<std::vector<std::string>()> known_vms;  // with a state folder: what restore can act on
    std::function<std::vector<std::string>(const std::string& vm)> device_ids;
    std::function<std::vector<Candidate>()> pci_functions;
};

// `words`: what follows "vmrun" on the line; the last is the word under the
// cursor (possibly "").
Completion complete(const std::vector<std::string>& words, const CompletionSources& sources);

// The answer 'vmrun __complete' prints: "files:none|profiles|any", then one
// "word<TAB>description" line per candidate starting with the current word.
std::string format_completion(const Completion& completion, const std::string& current);

// The script a shell sources: "bash" or "zsh"; "" for any other.
std::string completion_script(const std::string& shell);

}  // namespace vmrun::cli
