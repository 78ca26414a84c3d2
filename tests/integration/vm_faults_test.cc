// Every way a run can end badly, each leaving nothing behind: QEMU killed,
// the supervisor killed (then `vmrun restore`, or the next start), a second
// start, QEMU refusing an option, a guest that never answers an unplug, and
// Ctrl-C in the foreground.

#include <doctest/doctest.h>

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include <boost/process.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "text_has.h"
#include "net_namespace.h"
#include "qemu_process.h"
#include "host/process_watch.h"
#include "run/instance_lock.h"
#include "run/vm_folders.h"
#include "run_vmrun.h"
#include "temp_dir.h"
#include "vm_under_test.h"

using namespace std::chrono_literals;
using namespace vmrun::testing;
namespace fs = std::filesystem;

namespace {


struct Vm : VmUnderTest {
    explicit Vm(const std::string& vm_name, const std::string& extra = "") : VmUnderTest(vm_name) {
        write_file(profile, tiny_guest_profile(name, extra));
    }
    int last_exit_code() const {
        auto j = nlohmann::json::parse(read_file(state() + "/last-exit.json"), nullptr, false);
        return j.is_discarded() ? -1 : j.value("code", -1);
    }
    void start_and_wait_ready() {
        auto r = run_vmrun(env, {"start", profile});
        INFO("start: " << r.out << r.err);
        REQUIRE(r.exit_code == 0);
        REQUIRE_MESSAGE(wait_for_text(state() + "/console.log", "VMRUN-GUEST-READY", 180s), read_file(state() + "/console.log"));
    }
    void require_clean() const {
        CHECK_FALSE(fs::exists(runtime()));
        CHECK_FALSE(fs::exists(state() + "/journal"));
    }
};

}  // namespace

TEST_CASE("QEMU killed with SIGKILL: the supervisor restores and exits with its own code") {
    Vm vm("fault-qemu-kill");
    vm.start_and_wait_ready();
    pid_t supervisor = vm.supervisor(), qemu = vm.qemu();
    REQUIRE(qemu > 0);
    ::kill(qemu, SIGKILL);
    REQUIRE(vmrun::wait_process_exit(supervisor, 30s));
    CHECK(vm.last_exit_code() == 4);
    CHECK(has(read_file(vm.state() + "/vmrun.log"), "QEMU was killed by signal 9"));
    vm.require_clean();
}

TEST_CASE("supervisor killed with SIGKILL: vmrun restore stops the orphaned QEMU and cleans up, twice safely") {
    Vm vm("fault-supervisor-kill");
    vm.start_and_wait_ready();
    pid_t supervisor = vm.supervisor(), qemu = vm.qemu();
    ::kill(supervisor, SIGKILL);
    REQUIRE(vmrun::wait_process_exit(supervisor, 10s));
    CHECK(vmrun::process_alive(qemu));  // orphaned, still running the guest
    CHECK(fs::exists(vm.state() + "/journal"));
    CHECK_FALSE(has(run_vmrun(vm.env, {"list"}).out, vm.name));

    auto restore = run_vmrun(vm.env, {"restore", vm.name});
    INFO("restore: " << restore.out << restore.err);
    CHECK(restore.exit_code == 0);
    CHECK(has(restore.err, "stopped the orphaned QEMU (pid " + std::to_string(qemu) + ")"));
    CHECK_FALSE(vmrun::process_alive(qemu));
    vm.require_clean();

    auto again = run_vmrun(vm.env, {"restore", vm.name});
    CHECK(again.exit_code == 0);
    CHECK(has(again.err, "nothing to restore"));
}

TEST_CASE("supervisor killed with SIGKILL: the next start restores first, then runs") {
    Vm vm("fault-next-start");
    vm.start_and_wait_ready();
    pid_t supervisor = vm.supervisor(), qemu = vm.qemu();
    ::kill(supervisor, SIGKILL);
    REQUIRE(vmrun::wait_process_exit(supervisor, 10s));
    fs::remove(vm.state() + "/console.log");

    auto start = run_vmrun(vm.env, {"start", vm.profile});
    INFO("second start: " << start.out << start.err);
    CHECK(start.exit_code == 0);
    CHECK(has(start.err, "restoring the host from"));
    CHECK(has(start.err, "stopped the orphaned QEMU (pid " + std::to_string(qemu) + ")"));
    CHECK_FALSE(vmrun::process_alive(qemu));
    CHECK(vm.qemu() != qemu);
    REQUIRE(wait_for_text(vm.state() + "/console.log", "VMRUN-GUEST-READY", 180s));
    CHECK(run_vmrun(vm.env, {"stop", vm.name}).exit_code == 0);
    vm.require_clean();
}

