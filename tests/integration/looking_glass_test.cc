// Looking Glass's shared memory on a real QEMU with the tiny guest: the guest
// sees the IVSHMEM device (1af4:1110) and writes a marker into its BAR 2 with
// busybox devmem; the test reads the marker from the host's file. The file is
// the desktop user's (0660), and gone after a stop, after QEMU is killed, and
// after 'vmrun restore' following a killed supervisor. A file someone else
// owns, and an owner who does not exist, are refused with nothing changed.

#include <doctest/doctest.h>

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "text_has.h"
#include "guest_console.h"
#include "run_vmrun.h"
#include "vm_under_test.h"

using namespace std::chrono_literals;
using namespace vmrun::testing;
namespace fs = std::filesystem;

namespace {


bool gone_within(const std::string& path, std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (fs::exists(path) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(100ms);
    return !fs::exists(path);
}

struct LookingGlassVm : VmUnderTest {
    std::string file;
    LookingGlassVm() : VmUnderTest("lg") {
        env.shm_dir = dir / "shm";
        fs::create_directories(env.shm_dir);
        file = env.shm_dir + "/looking-glass-lg";
        write_file(profile, tiny_guest_profile(name, "looking_glass:\n  size: 4M\n  owner: nobody\n"));
    }
    void start() {
        auto r = run_vmrun(env, {"start", profile, "--detach"});
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
    }
};

}  // namespace

TEST_CASE("Looking Glass: the guest writes into IVSHMEM's BAR 2 and the host reads it from the desktop user's file") {
    LookingGlassVm vm;
    vm.start();
    struct stat st {};
    REQUIRE(::stat(vm.file.c_str(), &st) == 0);
    CHECK(st.st_size == 4 << 20);
    CHECK((st.st_mode & 0777) == 0660);
    // Root's, in the client's group: logind's RemoveIPC deletes only the user's own files.
    CHECK(st.st_uid == 0);
    CHECK(st.st_gid == ::getpwnam("nobody")->pw_gid);
    REQUIRE_MESSAGE(wait_for_text(vm.state() + "/console.log", "VMRUN-GUEST-READY", 180s), read_file(vm.state() + "/console.log"));

    auto found = guest_run(vm.env, vm.name, "for d in /sys/bus/pci/devices/*; do [ $(cat $d/vendor):$(cat $d/device) = 0x1af4:0x1110 ] && echo $d; done");
    INFO(found);
    auto at = found.find("/sys/bus/pci/devices/");
    REQUIRE(at != std::string::npos);
    auto device = found.substr(at, found.find_first_of("\r\n", at) - at);  // the console ends lines with CR LF
    // BAR 2 is the shared memory; enabling the device turns on its memory decoding.
    auto wrote = guest_run(vm.env, vm.name, "echo 1 > " + device + "/enable; a=$(sed -n 3p " + device +
                                                "/resource | cut -d' ' -f1); devmem $a 32 0x4c4f4f4b; devmem $((a + 4)) 32 0x21474c56; devmem $a 32");
    INFO(wrote);
    CHECK(has(wrote, "0x4C4F4F4B"));
    std::ifstream in(vm.file, std::ios::binary);
    char marker[8] = {};
    in.read(marker, 8);
    CHECK(std::string(marker, 8) == "KOOLVLG!");  // the two words, little-endian

    auto stop = run_vmrun(vm.env, {"stop", vm.name, "--force"});
    CHECK(stop.exit_code == 5);
    // What the teardown gave back is shown to whoever stopped the VM.
    CHECK(has(stop.out, "vmrun: restored: removed Looking Glass's shared memory " + vm.file));
    CHECK_FALSE(fs::exists(vm.file));
}

TEST_CASE("Looking Glass: the file is gone after QEMU is killed and after restore following a killed supervisor") {
    LookingGlassVm vm;
    vm.start();
    REQUIRE(fs::exists(vm.file));
    ::kill(vm.qemu(), SIGKILL);
    CHECK(gone_within(vm.file, 30s));

    vm.start();
    REQUIRE(fs::exists(vm.file));
    ::kill(vm.supervisor(), SIGKILL);
    std::this_thread::sleep_for(500ms);
    CHECK(fs::exists(vm.file));  // nobody left to clean up...
    auto restore = run_vmrun(vm.env, {"restore", vm.name});
    INFO(restore.out << restore.err);
    CHECK(restore.exit_code == 0);
    CHECK(has(restore.out + restore.err, "removed Looking Glass's shared memory " + vm.file));
    CHECK_FALSE(fs::exists(vm.file));  // ...until restore
}

TEST_CASE("Looking Glass: a file someone else owns and an owner who does not exist are refused, nothing changed") {
    LookingGlassVm vm;
    write_file(vm.file, "theirs");  // root's, not nobody's
    auto foreign = run_vmrun(vm.env, {"start", vm.profile, "--detach"});
    CHECK(foreign.exit_code != 0);
    CHECK(has(foreign.err, vm.file + " exists and belongs to root:root, not to nobody who should run the client (nor to root in nobody's group)"));
    CHECK(has(foreign.err, "rm " + vm.file));
    CHECK(read_file(vm.file) == "theirs");
    CHECK_FALSE(fs::exists(vm.runtime()));

    fs::remove(vm.file);
    write_file(vm.profile, tiny_guest_profile(vm.name, "looking_glass:\n  owner: nosuchuser42\n"));
    auto unknown = run_vmrun(vm.env, {"start", vm.profile, "--detach"});
    CHECK(unknown.exit_code != 0);
    CHECK(has(unknown.err, "Looking Glass's owner 'nosuchuser42' is not a user on this host"));
    CHECK_FALSE(fs::exists(vm.file));
}

TEST_CASE("Looking Glass: a file a tmpfiles.d rule made (root's in the client's group) is used and left as it was") {
    LookingGlassVm vm;
    write_file(vm.file, std::string(4 << 20, '\0'));
    REQUIRE(::chown(vm.file.c_str(), 0, ::getpwnam("nobody")->pw_gid) == 0);
    vm.start();
    auto maps = read_file("/proc/" + std::to_string(vm.qemu()) + "/maps");
    CHECK(has(maps, vm.file));
    CHECK(run_vmrun(vm.env, {"stop", vm.name, "--force"}).exit_code == 5);
    CHECK(fs::exists(vm.file));  // not vmrun's: left
}

TEST_CASE("Looking Glass: a file its owner swaps for a link to root's file before QEMU opens it maps nothing of root's") {
    // The owner wins the race for certain: a stand-in for QEMU swaps the file
    // for a link to a root-only file of the right size, then runs the real
    // QEMU (fs.protected_symlinks=0 would let a root process follow it).
    LookingGlassVm vm;
    std::string secret = vm.dir / "root-only.img";
    {
        std::ofstream out(secret, std::ios::binary);
        out << std::string(4 << 20, 'S');
    }
    fs::permissions(secret, fs::perms::owner_read | fs::perms::owner_write);
    std::string racer = vm.dir / "qemu-after-swap";
    write_file(racer, "#!/bin/sh\nmv -f '" + vm.file + "' '" + vm.file + ".made'\nln -s '" + secret + "' '" + vm.file +
                          "'\nexec qemu-system-x86_64 \"$@\"\n");
    fs::permissions(racer, fs::perms::owner_all);
    vm.env.variables["VMRUN_QEMU"] = racer;
    vm.start();
    REQUIRE(fs::is_symlink(vm.file));  // the swap happened before QEMU ran
    auto maps = read_file("/proc/" + std::to_string(vm.qemu()) + "/maps");
    INFO(maps);
    CHECK_FALSE(has(maps, secret));
    CHECK(has(maps, vm.file + ".made"));  // the file vmrun made, under the name the swap gave it
    CHECK(run_vmrun(vm.env, {"stop", vm.name, "--force"}).exit_code == 5);
    CHECK(read_file(secret) == std::string(4 << 20, 'S'));
}
