// host_sleep: block with logind played by python3-dbusmock's logind template
// on a private bus (DBUS_SYSTEM_BUS_ADDRESS): while the tiny guest runs, logind
// lists vmrun's "sleep" inhibitor in block mode; after a stop, and after the
// supervisor is killed, it lists none. A profile without passthrough takes none.

#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "host/run_command.h"
#include "run_vmrun.h"
#include "text_has.h"
#include "vm_under_test.h"

using namespace std::chrono_literals;
using namespace vmrun::testing;

namespace {

// A private bus with the stand-in logind on it, gone with the object.
struct FakeLogind {
    std::string address, why_not;
    pid_t bus = 0, mock = 0;

    FakeLogind() {
        if (!std::filesystem::exists("/usr/bin/python3") || vmrun::find_program("dbus-daemon").empty() ||
            vmrun::find_program("busctl").empty() || vmrun::find_program("systemd-inhibit").empty()) {
            why_not = "dbus-daemon, busctl, systemd-inhibit or python3 missing (scripts/install-deps.sh installs them)";
            return;
        }
        auto started = vmrun::run_command({"dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"}, 10s);
        auto newline = started.output.find('\n');
        if (!started.ok() || newline == std::string::npos) {
            why_not = "dbus-daemon did not start: " + started.describe();
            return;
        }
        address = started.output.substr(0, newline);
        bus = std::stoi(started.output.substr(newline + 1));
        mock = ::fork();
        if (mock == 0) {
            ::setenv("DBUS_SYSTEM_BUS_ADDRESS", address.c_str(), 1);
            ::execl("/usr/bin/python3", "python3", "-m", "dbusmock", "--system", "--template", "logind", (char*)nullptr);
            ::_exit(127);
        }
        for (auto deadline = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < deadline;
             std::this_thread::sleep_for(100ms))
            if (inhibitors().ok()) return;
        why_not = "python3-dbusmock's logind did not come up on " + address;
    }
    ~FakeLogind() {
        if (mock > 0) {
            ::kill(mock, SIGTERM);
            ::waitpid(mock, nullptr, 0);
        }
        if (bus > 0) ::kill(bus, SIGTERM);
    }
    vmrun::CommandOutcome inhibitors() const {
        return vmrun::run_command({"busctl", "--address=" + address, "call", "org.freedesktop.login1", "/org/freedesktop/login1",
                                   "org.freedesktop.login1.Manager", "ListInhibitors"}, 10s);
    }
    // Waits (bounded) for logind's list to say `expected`.
    bool lists_within(const std::string& expected, std::chrono::seconds limit) const {
        for (auto deadline = std::chrono::steady_clock::now() + limit;; std::this_thread::sleep_for(50ms)) {
            if (has(inhibitors().output, expected)) return true;
            if (std::chrono::steady_clock::now() > deadline) return false;
        }
    }
};

// The tiny guest with logind on the private bus, or why not.
struct SleepyVm : VmUnderTest {
    FakeLogind logind;
    SleepyVm() : VmUnderTest("sleepy") { env.variables["DBUS_SYSTEM_BUS_ADDRESS"] = logind.address; }
    bool skipped() const {
        if (logind.why_not.empty()) return false;
        MESSAGE("skipped: " << logind.why_not);
        return true;
    }
};

const std::string kVmrunBlocks = "\"sleep\" \"vmrun\" \"the VM sleepy has a passed-through device";
const std::string kNone = "a(ssssuu) 0";

}  // namespace

TEST_CASE("host_sleep: block holds logind's sleep inhibitor while the VM runs, and lets go after a stop and after a kill") {
    SleepyVm vm;
    if (vm.skipped()) return;
    auto& logind = vm.logind;
    write_file(vm.profile, tiny_guest_profile(vm.name, "host_sleep: block\n"));

    auto check = run_vmrun(vm.env, {"check", vm.profile});
    CHECK(has(check.out, "PASS  sleep      host suspend is blocked while the VM runs"));

    auto start = run_vmrun(vm.env, {"start", vm.profile, "--detach"});
    INFO(start.out << start.err);
    REQUIRE(start.exit_code == 0);
    auto listed = logind.inhibitors().output;
    INFO(listed);
    CHECK(has(listed, kVmrunBlocks));
    CHECK(has(listed, "\"block\""));
    CHECK(run_vmrun(vm.env, {"stop", vm.name, "--force"}).exit_code == 5);
    CHECK(logind.lists_within(kNone, 10s));

    // A killed supervisor's pipe closes with it: the lock goes too.
    REQUIRE(run_vmrun(vm.env, {"start", vm.profile, "--detach"}).exit_code == 0);
    CHECK(has(logind.inhibitors().output, kVmrunBlocks));
    ::kill(vm.supervisor(), SIGKILL);
    CHECK(logind.lists_within(kNone, 10s));
    CHECK(run_vmrun(vm.env, {"restore", vm.name}).exit_code == 0);
}

TEST_CASE("host_sleep: a VM without passthrough takes no inhibitor unless asked; logind missing is a warning, not a failure") {
    SleepyVm vm;
    if (vm.skipped()) return;
    auto& logind = vm.logind;
    write_file(vm.profile, tiny_guest_profile(vm.name, ""));
    REQUIRE(run_vmrun(vm.env, {"start", vm.profile, "--detach"}).exit_code == 0);
    CHECK(has(logind.inhibitors().output, kNone));
    CHECK(run_vmrun(vm.env, {"stop", vm.name, "--force"}).exit_code == 5);

    // No logind on the bus named: the VM starts, the log says why sleep is not blocked.
    vm.env.variables["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=" + vm.dir / "no-bus";
    write_file(vm.profile, tiny_guest_profile(vm.name, "host_sleep: block\n"));
    auto start = run_vmrun(vm.env, {"start", vm.profile, "--detach"});
    INFO(start.out << start.err);
    REQUIRE(start.exit_code == 0);
    CHECK(run_vmrun(vm.env, {"stop", vm.name, "--force"}).exit_code == 5);
    auto log = read_file(vm.paths().log_file());
    CHECK(has(log, "logind did not grant a sleep inhibitor"));
}