TEST_CASE("a second start of a running VM is refused with the first one's pid") {
    Vm vm("fault-twice");
    vm.start_and_wait_ready();
    auto second = run_vmrun(vm.env, {"start", vm.profile});
    CHECK(second.exit_code == 1);
    CHECK(has(second.err, "is already running (supervisor pid " + std::to_string(vm.supervisor()) + ")"));
    CHECK(vmrun::process_alive(vm.qemu()));  // the first one is untouched
    CHECK(run_vmrun(vm.env, {"stop", vm.name}).exit_code == 0);
    vm.require_clean();
}

TEST_CASE("QEMU rejects an option: its message is shown and nothing is left") {
    Vm vm("fault-bad-option", "qemu_extra_args: [-device, no-such-device]\n");
    auto start = run_vmrun(vm.env, {"start", vm.profile, "--foreground"});
    INFO("start: " << start.out << start.err);
    CHECK(start.exit_code == 1);
    CHECK(has(start.err, "QEMU did not start"));
    CHECK(has(start.err, "'no-such-device' is not a valid device model name"));
    vm.require_clean();
}

TEST_CASE("a QEMU that dies before its monitor answers: how it ended is said, also when it printed nothing") {
    Vm vm("fault-silent-death");
    for (const auto& [body, said] : {std::pair{"kill -9 $$", "QEMU did not start (killed by signal 9 (Killed)), and printed nothing"},
                                     std::pair{"echo 'no room for the guest' >&2; exit 3", "QEMU did not start (exit status 3):\nno room for the guest"}}) {
        std::string fake = vm.dir / "fake-qemu";
        write_file(fake, std::string("#!/bin/sh\n") + body + "\n");
        std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
        ::setenv("VMRUN_QEMU", fake.c_str(), 1);
        for (const char* how : {"--foreground", "--detach"}) {
            auto start = run_vmrun(vm.env, {"start", vm.profile, how});
            INFO("start " << how << ": " << start.out << start.err);
            CHECK(start.exit_code == 1);
            CHECK(has(start.err, said));
            vm.require_clean();
        }
        ::unsetenv("VMRUN_QEMU");
    }
}

// A detached start hears of a failure through a pipe: all of QEMU's last lines
// must come through it, not just the first line of the report.
TEST_CASE("a detached start's failure carries every line QEMU printed") {
    Vm vm("fault-detached-lines");
    std::string fake = vm.dir / "fake-qemu";
    write_file(fake, "#!/bin/sh\necho 'first line' >&2\necho 'vfio 0000:05:00.2: group 13 is not viable' >&2\nexit 1\n");
    std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
    ::setenv("VMRUN_QEMU", fake.c_str(), 1);
    auto start = run_vmrun(vm.env, {"start", vm.profile, "--detach"});
    ::unsetenv("VMRUN_QEMU");
    INFO("start: " << start.out << start.err);
    CHECK(start.exit_code == 1);
    CHECK(has(start.err, "QEMU did not start (exit status 1):\nfirst line\nvfio 0000:05:00.2: group 13 is not viable"));
    vm.require_clean();
}

TEST_CASE("an unplug the guest never acknowledges is an error, not a success") {
    Vm vm("fault-unplug-paused");
    vm.start_and_wait_ready();
    std::string image = vm.dir / "scratch.img";
    write_file(image, std::string(1 << 20, '\0'));
    REQUIRE(run_vmrun(vm.env, {"hotplug", vm.name, "--disk", image}).exit_code == 0);
    // A paused guest cannot answer the ACPI eject request.
    REQUIRE(run_vmrun(vm.env, {"qmp", vm.name, "stop"}).exit_code == 0);
    auto unplug = run_vmrun(vm.env, {"unplug", vm.name, "disk0", "--timeout", "3"});
    CHECK(unplug.exit_code == 1);
    CHECK(has(unplug.err, "did not release 'disk0' within 3 s"));
    CHECK(has(run_vmrun(vm.env, {"status", vm.name}).out, "rp1: disk0"));  // still there
    REQUIRE(run_vmrun(vm.env, {"qmp", vm.name, "cont"}).exit_code == 0);
    CHECK(run_vmrun(vm.env, {"stop", vm.name}).exit_code == 0);
    vm.require_clean();
}

