// vmrun's entry point: global flags, then one subcommand. Each subcommand is a
// file of its own (cmd_*.cc); this file only dispatches.

#include <spdlog/spdlog.h>

#include <iostream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "base/exit_codes.h"

namespace {

void print_usage(std::ostream& out) {
    out << "vmrun - launch QEMU VMs with PCI passthrough from a YAML profile\n\n"
           "usage: vmrun [-v] PROFILE [--detach]          start a VM\n"
           "       vmrun [-v] COMMAND [ARGS]\n"
           "       vmrun [-v] --dry-run PROFILE [--json]\n\n"
           "commands:\n";
    for (const auto& c : vmrun::cli::commands()) {
        std::string name = c.name;
        out << "  " << name << std::string(name.size() < 12 ? 12 - name.size() : 1, ' ') << c.summary << "\n";
    }
    out << "\noptions:\n"
           "  -v, --verbose   log what vmrun does (twice: debug)\n"
           "  -h, --help      this text; 'vmrun COMMAND --help' for one command\n\n"
           "exit codes: 0 ok, 1 failure at run time, 64 bad command line, 65 invalid profile\n"
           "profile reference: profiles/README.md\n";
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    int verbosity = 0;
    while (!args.empty() && (args.front() == "-v" || args.front() == "--verbose" || args.front() == "-vv")) {
        verbosity += args.front() == "-vv" ? 2 : 1;
        args.erase(args.begin());
    }
    spdlog::set_level(verbosity >= 2 ? spdlog::level::debug : verbosity == 1 ? spdlog::level::info : spdlog::level::warn);
    spdlog::set_pattern("vmrun: %^%l%$: %v");

    if (args.empty()) {
        print_usage(std::cerr);
        return vmrun::kExitUsage;
    }
    if (args.front() == "--help" || args.front() == "-h" || args.front() == "help") {
        if (args.size() > 1)
            for (const auto& c : vmrun::cli::commands())
                if (args[1] == c.name) {
                    std::cout << c.help;
                    return vmrun::kExitOk;
                }
        print_usage(std::cout);
        return vmrun::kExitOk;
    }
    // "vmrun --dry-run PROFILE" and "vmrun PROFILE --dry-run" both mean dry-run.
    std::string name = args.front();
    bool dry_run = false;
    for (const auto& a : args)
        if (a == "--dry-run") dry_run = true;
    bool is_command = false;
    for (const auto& c : vmrun::cli::commands())
        if (name == c.name) is_command = true;
    if (dry_run) {
        if (name == "dry-run") args.erase(args.begin());
        name = "dry-run";
    } else if (is_command) {
        args.erase(args.begin());
    } else if (name.size() > 5 && (name.ends_with(".yaml") || name.ends_with(".yml"))) {
        name = "start";  // vmrun PROFILE
    }

    for (const auto& c : vmrun::cli::commands()) {
        if (name != c.name) continue;
        if (vmrun::cli::wants_help(args)) {
            std::cout << c.help;
            return vmrun::kExitOk;
        }
        return c.run(args);
    }
    std::cerr << "vmrun: unknown command '" << name << "'; see vmrun --help\n";
    return vmrun::kExitUsage;
}
