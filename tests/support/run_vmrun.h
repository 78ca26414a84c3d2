#pragma once
// Runs the real vmrun binary as a user would, with its folders pointed at a
// test's temporary directory.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace vmrun::testing {

struct CommandResult {
    int exit_code = -1;
    std::string out, err;
};

struct VmrunEnv {
    std::string runtime_dir, state_dir;
    std::string sysroot = "";  // VMRUN_SYSROOT: a simulated host's sys/, dev/, proc/
    std::string netns = "";    // run vmrun inside this network namespace (ip netns exec)
    std::string working_dir = "";  // vmrun's current directory; "" = the test's
    std::string shm_dir = "";      // VMRUN_SHM_DIR: where Looking Glass's file goes; "" = /dev/shm
    std::map<std::string, std::string> variables;  // more environment (e.g. VMRUN_QEMU)
};

// Runs `vmrun ARGS...`, feeding `input` to stdin, and waits at most `timeout`.
CommandResult run_vmrun(const VmrunEnv& env, const std::vector<std::string>& args, const std::string& input = "",
                        std::chrono::seconds timeout = std::chrono::seconds(120));

// Starts `vmrun ARGS...` without waiting, output appended to `log`; for tests
// that kill it halfway. Returns its pid.
pid_t spawn_vmrun(const VmrunEnv& env, const std::vector<std::string>& args, const std::string& log);

// Waits until `path` contains `text`; false on timeout.
bool wait_for_text(const std::string& path, const std::string& text, std::chrono::seconds timeout);

std::string tiny_guest_dir();  // build/tiny-guest of this checkout
// A demo-like profile (tiny guest, TCG unless VMRUN_TEST_ACCEL=kvm, headless,
// serial socket) named `name`, with `extra` YAML appended.
std::string tiny_guest_profile(const std::string& name, const std::string& extra = "");
// The same with guest_agent: true and the tiny guest that runs Debian's qemu-ga
// (initrd-agent.cpio.gz); `cmdline_extra` goes on the guest's command line.
std::string tiny_guest_agent_profile(const std::string& name, const std::string& extra = "", const std::string& cmdline_extra = "");

}  // namespace vmrun::testing
