// Every undo acts only on what vmrun left: each journal action replayed
// against a host that still shows vmrun's change (undone), a host that was
// changed since — by the user, by the kernel after a reboot — (left alone,
// and said so), and an entry written in an earlier boot (left alone).

#include <doctest/doctest.h>

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "failure_text.h"
#include "text_has.h"
#include "host/display/display_handoff.h"
#include "host/host_restore.h"
#include "host/input/evdev_devices.h"
#include "host/journal.h"
#include "host/pci/passthrough_setup.h"
#include "host/pci/sriov.h"
#include "host/pci/vfio_binder.h"
#include "host/sysfs_io.h"
#include "pci_addresses.h"
#include "sim_kernel.h"
#include "sim_sysfs.h"
#include "temp_dir.h"

using namespace vmrun;
using namespace vmrun::testing;
namespace fs = std::filesystem;

namespace {

void set_boot(const fs::path& root, const std::string& id) {
    fs::create_directories(root / "proc/sys/kernel/random");
    write_file(root / "proc/sys/kernel/random/boot_id", id + "\n");
}

// A DL360 whose NVMe 5f:00.0 had no driver when vmrun took it (the case).
struct DriverlessNvme {
    TempDir root, state;
    std::string address = "0000:5f:00.0";
    std::unique_ptr<SimKernel> kernel;
    Journal journal{state / "journal"};
    DriverlessNvme() {
        sim_dl360(root.path.string());
        set_boot(root.path, "11111111-aaaa");
        kernel = std::make_unique<SimKernel>(root.path.string());
        REQUIRE(write_attribute(root.path / "sys/bus/pci/drivers/nvme/unbind", address) == "");
        kernel->sync();
        REQUIRE(driver() == "");
        auto inspection = inspect_passthrough(root.path.string(), addrs({"5f:00.0"}));
        REQUIRE(testing::failure_text(bind_passthrough(root.path.string(), inspection.expansion, journal)) == "");
        REQUIRE(driver() == "vfio-pci");
    }
    std::string driver() const { return symlink_name(root.path / "sys/bus/pci/devices" / address / "driver"); }
    std::string override_now() const { return read_first_line(root.path / "sys/bus/pci/devices" / address / "driver_override"); }
    // What the kernel does at boot, or the user by hand: the device on nvme, no override.
    void given_back_to_nvme() {
        auto dev = root.path / "sys/bus/pci/devices" / address;
        REQUIRE(write_attribute(dev / "driver_override", "") == "");
        REQUIRE(write_attribute(root.path / "sys/bus/pci/drivers/vfio-pci/unbind", address) == "");
        kernel->sync();
        REQUIRE(write_attribute(root.path / "sys/bus/pci/drivers/nvme/bind", address) == "");
        kernel->sync();
        REQUIRE(driver() == "nvme");
    }
};

}  // namespace

TEST_CASE("pci-driver: a device the kernel or the user gave back to nvme is left alone, not unbound, and the replay says why") {
    DriverlessNvme host;
    host.given_back_to_nvme();
    auto writes = host.kernel->writes().size();
    auto report = make_restorer({}).restore(host.journal);
    host.kernel->sync();
    CHECK(report.ok());
    CHECK(report.undone.empty());
    CHECK(mentions(report.left_alone, "0000:5f:00.0 is on nvme now, not on vfio-pci as vmrun left it: not touched"));
    CHECK(host.driver() == "nvme");
    CHECK(host.kernel->writes().size() == writes);  // not one write to the device
    CHECK_FALSE(host.journal.exists());
}

TEST_CASE("pci-driver: an entry of an earlier boot is not undone even where the device is on vfio-pci") {
    DriverlessNvme host;
    set_boot(host.root.path, "22222222-bbbb");  // rebooted: vfio-pci.ids= bound it at boot, say
    auto writes = host.kernel->writes().size();
    auto report = make_restorer({}).restore(host.journal);
    host.kernel->sync();
    CHECK(report.ok());
    CHECK(mentions(report.left_alone, "'pci-driver' was written in an earlier boot"));
    CHECK(host.driver() == "vfio-pci");
    CHECK(host.kernel->writes().size() == writes);
}

TEST_CASE("pci-driver: on vfio-pci without vmrun's driver_override (someone else bound it) is left alone") {
    DriverlessNvme host;
    REQUIRE(write_attribute(host.root.path / "sys/bus/pci/devices" / host.address / "driver_override", "") == "");
    host.kernel->sync();
    auto report = make_restorer({}).restore(host.journal);
    host.kernel->sync();
    CHECK(mentions(report.left_alone, "0000:5f:00.0 is on vfio-pci now, not on vfio-pci as vmrun left it"));
    CHECK(host.driver() == "vfio-pci");
}

