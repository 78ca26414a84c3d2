// The journal outlives the run that wrote it and may be damaged or edited: a
// replay reports and skips what vmrun could not have written, acts on the
// rest, and never locks the VM out.

#include <doctest/doctest.h>

#include <signal.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "text_has.h"
#include "host/host_restore.h"
#include "host/process_watch.h"
#include "sleeper.h"
#include "temp_dir.h"

using namespace vmrun;
using vmrun::testing::Sleeper;
using vmrun::testing::TempDir;
namespace fs = std::filesystem;

namespace {

// A journal of `action` entries naming an unrelated live process: without a
// start time, with its real pid and start time, and with a pid that is no pid.
struct ReplayOfAnother {
    RestoreReport report;
    bool survived = false;
};

ReplayOfAnother replay_naming_another_process(const std::string& action) {
    TempDir dir;
    VmPaths vm{"j", dir / "run/j", dir / "state"};
    Sleeper other;
    REQUIRE(other.pid > 0);
    auto started = process_start_time(other.pid);
    REQUIRE(started);
    std::string head = R"({"action":")" + action + R"(","args":{"pid":)";
    std::ofstream(dir / "journal") << head << other.pid << "}}\n"
                                   << head << other.pid << R"(,"start_time":)" << *started << "}}\n"
                                   << head << R"("1","start_time":1}})" << "\n";
    Journal journal(dir / "journal");
    ReplayOfAnother out;
    out.report = make_restorer(vm).restore(journal);
    out.survived = process_alive(other.pid, started);
    return out;
}

}  // namespace

TEST_CASE("a malformed line is reported with its number and skipped; the rest is replayed and the journal goes") {
    TempDir dir;
    VmPaths vm{"j", dir / "run/j", dir / "state"};
    fs::create_directories(vm.runtime_dir);
    std::ofstream(dir / "journal") << R"({"action":"runtime-folder","args":{"path":")" << vm.runtime_dir << "\"}}\n"
                                   << R"({"action": 5, "args": {}})" << "\n"
                                   << R"({"action":"tap","args":[1,2]})" << "\n"
                                   << "not json at all\n";
    Journal journal(dir / "journal");
    auto report = make_restorer(vm).restore(journal);
    CHECK(report.ok());
    CHECK(mentions(report.skipped, "journal line 2: no action; skipped"));
    CHECK(mentions(report.skipped, "journal line 3: its args are not an object; skipped"));
    CHECK(mentions(report.skipped, "journal line 4: not a JSON object; skipped"));
    CHECK_FALSE(fs::exists(vm.runtime_dir));
    CHECK_FALSE(journal.exists());  // no lock-out: the next start or restore goes ahead
}

TEST_CASE("a torn last line (a crash mid-write) is skipped without a word") {
    TempDir dir;
    std::ofstream(dir / "journal") << R"({"action":"tap","ar)";
    Journal journal(dir / "journal");
    auto contents = journal.read();
    CHECK(contents.entries.empty());
    CHECK(contents.problems.empty());
}

TEST_CASE("replay signals only this VM's QEMU: a pid without start time, or another process, is left alone") {
    auto r = replay_naming_another_process("qemu-process");
    CHECK(mentions(r.report.skipped, "no start time to tell this QEMU"));
    CHECK(mentions(r.report.skipped, "no valid pid"));
    CHECK(mentions(r.report.left_alone, "is not this VM's QEMU"));
    CHECK(r.survived);
}

TEST_CASE("replay removes only this VM's runtime folder and writes only to PCI device paths") {
    TempDir dir;
    VmPaths vm{"j", dir / "run/j", dir / "state"};
    fs::create_directories(dir / "precious");
    std::ofstream(dir / "journal") << R"({"action":"runtime-folder","args":{"path":")" << (dir / "precious") << "\"}}\n"
                                   << R"({"action":"pci-driver","args":{"sysroot":"/","address":"../../../etc","driver":"","driver_override":""}})" << "\n"
                                   << R"({"action":"pci-driver","args":{"sysroot":"/","address":"0000:01:00.0","driver":"../x","driver_override":""}})" << "\n"
                                   << R"({"action":"tap","args":{"name":"../../etc"}})" << "\n"
                                   << R"({"action":"made-up","args":{}})" << "\n";
    Journal journal(dir / "journal");
    auto report = make_restorer(vm).restore(journal);
    CHECK(fs::exists(dir / "precious"));
    CHECK(mentions(report.skipped, "not this VM's runtime folder"));
    CHECK(mentions(report.skipped, "no valid PCI address"));
    CHECK(mentions(report.skipped, "no valid driver"));
    CHECK(mentions(report.skipped, "no valid interface name"));
    CHECK(mentions(report.skipped, "'made-up' is unknown to this vmrun"));
    CHECK(report.undone.empty());
    CHECK(report.ok());
}

TEST_CASE("replay stops only this VM's swtpm: another process with the pid and start time is left alone") {
    auto r = replay_naming_another_process("swtpm-process");
    CHECK(mentions(r.report.skipped, "no start time"));
    CHECK(mentions(r.report.skipped, "no valid pid"));
    CHECK(mentions(r.report.left_alone, "is not this VM's swtpm"));
    CHECK(r.survived);
}