TEST_CASE("a detached supervisor keeps nothing its caller left open: a pipe's reader sees its end once start returns") {
    Vm vm("fault-fds");
    int caller_pipe[2];
    // Not close-on-exec: vmrun inherits the writing end, as it would a shell's FIFO or a CI runner's log pipe.
    REQUIRE(::pipe(caller_pipe) == 0);
    auto r = run_vmrun(vm.env, {"start", vm.profile});
    ::close(caller_pipe[1]);
    INFO("start: " << r.out << r.err);
    REQUIRE(r.exit_code == 0);
    struct pollfd end{caller_pipe[0], POLLIN, 0};
    char byte;
    bool eof = ::poll(&end, 1, 3000) == 1 && ::read(caller_pipe[0], &byte, 1) == 0;
    ::close(caller_pipe[0]);
    CHECK_MESSAGE(eof, "the supervisor or QEMU still holds the caller's pipe open");
    REQUIRE(wait_for_text(vm.state() + "/console.log", "VMRUN-GUEST-READY", 180s));  // its ACPI handler is up
    CHECK(run_vmrun(vm.env, {"stop", vm.name}).exit_code == 0);
    vm.require_clean();
}

TEST_CASE("stop --force quits QEMU without waiting for the guest, and says so") {
    Vm vm("fault-force");
    vm.start_and_wait_ready();
    auto stop = run_vmrun(vm.env, {"stop", vm.name, "--force"});
    INFO("stop: " << stop.out << stop.err);
    CHECK(stop.exit_code == 5);
    CHECK(has(stop.out, "stopped by force: vmrun quit QEMU"));
    CHECK_FALSE(has(read_file(vm.state() + "/console.log"), "VMRUN-GUEST-POWEROFF"));  // the guest was not asked
    // QEMU's stderr reached EOF as QEMU exited: the supervisor did not wait out
    // its drain deadline (which once held every 'vmrun stop' for 2 s).
    CHECK_FALSE(has(read_file(vm.state() + "/vmrun.log"), "stderr was still open"));
    vm.require_clean();
}

TEST_CASE("a supervisor killed while 'vmrun stop' waits: stop says so and names restore, never an earlier run's outcome") {
    Vm vm("fault-stop-outcome");
    vm.start_and_wait_ready();
    REQUIRE(run_vmrun(vm.env, {"stop", vm.name, "--force"}).exit_code == 5);  // leaves "stopped by force" behind
    vm.start_and_wait_ready();
    REQUIRE(run_vmrun(vm.env, {"qmp", vm.name, "stop"}).exit_code == 0);  // a paused guest ignores the ACPI button
    pid_t supervisor = vm.supervisor();
    std::string log = vm.dir / "stop.log";
    pid_t stop = spawn_vmrun(vm.env, {"stop", vm.name, "--timeout", "60"}, log);
    REQUIRE(wait_for_text(vm.state() + "/vmrun.log", "asking the guest to power off", 30s));
    ::kill(supervisor, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(stop, &status, 0) == stop);
    auto said = read_file(log);
    INFO("stop said: " << said);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 1);
    CHECK(has(said, "ended without recording how the VM ended"));
    CHECK(has(said, "vmrun restore " + vm.name));
    CHECK_FALSE(has(said, "stopped by force"));
    CHECK(run_vmrun(vm.env, {"restore", vm.name}).exit_code == 0);
    vm.require_clean();
}