TEST_CASE("pci-driver: the same boot and vmrun's state: given back (no driver before, so released)") {
    DriverlessNvme host;
    auto report = make_restorer({}).restore(host.journal);
    host.kernel->sync();
    CHECK(report.ok());
    CHECK(report.left_alone.empty());
    CHECK(mentions(report.undone, "0000:5f:00.0 released by vfio-pci (it had no driver before)"));
    CHECK(host.driver() == "");
    CHECK(host.override_now() == "(null)");
}

TEST_CASE("pci-driver: a group still open (an orphaned QEMU) keeps the device on vfio-pci; the journal stays for a later restore") {
    DriverlessNvme host;
    auto group = symlink_name(host.root.path / "sys/bus/pci/devices" / host.address / "iommu_group");
    REQUIRE_FALSE(group.empty());
    auto proc = host.root.path / "proc/5151";
    fs::create_directories(proc / "fd");
    write_file(proc / "comm", "qemu-system-x86\n");
    fs::create_symlink("/dev/vfio/" + group, proc / "fd/23");
    auto report = make_restorer({}).restore(host.journal);
    CHECK_FALSE(report.ok());
    CHECK(mentions(report.errors, "0000:5f:00.0 stays on vfio-pci: its IOMMU group is still in use (pid 5151 (qemu-system-x86)"));
    CHECK(host.driver() == "vfio-pci");
    CHECK(host.journal.exists());
    fs::remove_all(proc);
    CHECK(make_restorer({}).restore(host.journal).ok());
    host.kernel->sync();
    CHECK(host.driver() == "");
}

TEST_CASE("pci-driver: an unbind that never returns ends the undo with a timeout naming the device, in bounded time") {
    DriverlessNvme host;
    // vfio-pci's remove blocked (its user never lets go): the write does not return.
    auto unbind = host.root.path / "sys/bus/pci/drivers/vfio-pci/unbind";
    fs::remove(unbind);
    REQUIRE(::mkfifo(unbind.c_str(), 0600) == 0);
    auto entry = host.journal.read().entries.at(0).args;
    auto started = std::chrono::steady_clock::now();
    BindLimits quick{std::chrono::milliseconds(300), std::chrono::milliseconds(300)};
    quick.sysfs_write = std::chrono::milliseconds(300);
    auto outcome = restore_pci_driver(entry, quick);
    auto took = std::chrono::steady_clock::now() - started;
    CHECK(outcome.kind == UndoOutcome::Kind::failed);
    CHECK(outcome.failure.what.find("unbinding 0000:5f:00.0 from vfio-pci: writing '0000:5f:00.0' to ") == 0);
    CHECK(outcome.failure.what.find("did not return within 300 ms") != std::string::npos);
    CHECK(outcome.failure.where == "0000:5f:00.0");
    CHECK(took < std::chrono::seconds(3));
    // The override stays until the unbind is done: the device is still recognisably vmrun's.
    CHECK(host.override_now() == "vfio-pci");
}

TEST_CASE("a sysfs write is made by a child that holds none of vmrun's files, so a stuck write keeps no lock") {
    TempDir dir;
    auto lock_path = dir / "vm.lock";
    int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    REQUIRE(lock >= 0);
    REQUIRE(::flock(lock, LOCK_EX | LOCK_NB) == 0);
    auto stuck = dir.path / "unbind";
    REQUIRE(::mkfifo(stuck.c_str(), 0600) == 0);
    // While the child waits in open(), look at what it holds.
    std::vector<std::string> child_files;
    std::atomic<bool> looked{false};
    std::thread watcher([&] {
        auto self = std::to_string(::getpid());
        for (int i = 0; i < 200 && !looked; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            std::error_code ec;
            for (const auto& task : fs::directory_iterator("/proc/" + self + "/task", ec)) {
                auto children = read_first_line(task.path() / "children");
                if (children.empty()) continue;
                auto pid = children.substr(0, children.find(' '));
                for (const auto& fd : fs::directory_iterator("/proc/" + pid + "/fd", ec))
                    child_files.push_back(fs::read_symlink(fd.path(), ec).string());
                looked = true;
            }
        }
    });
    auto err = write_attribute(stuck, "0000:01:00.0", std::chrono::milliseconds(500));
    watcher.join();
    CHECK(err.find("did not return within 500 ms") != std::string::npos);
    REQUIRE(looked);
    CHECK(std::find(child_files.begin(), child_files.end(), lock_path) == child_files.end());
    CHECK(child_files.size() <= 4);  // stdin, stdout, stderr (all /dev/null) and its report pipe
    for (const auto& f : child_files) CHECK((f == "/dev/null" || f.rfind("pipe:", 0) == 0));
    // And the lock is free for the next vmrun the moment this one lets go of it.
    ::close(lock);
    int again = ::open(lock_path.c_str(), O_RDWR | O_CLOEXEC);
    CHECK(::flock(again, LOCK_EX | LOCK_NB) == 0);
    ::close(again);
}

