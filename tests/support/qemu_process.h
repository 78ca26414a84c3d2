#pragma once
// A real QEMU for tests: started from an argv (no shell), its output kept in a
// file for failure messages, killed at scope exit whatever happened.

#include <boost/process.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace vmrun::testing {

class QemuProcess {
public:
    // argv[0] is the binary; output goes to `log_path`.
    QemuProcess(const std::vector<std::string>& argv, const std::string& log_path);
    ~QemuProcess();

    bool running();
    int pid() const { return child_.id(); }
    // Waits for the process to exit; returns its exit code or -1 on timeout.
    int wait_exit(std::chrono::milliseconds timeout);
    void kill();
    std::string output() const;  // what QEMU printed so far

private:
    boost::process::child child_;
    std::string log_path_;
};

// Waits up to `timeout` for `c` to exit; true when it has (its exit code is
// then c.exit_code()). Boost 1.74's child::wait_for can sleep out its whole
// timeout for a child that has already exited while another child lives
// (boostorg/process#223): CI saw 120 s added to tests that ran vmrun beside
// a VM. This asks waitpid (through running()) instead.
bool wait_exit_for(boost::process::child& c, std::chrono::milliseconds timeout);

// Waits until the socket at `path` (one QEMU creates) accepts a connection,
// or the process died.
bool wait_for_path(const std::string& path, QemuProcess& qemu, std::chrono::milliseconds timeout);

// "tcg" unless VMRUN_TEST_ACCEL says otherwise (set VMRUN_TEST_ACCEL=kvm on
// real hosts). Never guessed from /dev/kvm: on a PVM hypervisor it exists,
// starts QEMU, then fails on the first MSR a profile's CPU model sets, and a
// stock kernel hangs at boot under it.
std::string test_accelerator();

std::string qemu_binary();

}  // namespace vmrun::testing
