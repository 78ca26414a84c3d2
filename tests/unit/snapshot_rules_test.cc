// What a snapshot covers and refuses, without a host.

#include <doctest/doctest.h>

#include "profile_fixture.h"
#include "text_has.h"
#include "vm/snapshot_rules.h"

using namespace vmrun;
using vmrun::testing::run_pipeline;

TEST_CASE("snapshot: every writable qcow2 disk; CD-ROMs and read-only disks need none; a raw disk is refused with the conversion") {
    auto p = run_pipeline("name: t\nmemory: 1G\ndisks:\n  - {path: /v/root.qcow2}\n  - {path: /v/data.qcow2, id: data}\n"
                          "  - {path: /v/install.iso, media: cdrom}\n  - {path: /v/old.img, readonly: true}\n");
    REQUIRE(p.errors().empty());
    auto covered = snapshot_disks(p.loaded.profile);
    CHECK_FALSE(covered.failure);
    REQUIRE(covered.disks.size() == 2);
    CHECK(covered.disks[1].id == "data");

    auto raw = snapshot_disks(run_pipeline("name: t\nmemory: 1G\ndisks:\n  - {path: /v/root.qcow2}\n  - {path: /v/win.img, id: win}\n").loaded.profile);
    REQUIRE(raw.failure);
    CHECK(raw.failure->what == "disk 'win' (/v/win.img) is raw: an internal snapshot lives inside a qcow2 image");
    CHECK(has(raw.failure->fix, "qemu-img convert -O qcow2 /v/win.img NEW.qcow2"));

    auto none = snapshot_disks(run_pipeline("name: t\nmemory: 1G\n").loaded.profile);
    REQUIRE(none.failure);
    CHECK(has(none.failure->what, "no writable disk"));
}

TEST_CASE("snapshot: vfio devices found in QEMU's peripherals; names qemu-img cannot mistake for ids") {
    auto list = nlohmann::json::parse(R"([{"name": "type", "type": "string"}, {"name": "gpu", "type": "child<vfio-pci>"},
                                          {"name": "disk0", "type": "child<virtio-blk-pci>"}, {"name": "gpu.f1", "type": "child<vfio-pci>"}])");
    CHECK(vfio_devices_in(list) == std::vector<std::string>{"gpu", "gpu.f1"});
    CHECK(vfio_devices_in(nlohmann::json::object()).empty());
    CHECK(is_snapshot_tag("before-update_2.1"));
    CHECK_FALSE(is_snapshot_tag("1"));  // qemu-img would read it as a snapshot id
    CHECK_FALSE(is_snapshot_tag("a b"));
    CHECK_FALSE(is_snapshot_tag(""));
}