TEST_CASE("vtconsole: bound again only while it is still unbound and the console vmrun released") {
    TempDir root;
    set_boot(root.path, "11111111-aaaa");
    auto vt = root.path / "sys/class/vtconsole/vtcon1";
    fs::create_directories(vt);
    write_file(vt / "name", "(M) frame buffer device\n");
    write_file(vt / "bind", "0\n");
    Journal journal(root / "journal");
    nlohmann::json entry = {{"sysroot", root.path.string()}, {"vtcon", "vtcon1"}, {"name", "(M) frame buffer device"}};
    REQUIRE_FALSE(journal.record({"vtconsole", entry}));

    SUBCASE("another console at that number now") {
        write_file(vt / "name", "(S) dummy device\n");
        auto report = make_restorer({}).restore(journal);
        CHECK(mentions(report.left_alone, "vtcon1 is (S) dummy device now, not the (M) frame buffer device vmrun released: not touched"));
        CHECK(read_first_line(vt / "bind") == "0");
    }
    SUBCASE("an earlier boot") {
        set_boot(root.path, "22222222-bbbb");
        auto report = make_restorer({}).restore(journal);
        CHECK(mentions(report.left_alone, "'vtconsole' was written in an earlier boot"));
        CHECK(read_first_line(vt / "bind") == "0");
    }
    SUBCASE("as vmrun left it") {
        auto report = make_restorer({}).restore(journal);
        CHECK(mentions(report.undone, "console vtcon1 back on (M) frame buffer device"));
        CHECK(read_first_line(vt / "bind") == "1");
    }
}

TEST_CASE("framebuffer: bound again only while it is on no driver; on simpledrm or gone it is left alone") {
    TempDir root;
    set_boot(root.path, "11111111-aaaa");
    auto driver_dir = root.path / "sys/bus/platform/drivers/simple-framebuffer";
    auto device = root.path / "sys/bus/platform/devices/simple-framebuffer.0";
    fs::create_directories(driver_dir);
    fs::create_directories(device);
    write_file(driver_dir / "bind", "");
    Journal journal(root / "journal");
    REQUIRE_FALSE(journal.record({"framebuffer", {{"sysroot", root.path.string()}, {"driver", "simple-framebuffer"}, {"device", "simple-framebuffer.0"}}}));

    SUBCASE("another driver took it") {
        fs::create_directories(root.path / "sys/bus/platform/drivers/simpledrm");
        fs::create_directory_symlink("../../drivers/simpledrm", device / "driver");
        auto report = make_restorer({}).restore(journal);
        CHECK(mentions(report.left_alone, "the firmware framebuffer simple-framebuffer.0 is on simpledrm now, not unbound as vmrun left it"));
        CHECK(read_file(driver_dir / "bind").empty());
    }
    SUBCASE("the device is gone") {
        fs::remove_all(device);
        auto report = make_restorer({}).restore(journal);
        CHECK(mentions(report.left_alone, "the firmware framebuffer simple-framebuffer.0 is gone"));
        CHECK(read_file(driver_dir / "bind").empty());
    }
    SUBCASE("an earlier boot") {
        set_boot(root.path, "22222222-bbbb");
        auto report = make_restorer({}).restore(journal);
        CHECK(mentions(report.left_alone, "'framebuffer' was written in an earlier boot"));
        CHECK(read_file(driver_dir / "bind").empty());
    }
    SUBCASE("as vmrun left it") {
        auto report = make_restorer({}).restore(journal);
        CHECK(mentions(report.undone, "firmware framebuffer simple-framebuffer.0 bound again"));
        CHECK(read_file(driver_dir / "bind") == "simple-framebuffer.0\n");
    }
}

