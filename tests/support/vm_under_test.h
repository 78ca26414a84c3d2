#pragma once
// A VM a test starts through the vmrun binary: its folders under a temporary
// directory, its pids, and a destructor that kills whatever a failed check
// left running.

#include <signal.h>

#include <string>

#include "run/instance_lock.h"
#include "run/vm_folders.h"
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

    // The same names vmrun derives, from the same place.
    VmPaths paths() const { return {name, env.runtime_dir + "/" + name, env.state_dir + "/" + name}; }
    std::string runtime() const { return paths().runtime_dir; }
    std::string state() const { return paths().state_dir; }
    pid_t supervisor() const { return vmrun::read_pid_file(paths().supervisor_pid_file()).value_or(0); }
    pid_t qemu() const { return vmrun::read_pid_file(paths().qemu_pid_file()).value_or(0); }
};

}  // namespace vmrun::testing