TEST_CASE("replay gives an owner and mode back only to an evdev node, and only a file mode") {
    TempDir dir;
    VmPaths vm{"j", dir / "run/j", dir / "state"};
    std::ofstream(dir / "journal")
        << R"({"action":"evdev-access","args":{"sysroot":"/","node":"../../etc/shadow","uid":0,"gid":0,"mode":438}})" << "\n"
        << R"({"action":"evdev-access","args":{"sysroot":"/","node":"event3","uid":0,"gid":0,"mode":65535}})" << "\n"
        << R"({"action":"evdev-access","args":{"sysroot":")" << dir.path.string() << R"(","node":"event7","uid":0,"gid":0,"mode":384}})" << "\n";
    Journal journal(dir / "journal");
    auto report = make_restorer(vm).restore(journal);
    CHECK(mentions(report.skipped, "no evdev node name"));
    CHECK(mentions(report.skipped, "no owner and mode"));
    CHECK(report.undone.empty());  // event7 is not there (unplugged): nothing to put back
    CHECK(report.ok());
}

namespace {

// A process that carries a VM's marker the way QEMU or swtpm does, started in `dir`.
struct Marked {
    pid_t pid = -1;
    Marked(const std::string& dir, const std::vector<std::string>& argv) {
        // bash named as the program, its arguments after the script ("; true": no exec of sleep in its place).
        std::vector<std::string> words{argv[0], "-c", "sleep 30; true"};
        words.insert(words.end(), argv.begin(), argv.end());
        std::vector<char*> args;
        for (auto& a : words) args.push_back(a.data());
        args.push_back(nullptr);
        pid = vmrun::testing::fork_and_wait_for_exec([&] {
            if (::chdir(dir.c_str()) != 0) ::_exit(126);
            ::execv("/bin/bash", args.data());
        });
    }
    ~Marked() {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }
    bool alive() const { return ::waitpid(pid, nullptr, WNOHANG) == 0; }
};

}  // namespace

TEST_CASE("a spawn journaled before the fork: the replay finds the VM's QEMU and swtpm by their markers, though no pid was journaled") {
    TempDir dir;
    VmPaths vm{"j", dir / "run/j", dir / "state/j"};
    fs::create_directories(vm.tpm_state_dir());
    fs::create_directories(vm.runtime_dir);
    // Today's QEMU names its QMP socket's path (the supervisor's socket is an
    // inherited fd); one an older vmrun started names the supervisor's socket.
    std::string today_marker, qemu_argument;
    SUBCASE("marked by its QMP socket") {
        today_marker = vm.qmp_socket();
        qemu_argument = "socket,id=qmp,path=" + vm.qmp_socket() + ",server=on";
    }
    SUBCASE("started by an older vmrun: marked by the supervisor's socket") {
        today_marker = vm.supervisor_socket();
        qemu_argument = "socket,id=sup,path=" + vm.supervisor_socket() + ",server=on";
    }
    Marked qemu(dir.path.string(), {"qemu-system-x86_64", "-chardev", "socket,id=sup,fd=3,server=on", "-chardev", qemu_argument});
    Marked swtpm(vm.tpm_state_dir(), {"swtpm"});
    Marked other_vm(dir.path.string(), {"qemu-system-x86_64", "-chardev", "socket,path=" + dir / "run/k/qmp.sock" + ",server=on"});
    REQUIRE(qemu.alive());
    REQUIRE(swtpm.alive());
    std::ofstream(dir / "journal") << R"({"action":"spawn","args":{"program":"swtpm","marker":")" << vm.tpm_state_dir() << "\"}}\n"
                                   << R"({"action":"spawn","args":{"program":"qemu","marker":")" << today_marker << "\"}}\n"
                                   << R"({"action":"spawn","args":{"program":"qemu","marker":"/run/other/qmp.sock"}})" << "\n";
    Journal journal(dir / "journal");
    auto report = make_restorer(vm).restore(journal);
    INFO(report.lines().size());
    CHECK(report.ok());
    CHECK(mentions(report.undone, "stopped this VM's QEMU, found by its marker (pid " + std::to_string(qemu.pid) + ")"));
    CHECK(mentions(report.undone, "stopped this VM's swtpm, found by its folder (pid " + std::to_string(swtpm.pid) + ")"));
    CHECK(mentions(report.skipped, "not this VM's marker"));
    CHECK_FALSE(qemu.alive());
    CHECK_FALSE(swtpm.alive());
    CHECK(other_vm.alive());  // another VM's QEMU is not this journal's
}

TEST_CASE("an entry waits for the disk only when its change can outlive the boot") {
    // Kernel state dies with the boot, whatever its path.
    CHECK_FALSE(needs_durable_write({"tap", {{"name", "vmtap0"}}}));
    CHECK_FALSE(needs_durable_write({"hugepages", {{"path", VMRUN_SOURCE_DIR}}}));
    // A file kind without a path it can be judged by: synced.
    CHECK(needs_durable_write({"runtime-folder", nlohmann::json::object()}));
    struct statfs here {};
    REQUIRE(::statfs(VMRUN_SOURCE_DIR, &here) == 0);
    if (here.f_type != TMPFS_MAGIC && here.f_type != RAMFS_MAGIC) {
        CHECK(needs_durable_write({"runtime-folder", {{"path", std::string(VMRUN_SOURCE_DIR) + "/not-made-yet/bench"}}}));
    } else {
        MESSAGE("skipped the on-disk case: the source tree is on a RAM filesystem here");
    }
    struct statfs shm {};
    if (::statfs("/dev/shm", &shm) == 0 && shm.f_type == TMPFS_MAGIC) {
        CHECK_FALSE(needs_durable_write({"shm-file", {{"path", "/dev/shm/looking-glass-x"}}}));
        CHECK_FALSE(needs_durable_write({"runtime-folder", {{"path", "/dev/shm/vmrun-test-none/a/b"}}}));
    } else {
        MESSAGE("skipped the RAM filesystem case: /dev/shm is not a tmpfs here");
    }
}