TEST_CASE("kernel-module: loaded meanwhile needs nothing; an earlier boot's entry loads nothing") {
    TempDir root;
    set_boot(root.path, "11111111-aaaa");
    Journal journal(root / "journal");
    REQUIRE_FALSE(journal.record({"kernel-module", {{"sysroot", root.path.string()}, {"name", "amdgpu"}}}));
    SUBCASE("loaded again by the user") {
        fs::create_directories(root.path / "sys/module/amdgpu");
        auto report = make_restorer({}).restore(journal);
        CHECK(report.ok());
        CHECK(report.undone.empty());
        CHECK(report.left_alone.empty());
    }
    SUBCASE("an earlier boot") {
        set_boot(root.path, "22222222-bbbb");
        auto report = make_restorer({}).restore(journal);
        CHECK(mentions(report.left_alone, "'kernel-module' was written in an earlier boot"));
    }
}

TEST_CASE("evdev-access: the owner goes back only to the very node vmrun lent, as vmrun left it") {
    TempDir root;
    set_boot(root.path, "11111111-aaaa");
    fs::create_directories(root.path / "dev/input");
    auto node = root.path / "dev/input/event5";
    if (::mknod(node.c_str(), S_IFCHR | 0600, makedev(13, 69)) != 0) {
        MESSAGE("skipped: cannot make a character device here (" << std::strerror(errno) << "); the node checks need one");
        return;
    }
    Journal journal(root / "journal");
    auto granted = grant_evdev_access(root.path.string(), "/dev/input/event5", 65534, 65534, journal);
    REQUIRE(granted.done != "");
    REQUIRE(!granted.failure);

    SUBCASE("replugged: the name is another device's now") {
        fs::remove(node);
        REQUIRE(::mknod(node.c_str(), S_IFCHR | 0600, makedev(13, 70)) == 0);
        REQUIRE(::chown(node.c_str(), 65534, 0) == 0);
        auto report = make_restorer({}).restore(journal);
        CHECK(mentions(report.left_alone, "is another device now (13:70, not the one vmrun lent): not touched"));
        struct stat st {};
        REQUIRE(::stat(node.c_str(), &st) == 0);
        CHECK(st.st_uid == 65534);
    }
    SUBCASE("its owner changed since") {
        REQUIRE(::chown(node.c_str(), 1000, 0) == 0);
        auto report = make_restorer({}).restore(journal);
        CHECK(mentions(report.left_alone, "has owner 1000 and mode 0600 now, not what vmrun lent it with: not touched"));
    }
    SUBCASE("an earlier boot") {
        set_boot(root.path, "22222222-bbbb");
        auto report = make_restorer({}).restore(journal);
        CHECK(mentions(report.left_alone, "'evdev-access' was written in an earlier boot"));
    }
    SUBCASE("as vmrun left it") {
        auto report = make_restorer({}).restore(journal);
        CHECK(mentions(report.undone, "back to its owner and mode"));
        struct stat st {};
        REQUIRE(::stat(node.c_str(), &st) == 0);
        CHECK(st.st_uid == 0);
    }
}

TEST_CASE("sriov-vfs: a count the user set anew is theirs") {
    TempDir dir;
    std::string root = dir / "host";
    add_function(root, {"0000:03:00.0", "0x8086", "0x10fb", "0x020000", "ixgbe", 20, -1});
    add_sriov(root, {"0000:03:00.0", 63, 128, 2, "0x10ed", "ixgbevf", 40});
    add_driver(root, "vfio-pci");
    set_boot(root, "11111111-aaaa");
    SimKernel kernel(root);
    auto numvfs = fs::path(root) / "sys/bus/pci/devices/0000:03:00.0/sriov_numvfs";
    Journal journal(dir / "journal");
    REQUIRE(!create_virtual_functions(root, {*parse_pci_address("03:00.0"), 2, 0, {}}, journal));
    // The VM's supervisor died; the user set the PF up anew for something else.
    REQUIRE(write_attribute(numvfs, "0") == "");
    kernel.sync();
    REQUIRE(write_attribute(numvfs, "3") == "");
    kernel.sync();
    REQUIRE(read_first_line(numvfs) == "3");
    auto report = make_restorer({}).restore(journal);
    kernel.sync();
    CHECK(report.ok());
    CHECK(mentions(report.left_alone, "0000:03:00.0 has 3 virtual functions now, not the 2 vmrun made: not touched"));
    CHECK(read_first_line(numvfs) == "3");
}

TEST_CASE("every entry is stamped with its boot, from its sysroot or the journal's boot root") {
    TempDir root, other;
    set_boot(root.path, "11111111-aaaa");
    set_boot(other.path, "33333333-cccc");
    Journal journal(root / "journal", other.path.string());
    REQUIRE_FALSE(journal.record({"pci-driver", {{"sysroot", root.path.string()}, {"address", "0000:01:00.0"}}}));
    REQUIRE_FALSE(journal.record({"tap", {{"name", "tap0"}}}));
    auto entries = journal.read().entries;
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].args["boot"] == "11111111-aaaa");
    CHECK(entries[1].args["boot"] == "33333333-cccc");
}

