#pragma once
// Runs a host command vmrun needs (systemctl, modprobe, a display manager's
// own stop and start commands): an argv, never a shell, with a time limit,
// its output kept for the message when it fails.

#include <chrono>
#include <string>
#include <vector>

namespace vmrun {

struct CommandOutcome {
    int exit_code = -1;  // -1: could not be started, or killed at the limit
    bool timed_out = false;
    std::string output;  // stdout and stderr, the last few KiB
    bool ok() const { return exit_code == 0; }
    // "exit status 3: <output>", "not found", "still running after 30 s"
    std::string describe() const;
};

// argv[0] without a '/' is looked for in PATH, and in /usr/sbin and /sbin
// (a user's PATH under sudo may lack them).
// The program run_command would run for argv[0]: itself when it has a '/'
// and is executable, else found in PATH, /usr/sbin or /sbin; "" when none.
std::string find_program(const std::string& name);

CommandOutcome run_command(const std::vector<std::string>& argv, std::chrono::seconds limit);

}  // namespace vmrun
