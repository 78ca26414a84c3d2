// vmrun's entry point: global flags, then one command from the table in
// commands.cc, whose arguments the one option parser reads. Each command is a
// file of its own (cmd_*.cc); this file only dispatches.

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "base/did_you_mean.h"
#include "base/exit_codes.h"
#include "cli/command.h"
#include "cli/option_parser.h"

namespace {

void print_usage(std::ostream& out) {
    out << "vmrun - launch QEMU VMs with PCI passthrough from a YAML profile\n\n"
           "usage: vmrun [-v] PROFILE [--detach]          start a VM\n"
           "       vmrun [-v] COMMAND [ARGS]\n"
           "       vmrun [-v] --dry-run PROFILE [--json]\n\n"
           "commands:\n";
    for (const auto& c : vmrun::cli::commands())
        out << "  " << c.name << std::string(c.name.size() < 14 ? 14 - c.name.size() : 1, ' ') << c.summary << "\n";
    out << "\noptions:\n"
           "  -v, --verbose   log what vmrun does (twice: debug)\n"
           "  -h, --help      this text; 'vmrun COMMAND --help' for one command\n"
           "      --version   print vmrun's version\n\n"
           "exit codes: 0 ok, 1 failure at run time, 64 bad command line, 65 invalid profile\n"
           "profile reference: profiles/README.md\n";
}

bool is_profile_path(const std::string& word) {
    return word.size() > 5 && (word.ends_with(".yaml") || word.ends_with(".yml"));
}

int run_command(const vmrun::cli::Command& command, const std::vector<std::string>& args) {
    using namespace vmrun::cli;
    auto parsed = OptionParser::parse(command, args);
    if (std::holds_alternative<HelpRequested>(parsed)) {
        std::cout << help_text(command);
        return vmrun::kExitOk;
    }
    if (auto* bad = std::get_if<UsageError>(&parsed)) {
        std::cerr << bad->message << "\n" << usage_text(command) << "see 'vmrun " << command.name << " --help'\n";
        return vmrun::kExitUsage;
    }
    // Last line of defence: what QEMU or a file says must never abort vmrun.
    // (The QMP client already checks every field it reads; a command reading
    // a reply's fields may still meet a shape it did not expect.)
    try {
        return command.run(std::get<ParsedArgs>(parsed));
    } catch (const nlohmann::json::exception& e) {
        std::cerr << "vmrun " << command.name << ": an answer had a shape vmrun cannot read: " << e.what() << "\n";
    } catch (const std::exception& e) {
        std::cerr << "vmrun " << command.name << ": " << e.what() << "\n";
    }
    return vmrun::kExitFailure;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    int verbosity = 0;
    while (!args.empty() && (args.front() == "-v" || args.front() == "--verbose" || args.front() == "-vv")) {
        verbosity += args.front() == "-vv" ? 2 : 1;
        args.erase(args.begin());
    }
    // Diagnostics go to stderr, always: stdout carries what a command prints
    // (JSON for 'vmrun qmp', argv for --dry-run) and must stay clean.
    spdlog::set_default_logger(spdlog::stderr_color_mt("vmrun"));
    spdlog::set_level(verbosity >= 2 ? spdlog::level::debug : verbosity == 1 ? spdlog::level::info : spdlog::level::warn);
    spdlog::set_pattern("vmrun: %^%l%$: %v");

    if (args.empty()) {
        print_usage(std::cerr);
        return vmrun::kExitUsage;
    }
    // The completion scripts' question: not a command of the table, never typed by hand.
    if (args.front() == "__complete") return vmrun::cli::run_complete_words({args.begin() + 1, args.end()});
    if (args.front() == "--version") {
        std::cout << "vmrun " << VMRUN_VERSION << "\n";
        return vmrun::kExitOk;
    }
    if (args.front() == "--help" || args.front() == "-h" || args.front() == "help") {
        if (args.size() > 1)
            if (auto* c = vmrun::cli::find_command(args[1])) {
                std::cout << vmrun::cli::help_text(*c);
                return vmrun::kExitOk;
            }
        print_usage(std::cout);
        return vmrun::kExitOk;
    }
    // "vmrun --dry-run PROFILE" and "vmrun PROFILE --dry-run" both mean dry-run.
    if (std::find(args.begin(), args.end(), "--dry-run") != args.end()) {
        std::erase(args, "--dry-run");
        if (!args.empty() && args.front() == "dry-run") args.erase(args.begin());
        return run_command(*vmrun::cli::find_command("dry-run"), args);
    }
    std::string name = args.front();
    if (auto* c = vmrun::cli::find_command(name)) {
        args.erase(args.begin());
        return run_command(*c, args);
    }
    if (is_profile_path(name)) return run_command(*vmrun::cli::find_command("start"), args);  // vmrun PROFILE

    std::vector<std::string> names;
    for (const auto& c : vmrun::cli::commands()) names.push_back(c.name);
    std::cerr << "vmrun: unknown command '" << name << "'" << vmrun::did_you_mean(name, names)
              << "; a profile's path ends in .yaml; see 'vmrun --help'\n";
    return vmrun::kExitUsage;
}