TEST_CASE("evdev-access: a link flipped between an input node and root's file while vmrun lends it: root's file is never touched") {
    TempDir root;
    fs::create_directories(root.path / "dev/input");
    auto node = root.path / "dev/input/event6";
    if (::mknod(node.c_str(), S_IFCHR | 0600, makedev(13, 70)) != 0) {
        MESSAGE("skipped: cannot make a character device here (" << std::strerror(errno) << "); the race needs one");
        return;
    }
    auto victim = root.path / "shadow";
    write_file(victim, "root:secret\n");
    ::chmod(victim.c_str(), 0600);
    auto link = root.path / "kbd";  // the path a user hands to 'hotplug --input'
    fs::create_symlink(node, link);
    std::atomic<bool> stop{false};
    std::thread flipper([&] {
        auto tmp = root.path / "kbd.new";
        for (bool to_victim = true; !stop; to_victim = !to_victim) {
            std::error_code ec;
            fs::remove(tmp, ec);
            fs::create_symlink(to_victim ? victim : node, tmp, ec);
            fs::rename(tmp, link, ec);
        }
    });
    int lent = 0, refused = 0;
    for (int i = 0; i < 2000; ++i) {
        Journal journal(root / "journal");
        auto granted = grant_evdev_access(root.path.string(), "/kbd", 65534, 65534, journal);
        if (!granted.done.empty()) {
            ++lent;
            REQUIRE(::chown(node.c_str(), 0, 0) == 0);  // back to root's, so the next try lends again
            REQUIRE(::chmod(node.c_str(), 0600) == 0);
        } else if (granted.failure) {
            ++refused;
        }
        fs::remove(root.path / "journal");
    }
    stop = true;
    flipper.join();
    struct stat st {};
    REQUIRE(::stat(victim.c_str(), &st) == 0);
    CHECK(st.st_uid == 0);
    CHECK((st.st_mode & 07777) == 0600);
    CHECK(read_file(victim) == "root:secret\n");
    MESSAGE("lent " << lent << " times, refused " << refused << " times while the link flipped");
    CHECK(lent > 0);
    CHECK(refused > 0);
}

TEST_CASE("display-manager: its start command is not run for an entry of an earlier boot (that boot's display manager started itself)") {
    TempDir root;
    set_boot(root.path, "11111111-aaaa");
    auto trace = root / "trace";
    Journal journal(root / "journal", root.path.string());
    REQUIRE_FALSE(journal.record({"display-manager", {{"key", "display-manager"}, {"start", {"/bin/sh", "-c", "echo start >> " + trace}}}}));
    SUBCASE("an earlier boot") {
        set_boot(root.path, "22222222-bbbb");
        auto report = make_restorer({}).restore(journal);
        CHECK(mentions(report.left_alone, "'display-manager' was written in an earlier boot"));
        CHECK_FALSE(fs::exists(trace));
    }
    SUBCASE("this boot") {
        auto report = make_restorer({}).restore(journal);
        CHECK(mentions(report.undone, "ran the display manager's start command"));
        CHECK(read_file(trace) == "start\n");
    }
}

TEST_CASE("shm-file: a file on disk is judged by what is there now, whatever the boot; not a plain file any more, it is left") {
    TempDir root;
    set_boot(root.path, "11111111-aaaa");
    auto file = root.path / "looking-glass-lg";
    Journal journal(root / "journal", root.path.string());
    REQUIRE_FALSE(journal.record({"shm-file", {{"path", file.string()}}}));
    SUBCASE("a folder in its place") {
        fs::create_directories(file);
        auto report = make_restorer({"lg", root / "run/lg", root / "state/lg"}).restore(journal);
        CHECK(mentions(report.left_alone, file.string() + " is not a plain file any more: not touched"));
        CHECK(fs::is_directory(file));
    }
    SUBCASE("another boot: still removed (a file outlives the boot that wrote it)") {
        write_file(file, "frame");
        set_boot(root.path, "22222222-bbbb");
        auto report = make_restorer({"lg", root / "run/lg", root / "state/lg"}).restore(journal);
        CHECK(mentions(report.undone, "removed Looking Glass's shared memory " + file.string()));
        CHECK_FALSE(fs::exists(file));
    }
}
