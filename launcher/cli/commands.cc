#include "command.h"

namespace vmrun::cli {

int run_dry_run(const std::vector<std::string>& args);
int run_validate(const std::vector<std::string>& args);

bool wants_help(const std::vector<std::string>& args) {
    for (const auto& a : args)
        if (a == "--help" || a == "-h") return true;
    return false;
}

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        {"dry-run", "print the QEMU command for a profile without running it",
         "usage: vmrun --dry-run PROFILE [--json]\n"
         "       vmrun dry-run PROFILE [--json]\n\n"
         "Validates PROFILE, plans the VM (root ports, addresses, firmware files) and prints\n"
         "the QEMU command line as one shell-quoted, copy-pasteable line, or with --json as\n"
         "a JSON array of arguments. Changes nothing on the host.\n",
         run_dry_run},
        {"validate", "check a profile and report every problem with file:line:column",
         "usage: vmrun validate PROFILE\n\n"
         "Reports every problem in PROFILE at once, each as file:line:column with the line\n"
         "and a caret. Exit code 65 when the profile has errors, 0 when it is valid.\n",
         run_validate},
    };
    return table;
}

}  // namespace vmrun::cli
