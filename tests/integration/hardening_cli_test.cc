// Input that once crashed or misled vmrun (the hardening review): each case
// runs the real binary and expects a clear message and an exit code, never a
// signal.

#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "text_has.h"
#include "host/process_watch.h"
#include "qemu_process.h"

#include "run_vmrun.h"
#include "sleeper.h"
#include "temp_dir.h"

using namespace vmrun::testing;

TEST_CASE("a unix socket path over 107 bytes is an error naming the limit, not an abort") {
    TempDir dir;
    std::string deep = dir / std::string(120, 'd');
    VmrunEnv env{deep, dir / "state"};
    auto qmp = run_vmrun(env, {"qmp", "--qmp", deep + "/qmp.sock", "query-status"});
    CHECK(qmp.exit_code == 1);
    CHECK(has(qmp.err, "a unix socket path holds at most 107"));

    auto status = run_vmrun(env, {"status", "demo"});
    CHECK(status.exit_code == 1);
    CHECK(has(status.err, "at most 107"));

    auto console = run_vmrun(env, {"console", "demo"});
    CHECK(console.exit_code == 1);
    CHECK(has(console.err, "set VMRUN_RUNTIME_DIR to a shorter folder"));

    // A start is refused before any change, with the fix.
    std::string profile = dir / "long.yaml";
    write_file(profile, tiny_guest_profile("long"));
    auto start = run_vmrun(env, {"start", profile});
    CHECK(start.exit_code == 1);
    CHECK(has(start.err, "is too long for its sockets"));
    CHECK(has(start.err, "set VMRUN_RUNTIME_DIR to a shorter folder"));
    CHECK_FALSE(std::filesystem::exists(deep + "/long"));
}

TEST_CASE("text that is not UTF-8 is refused where it enters, never aborts a JSON writer") {
    TempDir dir;
    VmrunEnv env{dir / "run", dir / "state"};
    auto hotplug = run_vmrun(env, {"hotplug", "demo", "--disk", "/x/\x83.img"});
    CHECK(hotplug.exit_code == 64);
    CHECK(has(hotplug.err, "is not UTF-8 text"));

    std::string profile = dir / "bytes.yaml";
    write_file(profile, tiny_guest_profile("bytes") + "qemu_extra_args: [\"-name\", \"a\x83\"]\n");
    auto dry = run_vmrun(env, {"--dry-run", profile, "--json"});
    CHECK(dry.exit_code == 65);
    CHECK(has(dry.err, "not UTF-8 text here (byte 0x83)"));
}

namespace {
}  // namespace

TEST_CASE("a runtime folder another user created first is refused, and its pid file never signalled") {
    TempDir dir;
    VmrunEnv env{dir / "run", dir / "state"};
    std::filesystem::create_directories(env.runtime_dir + "/victim");
    Sleeper target;
    write_file(env.runtime_dir + "/victim/supervisor.pid",
               std::to_string(target.pid) + " " + std::to_string(vmrun::process_start_time(target.pid).value_or(0)) + "\n");
    int lock = ::open((env.runtime_dir + "/victim.lock").c_str(), O_RDWR | O_CREAT, 0600);
    REQUIRE(::flock(lock, LOCK_EX) == 0);  // "running"
    REQUIRE(::chown(env.runtime_dir.c_str(), 65534, 65534) == 0);  // nobody made the base folder
    auto stop = run_vmrun(env, {"stop", "victim"});
    CHECK(stop.exit_code == 1);
    CHECK(has(stop.err, "belongs to uid 65534, not to you"));
    CHECK(vmrun::process_alive(target.pid));

    // Ours again, but writable by others: refused too.
    REQUIRE(::chown(env.runtime_dir.c_str(), ::geteuid(), ::getegid()) == 0);
    REQUIRE(::chmod(env.runtime_dir.c_str(), 0777) == 0);
    stop = run_vmrun(env, {"stop", "victim"});
    CHECK(stop.exit_code == 1);
    CHECK(has(stop.err, "is writable by other users"));
    CHECK(vmrun::process_alive(target.pid));

    // A trusted folder whose pid file names a live process that is no vmrun.
    REQUIRE(::chmod(env.runtime_dir.c_str(), 0700) == 0);
    stop = run_vmrun(env, {"stop", "victim"});
    CHECK(stop.exit_code == 1);
    CHECK(has(stop.err, "names no running vmrun"));
    CHECK(vmrun::process_alive(target.pid));
    // A live process named vmrun (its executable's file name) that does not
    // hold the VM's lock: a name is the process's to choose.
    std::string impostor_exe = dir / "vmrun";
    std::filesystem::copy_file("/bin/sleep", impostor_exe);
    pid_t impostor = fork_and_wait_for_exec([&] {
        ::close(lock);  // the lock's holder is the test, not the impostor
        ::execl(impostor_exe.c_str(), "vmrun", "60", nullptr);
    });
    REQUIRE(impostor > 0);
    REQUIRE(read_file("/proc/" + std::to_string(impostor) + "/comm") == "vmrun\n");
    write_file(env.runtime_dir + "/victim/supervisor.pid",
               std::to_string(impostor) + " " + std::to_string(vmrun::process_start_time(impostor).value_or(0)) + "\n");
    stop = run_vmrun(env, {"stop", "victim"});
    CHECK(stop.exit_code == 1);
    CHECK(has(stop.err, "names no running vmrun"));
    CHECK(vmrun::process_alive(impostor));
    ::kill(impostor, SIGKILL);
    ::waitpid(impostor, nullptr, 0);
    // A pid file whose start time is not that process's: not trusted either.
    write_file(env.runtime_dir + "/victim/supervisor.pid", std::to_string(target.pid) + " 12345\n");
    stop = run_vmrun(env, {"stop", "victim"});
    CHECK(stop.exit_code == 1);
    CHECK(vmrun::process_alive(target.pid));
    ::close(lock);
}

