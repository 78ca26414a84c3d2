// Shared folders on a real QEMU, a real virtiofsd and the tiny guest: the
// guest mounts each tag, reads what the host wrote and writes what the host
// reads; a readonly folder refuses the guest's writes; a folder whose path
// holds ',' is served all the same; nothing is left after a stop, a killed
// virtiofsd is reported, and `vmrun restore` after a killed supervisor stops
// the virtiofsd left behind.

#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "guest_console.h"
#include "host/pid_file.h"
#include "host/process_watch.h"
#include "run_vmrun.h"
#include "text_has.h"
#include "vm_under_test.h"

using namespace std::chrono_literals;
using namespace vmrun::testing;
namespace fs = std::filesystem;

namespace {

bool have_virtiofsd() {
    for (const char* p : {"/usr/libexec/virtiofsd", "/usr/lib/qemu/virtiofsd"})
        if (fs::exists(p)) return true;
    return false;
}

// Every mount of this host that shows `path`: vmrun's view of a folder lives
// in virtiofsd's own mount namespace, never in the host's.
bool host_mounts(const std::string& path) {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line))
        if (has(line, " " + path + " ")) return true;
    return false;
}

struct SharedVm {
    VmUnderTest vm;
    std::string writable, readonly;

    explicit SharedVm(const std::string& name) : vm(name) {
        writable = vm.dir / "with,comma";
        readonly = vm.dir / "isos";
        fs::create_directories(writable);
        fs::create_directories(readonly);
        write_file(fs::path(writable) / "from-host", "written-by-the-host\n");
        write_file(fs::path(readonly) / "image", "read-only-data\n");
        write_file(vm.profile, tiny_guest_profile(vm.name, "shared_folders:\n"
                                                           "  - path: \"" + writable + "\"\n    tag: share\n"
                                                           "  - {path: \"" + readonly + "\", readonly: true}\n"));
    }
    void start() {
        auto r = run_vmrun(vm.env, {"start", vm.profile});
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
        REQUIRE_MESSAGE(wait_for_text(vm.state() + "/console.log", "VMRUN-GUEST-READY", 180s), read_file(vm.state() + "/console.log"));
    }
    pid_t virtiofsd(size_t index) const { return vmrun::read_pid_file(vm.paths().virtiofsd_pid_file(index)).value_or(0); }
};

}  // namespace

TEST_CASE("shared folders: the guest mounts each tag, reads and writes the host's folder; readonly refuses its writes") {
    if (!have_virtiofsd()) {
        MESSAGE("skipped: no virtiofsd (apt-get install qemu-system-common)");
        return;
    }
    SharedVm s("shared");
    s.start();
    pid_t share_pid = s.virtiofsd(0), iso_pid = s.virtiofsd(1);
    REQUIRE(share_pid > 0);
    REQUIRE(iso_pid > 0);
    auto status = run_vmrun(s.vm.env, {"status", s.vm.name});
    CHECK(has(status.out, "folder:  'share' served by virtiofsd (pid " + std::to_string(share_pid) + ")\n"));
    CHECK(has(status.out, "folder:  'isos' served by virtiofsd (pid " + std::to_string(iso_pid) + ")\n"));
    // The host's own mount table shows neither folder: each view is its virtiofsd's.
    CHECK_FALSE(host_mounts(s.readonly));

    auto mounted = guest_run(s.vm.env, s.vm.name, "mkdir -p /mnt/s /mnt/i && mount -t virtiofs share /mnt/s && mount -t virtiofs isos /mnt/i && echo MOUNTED");
    REQUIRE_MESSAGE(has(mounted, "MOUNTED"), mounted);
    CHECK(has(guest_run(s.vm.env, s.vm.name, "cat /mnt/s/from-host"), "written-by-the-host"));
    guest_run(s.vm.env, s.vm.name, "echo written-by-the-guest > /mnt/s/from-guest && sync");
    CHECK(read_file(fs::path(s.writable) / "from-guest") == "written-by-the-guest\n");

    CHECK(has(guest_run(s.vm.env, s.vm.name, "cat /mnt/i/image"), "read-only-data"));
    auto refused = guest_run(s.vm.env, s.vm.name, "echo x > /mnt/i/new 2>&1; rm /mnt/i/image 2>&1; echo rc=$?");
    CHECK(has(refused, "Read-only file system"));
    CHECK_FALSE(fs::exists(fs::path(s.readonly) / "new"));
    CHECK(fs::exists(fs::path(s.readonly) / "image"));

    auto stop = run_vmrun(s.vm.env, {"stop", s.vm.name});
    INFO(stop.out << stop.err);
    CHECK(stop.exit_code == 0);
    CHECK_FALSE(vmrun::process_alive(share_pid));
    CHECK_FALSE(vmrun::process_alive(iso_pid));
    CHECK_FALSE(fs::exists(s.vm.runtime()));
    CHECK_FALSE(fs::exists(s.vm.state() + "/journal"));
    CHECK(fs::exists(fs::path(s.writable) / "from-guest"));  // the host's data stays
}

