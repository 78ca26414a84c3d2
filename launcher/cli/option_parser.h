#pragma once
// Reads one command's arguments against its table row (Boost.Program_options
// underneath), and renders the usage and help texts from the same row.

#include <string>
#include <variant>
#include <vector>

#include "cli/command.h"

namespace vmrun::cli {

struct UsageError {
    std::string message;  // "vmrun stop: --timeout takes a number of seconds, got 'abc'"
};
struct HelpRequested {};

using ParseResult = std::variant<ParsedArgs, UsageError, HelpRequested>;

class OptionParser {
public:
    static ParseResult parse(const Command& command, const std::vector<std::string>& args);
};

// "usage: vmrun stop NAME|--qmp PATH [--force] [--timeout SECONDS]\n" (and more_usage lines).
std::string usage_text(const Command& command);
// Usage, description and one line per option.
std::string help_text(const Command& command);

// The options every vm_target command takes besides its own.
const OptionSpec& qmp_target_option();
// Every option `command` takes: its own, --qmp for a vm_target, --help.
std::vector<const OptionSpec*> command_options(const Command& command);

}  // namespace vmrun::cli
