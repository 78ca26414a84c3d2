#pragma once
// A VM a test starts through the vmrun binary: its folders under a temporary
// directory, its pids, and a destructor that kills whatever a failed check
// left running.

#include <signal.h>

#include <string>

#include "run/run_folder.h"
#include "run_vmrun.h"
#include "temp_dir.h"

namespace vmrun::testing {

struct VmUnderTest {
    TempDir dir;
    VmrunEnv env;
    std::string name, profile;

    explicit VmUnderTest(const std::string& vm_name, const std::string& netns = "") : name(vm_name) {
        env = {dir / "run", dir / "state", "", netns};
        profile = dir / (name + ".yaml");
    }
    ~VmUnderTest() {
        if (pid_t p = supervisor()) ::kill(p, SIGKILL);
        if (pid_t p = qemu()) ::kill(p, SIGKILL);
    }
    VmUnderTest(const VmUnderTest&) = delete;
    VmUnderTest& operator=(const VmUnderTest&) = delete;

    std::string runtime() const { return env.runtime_dir + "/" + name; }
    std::string state() const { return env.state_dir + "/" + name; }
    pid_t supervisor() const { return vmrun::read_pid_file(runtime() + "/supervisor.pid").value_or(0); }
    pid_t qemu() const { return vmrun::read_pid_file(runtime() + "/qemu.pid").value_or(0); }
};

}  // namespace vmrun::testing