TEST_CASE("shared folders: a virtiofsd killed while the VM runs is reported; restore after a killed supervisor stops the rest") {
    if (!have_virtiofsd()) {
        MESSAGE("skipped: no virtiofsd (apt-get install qemu-system-common)");
        return;
    }
    SharedVm s("shared-faults");
    s.start();
    pid_t share_pid = s.virtiofsd(0), iso_pid = s.virtiofsd(1);
    REQUIRE(share_pid > 0);
    ::kill(share_pid, SIGKILL);
    CHECK(wait_for_text(s.vm.state() + "/vmrun.log", "virtiofsd for 'share'", 10s));
    CHECK(has(read_file(s.vm.state() + "/vmrun.log"), "the guest's shared folder 'share' no longer answers"));

    pid_t supervisor = s.vm.supervisor(), qemu = s.vm.qemu();
    REQUIRE(supervisor > 0);
    ::kill(supervisor, SIGKILL);
    for (int i = 0; i < 100 && vmrun::process_alive(supervisor); ++i) std::this_thread::sleep_for(20ms);
    REQUIRE(vmrun::process_alive(iso_pid));  // orphaned with its QEMU
    // Stopped, it cannot end by itself when QEMU goes: the restore's own stop
    // is what ends it. (After the supervisor's end: a group orphaned with a
    // stopped member gets SIGHUP.)
    ::kill(iso_pid, SIGSTOP);
    auto restore = run_vmrun(s.vm.env, {"restore", s.vm.name});
    INFO(restore.out << restore.err);
    CHECK(restore.exit_code == 0);
    CHECK(has(restore.err, "restored: stopped virtiofsd (pid " + std::to_string(iso_pid) + ")"));
    CHECK_FALSE(vmrun::process_alive(iso_pid));
    CHECK_FALSE(vmrun::process_alive(qemu));
    CHECK_FALSE(fs::exists(s.vm.state() + "/journal"));
}

TEST_CASE("shared folders: a missing folder or no virtiofsd refuses the start with the fix, changing nothing") {
    VmUnderTest vm("shared-refused");
    std::string missing = vm.dir / "nowhere";
    write_file(vm.profile, tiny_guest_profile(vm.name, "shared_folders: [\"" + missing + "\"]\n"));
    auto r = run_vmrun(vm.env, {"start", vm.profile});
    INFO(r.err);
    CHECK(r.exit_code != 0);
    CHECK(has(r.err, "the shared folder " + missing + " does not exist"));
    CHECK(has(r.err, "create it or correct its 'path'"));
    CHECK_FALSE(fs::exists(vm.state() + "/journal"));
    CHECK(vm.qemu() == 0);

    fs::create_directories(missing);
    auto env = vm.env;
    env.variables["VMRUN_VIRTIOFSD"] = "/nonexistent/virtiofsd";
    auto none = run_vmrun(env, {"start", vm.profile});
    INFO(none.err);
    CHECK(none.exit_code != 0);
    CHECK(has(none.err, "no virtiofsd on this host"));
    CHECK(has(none.err, "apt-get install qemu-system-common (Debian 12) or virtiofsd"));
    auto check = run_vmrun(env, {"check", vm.profile});
    CHECK(has(check.out, "no virtiofsd on this host"));
    CHECK_FALSE(fs::exists(vm.state() + "/journal"));
}
