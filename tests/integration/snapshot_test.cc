// Snapshots with real qemu-img and a real QEMU: a VM that is off gets one in
// each qcow2 disk (list, revert, delete; a raw disk refused, a name taken
// refused); a running tiny guest's whole state is saved, its disk changed,
// and revert brings back the first marker while it runs.

#include <doctest/doctest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "guest_console.h"
#include "host/run_command.h"
#include "run_vmrun.h"
#include "text_has.h"
#include "vm_under_test.h"

using namespace std::chrono_literals;
using namespace vmrun::testing;
namespace fs = std::filesystem;

namespace {

std::string make_qcow2(const fs::path& dir, const std::string& name) {
    auto path = (dir / name).string();
    auto r = vmrun::run_command({"qemu-img", "create", "-q", "-f", "qcow2", path, "16M"}, std::chrono::seconds(30));
    REQUIRE(r.ok());
    return path;
}

std::string image_snapshot_names(const std::string& path) {
    auto r = vmrun::run_command({"qemu-img", "snapshot", "-l", path}, std::chrono::seconds(30));
    return r.output;
}

}  // namespace

TEST_CASE("snapshot of a VM that is off: each qcow2 disk, all or none; list, revert, delete; raw refused") {
    VmUnderTest vm("snap-off");
    auto root = make_qcow2(vm.dir.path, "root.qcow2");
    auto data = make_qcow2(vm.dir.path, "data.qcow2");
    write_file(vm.profile, tiny_guest_profile(vm.name, "disks:\n  - {path: " + root + "}\n  - {path: " + data + ", id: data}\n"));

    auto made = run_vmrun(vm.env, {"snapshot", vm.profile, "create", "clean"});
    INFO(made.out << made.err);
    REQUIRE(made.exit_code == 0);
    CHECK(has(made.out, "snapshot 'clean' of 2 disks"));
    CHECK(has(image_snapshot_names(root), "clean"));
    CHECK(has(image_snapshot_names(data), "clean"));

    auto again = run_vmrun(vm.env, {"snapshot", vm.profile, "create", "clean"});
    CHECK(again.exit_code != 0);
    CHECK(has(again.err, "a snapshot 'clean' exists already"));

    auto list = run_vmrun(vm.env, {"snapshot", vm.profile, "list", "--json"});
    REQUIRE(list.exit_code == 0);
    auto j = nlohmann::json::parse(list.out);
    CHECK(j["running"] == false);
    REQUIRE(j["snapshots"].size() == 1);
    CHECK(j["snapshots"][0]["name"] == "clean");
    CHECK(j["snapshots"][0]["disks"].size() == 2);
    CHECK(j["snapshots"][0]["vm_state_bytes"] == 0);

    CHECK(run_vmrun(vm.env, {"snapshot", vm.profile, "revert", "clean"}).exit_code == 0);
    auto missing = run_vmrun(vm.env, {"snapshot", vm.profile, "revert", "nope"});
    CHECK(missing.exit_code != 0);
    CHECK(has(missing.err, "no snapshot 'nope'"));
    CHECK(run_vmrun(vm.env, {"snapshot", vm.profile, "delete", "clean"}).exit_code == 0);
    CHECK_FALSE(has(image_snapshot_names(root), "clean"));
    CHECK_FALSE(has(image_snapshot_names(data), "clean"));

    std::string raw_path = vm.dir / "raw.img";
    write_file(raw_path, std::string(1 << 20, '\0'));
    write_file(vm.profile, tiny_guest_profile(vm.name, "disks:\n  - {path: " + root + "}\n  - {path: " + raw_path + ", id: win}\n"));
    auto raw = run_vmrun(vm.env, {"snapshot", vm.profile, "create", "x"});
    CHECK(raw.exit_code != 0);
    CHECK(has(raw.err, "disk 'win' (" + raw_path + ") is raw"));
    CHECK_FALSE(has(image_snapshot_names(root), " x "));  // none made on the qcow2 one either
}

TEST_CASE("snapshot of a running VM: the whole VM saved; revert brings the disk's first marker back while it runs") {
    VmUnderTest vm("snap-live");
    auto disk = make_qcow2(vm.dir.path, "disk.qcow2");
    write_file(vm.profile, tiny_guest_profile(vm.name, "disks:\n  - {path: " + disk + ", id: data}\n"));
    auto r = run_vmrun(vm.env, {"start", vm.profile});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE_MESSAGE(wait_for_text(vm.state() + "/console.log", "VMRUN-GUEST-READY", 180s), read_file(vm.state() + "/console.log"));

    auto write_marker = [&](const std::string& marker) {
        guest_run(vm.env, vm.name, "echo " + marker + " | dd of=/dev/vda bs=512 count=1 conv=sync 2>/dev/null; sync");
    };
    auto read_marker = [&] { return guest_run(vm.env, vm.name, "echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/vda bs=16 count=1 2>/dev/null"); };
    write_marker("FIRST-MARKER");
    REQUIRE(has(read_marker(), "FIRST-MARKER"));

    auto made = run_vmrun(vm.env, {"snapshot", vm.name, "create", "before"}, "", 300s);
    INFO(made.out << made.err);
    REQUIRE(made.exit_code == 0);
    CHECK(has(made.out, "snapshot 'before' of the running VM"));
    write_marker("SECOND-MARKER");
    REQUIRE(has(read_marker(), "SECOND-MARKER"));

    auto list = nlohmann::json::parse(run_vmrun(vm.env, {"snapshot", vm.name, "list", "--json"}).out);
    CHECK(list["running"] == true);
    REQUIRE(list["snapshots"].size() == 1);
    CHECK(list["snapshots"][0]["vm_state_bytes"].get<unsigned long long>() > 0);

    auto back = run_vmrun(vm.env, {"snapshot", vm.name, "revert", "before"}, "", 300s);
    INFO(back.out << back.err);
    REQUIRE(back.exit_code == 0);
    CHECK(has(read_marker(), "FIRST-MARKER"));
    CHECK(run_vmrun(vm.env, {"snapshot", vm.name, "delete", "before"}, "", 300s).exit_code == 0);
    CHECK(run_vmrun(vm.env, {"stop", vm.name}).exit_code == 0);
    CHECK_FALSE(has(image_snapshot_names(disk), "before"));
}
