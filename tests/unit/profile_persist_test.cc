// 'hotplug --persist' writes only into the folder the profile was in when the
// VM started, and only when nobody but root and the one asking can change
// that folder: a path swapped for a link to another folder while the edit
// runs redirects nothing.

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "cli/change_report.h"
#include "vm/profile_persist.h"
#include "run/profile_snapshot.h"
#include "temp_dir.h"

using namespace vmrun;
using vmrun::testing::TempDir;
using vmrun::testing::read_file;
using vmrun::testing::write_file;
namespace fs = std::filesystem;

namespace {

const std::string kProfile = "name: persisted\nmemory: 256M\nsmp: 1\n";

// A VM "started" from dir/vms/vm.yaml: its runtime folder holds the snapshot.
struct StartedVm {
    TempDir dir;
    VmPaths paths;
    std::string folder = dir / "vms", file = dir / "vms/vm.yaml";
    StartedVm() {
        paths = {"persisted", dir / "run", dir / "state"};
        fs::create_directories(paths.runtime_dir);
        fs::create_directories(folder);
        ::chmod(folder.c_str(), 0755);
        write_file(file, kProfile);
        ProfileSnapshot snapshot{file, kProfile};
        struct stat st {};
        REQUIRE(::stat(folder.c_str(), &st) == 0);
        snapshot.folder_device = st.st_dev;
        snapshot.folder_inode = st.st_ino;
        REQUIRE(write_profile_snapshot(paths, snapshot).empty());
    }
    // One --persist: open, add a comment line, commit.
    bool persist(const std::string& line) {
        auto p = PersistedProfile::open(paths);
        if (!p) return false;
        if (!p->accept(ProfileEdit{p->text() + line + "\n", ""})) return false;
        cli::ChangeReport report(false, "persisted");
        return p->commit(paths, report);
    }
};

}  // namespace

TEST_CASE("--persist edits the profile in place, keeping its mode") {
    StartedVm vm;
    ::chmod(vm.file.c_str(), 0640);
    REQUIRE(vm.persist("# first"));
    CHECK(read_file(vm.file) == kProfile + "# first\n");
    struct stat st {};
    REQUIRE(::stat(vm.file.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0640);
    REQUIRE(vm.persist("# second"));  // the snapshot moved on with the file
    CHECK(read_file(vm.file) == kProfile + "# first\n# second\n");
    for (auto& e : fs::directory_iterator(vm.folder)) CHECK(e.path().filename() == "vm.yaml");
}

TEST_CASE("--persist refuses a folder others can change, a hard-linked file, a folder that is not the one it started in") {
    SUBCASE("writable by other users") {
        StartedVm vm;
        ::chmod(vm.folder.c_str(), 0777);
        CHECK_FALSE(vm.persist("# no"));
        CHECK(read_file(vm.file) == kProfile);
    }
    SUBCASE("owned by another user") {
        StartedVm vm;
        if (::geteuid() != 0) {
            MESSAGE("skipped: chown to another user needs root");
            return;
        }
        REQUIRE(::chown(vm.folder.c_str(), 4242, 4242) == 0);
        CHECK_FALSE(vm.persist("# no"));
        CHECK(read_file(vm.file) == kProfile);
    }
    SUBCASE("a second name for the file") {
        StartedVm vm;
        REQUIRE(::link(vm.file.c_str(), (vm.dir / "other-name.yaml").c_str()) == 0);
        CHECK_FALSE(vm.persist("# no"));
        CHECK(read_file(vm.dir / "other-name.yaml") == kProfile);
    }
    SUBCASE("the folder's path now names another folder with the same file") {
        StartedVm vm;
        fs::rename(vm.folder, vm.dir / "moved");
        fs::create_directories(vm.folder);
        ::chmod(vm.folder.c_str(), 0755);
        write_file(vm.file, kProfile);
        CHECK_FALSE(vm.persist("# no"));
        CHECK(read_file(vm.file) == kProfile);
    }
}

TEST_CASE("--persist while the profile's folder flips to a link into a root folder leaves that folder untouched") {
    StartedVm vm;
    std::string victim = vm.dir / "victim", real = vm.dir / "vms.real";
    fs::create_directories(victim);
    write_file(victim + "/keep", "root's file\n");
    std::atomic<bool> stop{false};
    std::thread flipper([&] {
        // Swap vms for a link to victim and back, as the folder's owner
        // could, at offsets spread over an edit's few hundred microseconds.
        std::minstd_rand random(7);
        while (!stop) {
            if (::rename(vm.folder.c_str(), real.c_str()) == 0) {
                ::symlink(victim.c_str(), vm.folder.c_str());
                std::this_thread::sleep_for(std::chrono::microseconds(random() % 100));
                ::unlink(vm.folder.c_str());
                ::rename(real.c_str(), vm.folder.c_str());
            }
            std::this_thread::sleep_for(std::chrono::microseconds(random() % 400));
        }
    });
    int landed = 0;
    for (int i = 0; i < 1500; ++i) landed += vm.persist("# edit " + std::to_string(i));
    stop = true;
    flipper.join();
    std::vector<std::string> in_victim;
    for (auto& e : fs::directory_iterator(victim)) in_victim.push_back(e.path().filename());
    CHECK(in_victim == std::vector<std::string>{"keep"});
    CHECK(read_file(victim + "/keep") == "root's file\n");
    MESSAGE(landed << " of 1500 edits landed in the profile's own folder");
}
