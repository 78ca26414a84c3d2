// hotplug --persist / unplug --persist on a real QEMU and the tiny guest: the
// device goes into the profile the VM was started from and out again, every
// other byte of the file kept; a file changed since the start, an edit that
// would not validate and a device the profile lacks are refused with nothing
// changed, in the VM or in the file.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "text_has.h"
#include "run_vmrun.h"
#include "vm_under_test.h"

using namespace std::chrono_literals;
using namespace vmrun::testing;
namespace fs = std::filesystem;

namespace {


// `now` is `before` with `inserted` right after the line `after`, nothing else changed.
void require_inserted_after(const std::string& before, const std::string& now, const std::string& after,
                            const std::vector<std::string>& inserted) {
    auto expected = lines_of(before);
    auto at = std::find(expected.begin(), expected.end(), after);
    REQUIRE(at != expected.end());
    expected.insert(at + 1, inserted.begin(), inserted.end());
    CHECK(lines_of(now) == expected);
    CHECK(now.back() == '\n');
}

bool qemu_has_device(const VmUnderTest& vm, const std::string& id) {
    auto r = run_vmrun(vm.env, {"qmp", vm.name, "qom-list", "{\"path\": \"/machine/peripheral\"}"});
    return has(r.out, "\"" + id + "\"");
}

}  // namespace

TEST_CASE("hotplug --persist and unplug --persist edit the VM's profile, every other byte kept") {
    VmUnderTest vm("persist");
    std::string data = vm.dir / "data.img", extra = vm.dir / "extra.img";
    for (const auto& img : {data, extra}) {
        write_file(img, "");
        fs::resize_file(img, 1 << 20);
    }
    std::string original = "# A profile with comments, a blank line and quoting, as people write them.\n" +
                           tiny_guest_profile(vm.name,
                                              "disks:   # data disks\n"
                                              "  - id: data\n"
                                              "    path: \"" + data + "\"   # the first\n"
                                              "\n"
                                              "usb: []  # none yet\n"
                                              "# the end\n");
    write_file(vm.profile, original);
    auto started = run_vmrun(vm.env, {"start", vm.profile});
    INFO(started.out << started.err);
    REQUIRE(started.exit_code == 0);
    REQUIRE_MESSAGE(wait_for_text(vm.state() + "/console.log", "VMRUN-GUEST-READY", 180s), read_file(vm.state() + "/console.log"));

    // In: a disk after the last disk, in the block style of that list.
    auto disk = run_vmrun(vm.env, {"hotplug", vm.name, "--disk", extra, "--id", "extra", "--persist"});
    INFO(disk.out << disk.err);
    REQUIRE(disk.exit_code == 0);
    CHECK(has(disk.out, vm.profile + " updated"));
    CHECK(qemu_has_device(vm, "extra"));
    auto after_disk = read_file(vm.profile);
    require_inserted_after(original, after_disk, "    path: \"" + data + "\"   # the first",
                           {"  - id: extra", "    path: " + extra, "    format: raw"});
    // A NIC, then a USB device into the empty flow list.
    auto nic = run_vmrun(vm.env, {"hotplug", vm.name, "--nic", "user", "--persist"});
    INFO(nic.out << nic.err);
    REQUIRE(nic.exit_code == 0);
    auto after_nic = read_file(vm.profile);
    require_inserted_after(after_disk, after_nic, "  - type: user", {"  - id: net1", "    type: user"});
    auto usb = run_vmrun(vm.env, {"hotplug", vm.name, "--usb", "1d6b:0104", "--id", "hostusb", "--persist"});
    INFO(usb.out << usb.err);
    REQUIRE(usb.exit_code == 0);
    auto after_usb = read_file(vm.profile);
    CHECK(has(after_usb, "usb:  # none yet\n  - {host: \"1d6b:0104\", id: hostusb}\n# the end\n"));
    // What the file now says is what runs: valid, and the same ids and disk at the next start.
    auto validate = run_vmrun(vm.env, {"validate", vm.profile});
    INFO(validate.out << validate.err);
    CHECK(validate.exit_code == 0);
    auto argv = run_vmrun(vm.env, {"dry-run", vm.profile});
    CHECK(has(argv.out, "file=" + extra));
    CHECK(has(argv.out, "id=extra"));
    CHECK(has(argv.out, "id=net1"));
    CHECK(has(argv.out, "id=hostusb"));

    // Refused, nothing changed: an id the profile would not take (ids start with a letter)...
    auto bad_id = run_vmrun(vm.env, {"hotplug", vm.name, "--disk", extra, "--id", "9lives", "--readonly", "--persist"});
    CHECK(bad_id.exit_code != 0);
    CHECK(has(bad_id.err, "would not be a valid profile"));
    CHECK_FALSE(qemu_has_device(vm, "9lives"));
    // ...a NIC model the profile has no word for, a raw device, --qmp instead of the name...
    auto bad_model = run_vmrun(vm.env, {"hotplug", vm.name, "--nic", "user", "--model", "rtl8139", "--persist"});
    CHECK(bad_model.exit_code != 0);
    CHECK(has(bad_model.err, "the profile's NIC models are virtio, e1000e, e1000, not 'rtl8139'"));  // the schema's network.model
    CHECK(run_vmrun(vm.env, {"hotplug", vm.name, "--device", "virtio-rng-pci", "--persist"}).exit_code != 0);
    auto by_socket = run_vmrun(vm.env, {"hotplug", "--qmp", vm.runtime() + "/qmp.sock", "--nic", "user", "--persist"});
    CHECK(by_socket.exit_code != 0);
    CHECK(has(by_socket.err, "needs the VM's NAME"));
    // ...a device the profile does not have.
    auto unknown = run_vmrun(vm.env, {"unplug", vm.name, "rng0", "--persist"});
    CHECK(unknown.exit_code != 0);
    CHECK(has(unknown.err, "has no device 'rng0' (it has: data, extra, net0, net1, hostusb)"));
    CHECK(read_file(vm.profile) == after_usb);
    CHECK(qemu_has_device(vm, "net1"));

    // Out again, in any order: the file returns to what it was, byte for byte.
    for (const char* id : {"extra", "hostusb", "net1"}) {
        auto u = run_vmrun(vm.env, {"unplug", vm.name, id, "--persist", "--timeout", "60"});
        INFO("unplug " << id << ": " << u.out << u.err);
        CHECK(u.exit_code == 0);
        CHECK_FALSE(qemu_has_device(vm, id));
    }
    CHECK(read_file(vm.profile) == original);

    // Changed by hand since the start: refused before QEMU is asked anything.
    write_file(vm.profile, original + "# a note added by hand\n");
    auto stale = run_vmrun(vm.env, {"hotplug", vm.name, "--disk", extra, "--id", "late", "--persist"});
    CHECK(stale.exit_code != 0);
    CHECK(has(stale.err, "has changed since persist started"));
    CHECK(has(stale.err, "Nothing was changed"));
    CHECK_FALSE(qemu_has_device(vm, "late"));
    CHECK(read_file(vm.profile) == original + "# a note added by hand\n");
    auto stale_unplug = run_vmrun(vm.env, {"unplug", vm.name, "data", "--persist"});
    CHECK(stale_unplug.exit_code != 0);
    CHECK(qemu_has_device(vm, "data"));

    CHECK(run_vmrun(vm.env, {"stop", vm.name}).exit_code == 0);
    // The record of the started profile goes with the run.
    CHECK_FALSE(fs::exists(vm.runtime() + "/profile.json"));
}
