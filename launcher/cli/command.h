#pragma once
// One subcommand of the vmrun CLI. Each lives in its own cmd_*.cc and gets the
// arguments after its name.

#include <string>
#include <vector>

namespace vmrun::cli {

struct Command {
    const char* name;
    const char* summary;  // one line for 'vmrun --help'
    const char* help;     // full text for 'vmrun NAME --help'
    int (*run)(const std::vector<std::string>& args);
};

const std::vector<Command>& commands();

// True when args hold --help or -h; subcommands print their help then.
bool wants_help(const std::vector<std::string>& args);

}  // namespace vmrun::cli