TEST_CASE("a symlink planted where a VM's runtime folder goes is refused, its target untouched") {
    TempDir dir;
    VmrunEnv env{dir / "run", dir / "state"};
    std::filesystem::create_directories(dir / "elsewhere");
    ::chmod((dir / "elsewhere").c_str(), 0755);
    std::filesystem::create_directories(env.runtime_dir);
    ::chmod(env.runtime_dir.c_str(), 0700);
    std::filesystem::create_directory_symlink(dir / "elsewhere", env.runtime_dir + "/planted");
    std::string profile = dir / "planted.yaml";
    write_file(profile, tiny_guest_profile("planted"));
    auto start = run_vmrun(env, {"start", profile});
    CHECK(start.exit_code == 1);
    CHECK(has(start.err, "is a symlink or not a folder"));
    struct stat st {};
    REQUIRE(::stat((dir / "elsewhere").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0755);
    CHECK(std::filesystem::is_empty(dir / "elsewhere"));
    CHECK(std::filesystem::is_symlink(env.runtime_dir + "/planted"));
}

TEST_CASE("a runtime folder that no journal accounts for is named and removed before a start") {
    TempDir dir;
    VmrunEnv env{dir / "run", dir / "state"};
    std::filesystem::create_directories(env.runtime_dir + "/stale");
    ::chmod(env.runtime_dir.c_str(), 0700);
    write_file(env.runtime_dir + "/stale/supervisor.pid", "1 1\n");
    std::string profile = dir / "stale.yaml";
    // QEMU refuses the option at once: the start ends early, after its clean-up.
    write_file(profile, tiny_guest_profile("stale") + "qemu_extra_args: [\"-no-such-option\"]\n");
    auto start = run_vmrun(env, {"start", profile, "--foreground"});
    CHECK(start.exit_code == 1);
    CHECK(has(start.err, "warning: removing " + env.runtime_dir + "/stale, left by an earlier run without a journal entry"));
    CHECK_FALSE(std::filesystem::exists(env.runtime_dir + "/stale/supervisor.pid"));
}

TEST_CASE("with -vv every log line goes to stderr: vmrun qmp's stdout stays one JSON document") {
    TempDir dir;
    std::string sock = dir / "qmp.sock";
    QemuProcess qemu({qemu_binary(), "-machine", "none", "-nodefaults", "-display", "none", "-qmp",
                      "unix:" + sock + ",server=on,wait=off"},
                     dir / "qemu.log");
    REQUIRE(wait_for_path(sock, qemu, std::chrono::seconds(20)));
    VmrunEnv env{dir / "run", dir / "state"};
    auto r = run_vmrun(env, {"-vv", "qmp", "--qmp", sock, "query-status"});
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.exit_code == 0);
    auto parsed = nlohmann::json::parse(r.out, nullptr, false);
    CHECK_FALSE(parsed.is_discarded());
    CHECK(has(r.err, "debug"));  // the log happened, on stderr
}

TEST_CASE("races: a start that loses the lock, and a stop that comes before the supervisor wrote its pid") {
    TempDir dir;
    VmrunEnv env{dir / "run", dir / "state"};
    std::filesystem::create_directories(env.runtime_dir);
    ::chmod(env.runtime_dir.c_str(), 0700);
    // Another start holds the lock and has not written its pid yet.
    int lock = ::open((env.runtime_dir + "/racy.lock").c_str(), O_RDWR | O_CREAT, 0600);
    REQUIRE(::flock(lock, LOCK_EX) == 0);
    std::string profile = dir / "racy.yaml";
    write_file(profile, tiny_guest_profile("racy"));
    auto start = run_vmrun(env, {"start", profile});
    CHECK(start.exit_code == 1);
    CHECK(has(start.err, "racy is already running (its supervisor is still starting)"));
    CHECK_FALSE(has(start.err, "pid 0"));
    // A stop meanwhile does not answer "not running": it waits for the pid,
    // and here, where none ever comes, says what it saw.
    auto stop = run_vmrun(env, {"stop", "racy"});
    CHECK(stop.exit_code == 1);
    CHECK_FALSE(has(stop.err, "is not running"));
    CHECK(has(stop.err, "if it is still starting, try again in a moment"));
    ::close(lock);
}
