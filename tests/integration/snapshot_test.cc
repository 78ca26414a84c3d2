// Snapshots with real qemu-img and a real QEMU: a VM that is off gets one in
// each qcow2 disk (list, revert, delete; a raw disk refused, a name taken
// refused); a running tiny guest's whole state is saved, its disk changed,
// and revert brings back the first marker while it runs; --disk-only takes the
// disks alone, the guest agent freezing the filesystem, reverted with the VM off.

#include <doctest/doctest.h>

#include <algorithm>
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

// The snapshots' names as qemu-img's JSON lists them.
std::vector<std::string> image_snapshot_names(const std::string& path) {
    auto r = vmrun::run_command({"qemu-img", "info", "--force-share", "--output=json", path}, std::chrono::seconds(30));
    auto info = nlohmann::json::parse(r.output, nullptr, false);
    REQUIRE_MESSAGE(info.is_object(), "qemu-img info " << path << ": " << r.output);
    std::vector<std::string> names;
    if (info.contains("snapshots"))
        for (const auto& snapshot : info["snapshots"]) names.push_back(snapshot.at("name").get<std::string>());
    return names;
}
bool has_snapshot(const std::string& path, const std::string& name) {
    auto names = image_snapshot_names(path);
    return std::find(names.begin(), names.end(), name) != names.end();
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
    CHECK(has_snapshot(root, "clean"));
    CHECK(has_snapshot(data, "clean"));

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
    CHECK_FALSE(has_snapshot(root, "clean"));
    CHECK_FALSE(has_snapshot(data, "clean"));

    std::string raw_path = vm.dir / "raw.img";
    write_file(raw_path, std::string(1 << 20, '\0'));
    write_file(vm.profile, tiny_guest_profile(vm.name, "disks:\n  - {path: " + root + "}\n  - {path: " + raw_path + ", id: win}\n"));
    auto raw = run_vmrun(vm.env, {"snapshot", vm.profile, "create", "x"});
    CHECK(raw.exit_code != 0);
    CHECK(has(raw.err, "disk 'win' (" + raw_path + ") is raw"));
    CHECK(image_snapshot_names(root).empty());  // none made on the qcow2 one either
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
    CHECK_FALSE(has_snapshot(disk, "before"));
}

TEST_CASE("snapshot --disk-only of a running VM: the guest agent freezes its filesystem around one transaction; revert with the VM off") {
    VmUnderTest vm("snap-disks");
    // An ext2 filesystem the guest mounts: something for its agent to freeze.
    auto raw = (vm.dir.path / "fs.raw").string();
    auto disk = (vm.dir.path / "fs.qcow2").string();
    REQUIRE(vmrun::run_command({"qemu-img", "create", "-q", "-f", "raw", raw, "16M"}, 30s).ok());
    auto mkfs = vmrun::run_command({"mkfs.ext2", "-q", "-F", raw}, 30s);
    REQUIRE_MESSAGE(mkfs.ok(), mkfs.describe());
    REQUIRE(vmrun::run_command({"qemu-img", "convert", "-O", "qcow2", raw, disk}, 30s).ok());
    write_file(vm.profile, tiny_guest_agent_profile(vm.name, "disks:\n  - {path: " + disk + ", id: data}\n"));
    auto r = run_vmrun(vm.env, {"start", vm.profile});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE_MESSAGE(wait_for_text(vm.state() + "/console.log", "VMRUN-GUEST-READY", 180s), read_file(vm.state() + "/console.log"));
    bool answering = false;
    for (int i = 0; i < 20 && !answering; ++i) answering = run_vmrun(vm.env, {"agent", vm.name, "guest-ping", "--timeout", "3"}).exit_code == 0;
    REQUIRE(answering);
    auto mounted = guest_run(vm.env, vm.name, "mkdir -p /mnt && mount -t ext2 /dev/vda /mnt && echo FIRST-FILE > /mnt/marker && sync && cat /mnt/marker");
    REQUIRE(has(mounted, "FIRST-FILE"));

    // A VFIO VM's fix names this same command; here the VM has none, and the option works the same.
    auto made = run_vmrun(vm.env, {"snapshot", vm.name, "create", "disks", "--disk-only"}, "", 300s);
    INFO(made.out << made.err);
    REQUIRE(made.exit_code == 0);
    CHECK(has(made.out, "snapshot 'disks' of the running VM's disks (1 filesystem frozen by the guest agent)"));
    // Thawed again: the guest writes on.
    CHECK(has(guest_run(vm.env, vm.name, "echo SECOND-FILE > /mnt/marker && sync && cat /mnt/marker"), "SECOND-FILE"));
    CHECK(has(run_vmrun(vm.env, {"agent", vm.name, "guest-fsfreeze-status"}).out, "thawed"));

    auto list = nlohmann::json::parse(run_vmrun(vm.env, {"snapshot", vm.name, "list", "--json"}).out);
    REQUIRE(list["snapshots"].size() == 1);
    CHECK(list["snapshots"][0]["vm_state_bytes"] == 0);  // disks only
    auto live_revert = run_vmrun(vm.env, {"snapshot", vm.name, "revert", "disks"}, "", 300s);
    CHECK(live_revert.exit_code != 0);
    CHECK(has(live_revert.err, "snapshot 'disks' holds disks only: a running VM cannot go back to it"));
    CHECK(nlohmann::json::parse(run_vmrun(vm.env, {"status", vm.name, "--json"}).out)["state"] == "running");  // and it runs on
    CHECK(run_vmrun(vm.env, {"snapshot", vm.name, "revert", "disks", "--disk-only"}).exit_code != 0);  // create only

    guest_run(vm.env, vm.name, "umount /mnt");
    REQUIRE(run_vmrun(vm.env, {"stop", vm.name}).exit_code == 0);
    auto file_in_image = [&] {
        auto flat = (vm.dir.path / "flat.raw").string();
        REQUIRE(vmrun::run_command({"qemu-img", "convert", "-O", "raw", disk, flat}, 60s).ok());
        return vmrun::run_command({"debugfs", "-R", "cat /marker", flat}, 30s).output;
    };
    CHECK(has(file_in_image(), "SECOND-FILE"));
    auto back = run_vmrun(vm.env, {"snapshot", vm.profile, "revert", "disks"});
    INFO(back.out << back.err);
    REQUIRE(back.exit_code == 0);
    CHECK(has(file_in_image(), "FIRST-FILE"));
}
