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

// Waits until `path` exists (a socket QEMU creates), or the process died.
bool wait_for_path(const std::string& path, QemuProcess& qemu, std::chrono::milliseconds timeout);

// "kvm" when /dev/kvm is usable and VMRUN_TEST_ACCEL does not say otherwise.
// `runs_guest_code`: this machine's /dev/kvm starts QEMU but cannot boot a
// stock kernel, so tests that run a guest default to TCG unless
// VMRUN_TEST_ACCEL=kvm (set it on real hosts).
std::string test_accelerator(bool runs_guest_code);

std::string qemu_binary();

}  // namespace vmrun::testing