TEST_CASE("foreground: Ctrl-C powers the guest off through ACPI") {
    Vm vm("fault-ctrl-c");
    auto e = boost::this_process::environment();
    e["VMRUN_RUNTIME_DIR"] = vm.env.runtime_dir;
    e["VMRUN_STATE_DIR"] = vm.env.state_dir;
    std::string log = vm.dir / "foreground.log";
    boost::process::child fg(VMRUN_BINARY, "start", vm.profile, "--foreground", e, boost::process::std_out > log,
                             boost::process::std_err > log, boost::process::std_in < boost::process::null);
    REQUIRE_MESSAGE(wait_for_text(vm.state() + "/console.log", "VMRUN-GUEST-READY", 180s), read_file(log));
    ::kill(fg.id(), SIGINT);
    REQUIRE(wait_exit_for(fg, 60s));
    INFO(read_file(log));
    CHECK(fg.exit_code() == 0);
    CHECK(has(read_file(log), "asking the guest to power off (ACPI)"));
    CHECK(has(read_file(log), "the guest powered off"));
    vm.require_clean();
}

TEST_CASE("a profile whose host devices and disks are missing, or that needs parts vmrun lacks, is refused before anything changes") {
    TempDir dir;
    // An empty simulated host (none of win7's PCI devices exist there), and a
    // network namespace of the test's own (no br0 there).
    NetNamespace ns;
    VmrunEnv env{dir / "run", dir / "state", dir / "host", ns.name()};
    auto r = run_vmrun(env, {"start", std::string(VMRUN_SOURCE_DIR) + "/profiles/win7.yaml", "--foreground"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(has(r.err, "host has no PCI device 0000:01:00.0"));
    CHECK(has(r.err, "bridge br0 (for NIC 'net0') does not exist"));
    CHECK(has(r.err, "disk 'system' /dev/sdc6 does not exist"));
    CHECK(has(r.err, "nothing on the host was changed"));
    CHECK_FALSE(fs::exists(env.runtime_dir));
    CHECK_FALSE(fs::exists(env.state_dir));
}

TEST_CASE("vmrun start killed at every millisecond of its start-up: the replay finds every QEMU and swtpm it started") {
    Vm vm("fault-spawn-kill", "tpm: true\n");
    auto marker = "path=" + vm.paths().qmp_socket() + ",";
    auto tpm_dir = fs::weakly_canonical(vm.paths().tpm_state_dir());
    // Processes of this VM whatever the journal says: QEMU by its QMP socket, swtpm by its folder.
    auto leftovers = [&] {
        std::vector<std::string> out;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator("/proc", ec)) {
            auto pid = e.path().filename().string();
            if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
            auto argv = vmrun::process_cmdline(pid_t(std::stol(pid)));
            std::error_code ec2;
            bool swtpm = !argv.empty() && fs::path(argv[0]).filename() == "swtpm" && fs::read_symlink(e.path() / "cwd", ec2) == tpm_dir;
            bool qemu = std::any_of(argv.begin(), argv.end(), [&](const std::string& a) { return has(a, marker); });
            if (swtpm || qemu) out.push_back(pid + " " + (argv.empty() ? "" : argv[0]));
        }
        return out;
    };
    int killed_after_spawn = 0;
    // Every millisecond while QEMU and swtpm are being spawned (the first ~30 ms here), then coarser.
    std::vector<int> offsets;
    for (int ms = 0; ms < 40; ++ms) offsets.push_back(ms);
    for (int ms = 40; ms <= 600; ms += 40) offsets.push_back(ms);
    for (int offset_ms : offsets) {
        CAPTURE(offset_ms);
        pid_t start = spawn_vmrun(vm.env, {"start", "--foreground", vm.profile}, vm.dir / "start.log");
        std::this_thread::sleep_for(std::chrono::milliseconds(offset_ms));
        ::kill(start, SIGKILL);
        ::waitpid(start, nullptr, 0);
        if (!leftovers().empty()) ++killed_after_spawn;
        auto restore = run_vmrun(vm.env, {"restore", vm.name});
        INFO("restore: " << restore.err);
        CHECK(restore.exit_code == 0);
        auto left = leftovers();
        CHECK_MESSAGE(left.empty(), "left running: " << left.front());
        for (const auto& l : left) ::kill(pid_t(std::stol(l)), SIGKILL);
    }
    // The loop must have hit the window it is about (else it proves nothing).
    MESSAGE(killed_after_spawn << " of " << offsets.size() << " kills left a QEMU or swtpm for the replay to find");
    CHECK(killed_after_spawn > 0);
    vm.require_clean();
}
