// Editing a profile's text for --persist: one item in or out, every other byte
// kept, and the result still a valid profile the loader reads back.

#include <doctest/doctest.h>

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "example_profiles.h"
#include "profile/profile_edit.h"
#include "profile/profile_file.h"
#include "temp_dir.h"

using namespace vmrun;
using vmrun::testing::lines_of;

namespace {

const std::string kSource = VMRUN_SOURCE_DIR;

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// `edited` is `original` with `inserted` lines added at one place and nothing else changed.
void require_only_inserted(const std::string& original, const std::string& edited, const std::vector<std::string>& inserted) {
    auto a = lines_of(original), b = lines_of(edited);
    REQUIRE(b.size() == a.size() + inserted.size());
    size_t at = 0;
    while (at < a.size() && a[at] == b[at]) ++at;
    CHECK(std::vector<std::string>(b.begin() + at, b.begin() + at + inserted.size()) == inserted);
    CHECK(std::vector<std::string>(b.begin() + at + inserted.size(), b.end()) == std::vector<std::string>(a.begin() + at, a.end()));
}

ProfileFile checked(const std::string& text, const std::string& path = "/vm/edited.yaml") {
    auto f = profile_from_text(text, path);
    INFO(render_all(f));
    REQUIRE_FALSE(f.loaded.diagnostics.has_errors());
    return f;
}

}  // namespace

TEST_CASE("every example profile takes a disk, a NIC, a USB device and a PCI function, and gives them back byte for byte") {
    for (const auto& name : vmrun::testing::example_profiles()) {
        CAPTURE(name);
        std::string path = kSource + "/profiles/" + name + ".yaml";
        std::string original = read_text(path);
        auto before = profile_from_text(original, path);
        REQUIRE_FALSE(before.loaded.diagnostics.has_errors());

        auto with_disk = append_item(original, before.loaded, DeviceList::disks,
                                     {{"id", "disk9"}, {"path", "/var/lib/vmrun/extra data.qcow2"}, {"format", "qcow2"},
                                      {"readonly", "true", true}});
        REQUIRE(with_disk.ok());
        auto f = checked(with_disk.text, path);
        REQUIRE(f.loaded.profile.disks.size() == before.loaded.profile.disks.size() + 1);
        const auto& disk = f.loaded.profile.disks.back();
        CHECK(disk.id == "disk9");
        CHECK(disk.path == "/var/lib/vmrun/extra data.qcow2");
        CHECK(disk.format == DiskFormat::qcow2);
        CHECK(disk.readonly);
        auto inserted = lines_of(with_disk.text).size() - lines_of(original).size();
        CHECK(inserted >= 1);

        auto back = remove_items(with_disk.text, f.loaded, DeviceList::disks, {f.loaded.profile.disks.size() - 1});
        REQUIRE(back.ok());
        CHECK(back.text == original);

        auto with_nic = append_item(original, before.loaded, DeviceList::network, {{"id", "net7"}, {"type", "user"}});
        REQUIRE(with_nic.ok());
        auto g = checked(with_nic.text, path);
        REQUIRE(g.loaded.profile.nics.size() == before.loaded.profile.nics.size() + 1);
        CHECK(g.loaded.profile.nics.back().id == "net7");
        CHECK(remove_items(with_nic.text, g.loaded, DeviceList::network, {g.loaded.profile.nics.size() - 1}).text == original);

        auto with_usb = append_item(original, before.loaded, DeviceList::usb, {{"host", "9.9"}, {"id", "usb-key"}});
        REQUIRE(with_usb.ok());
        auto u = checked(with_usb.text, path);
        REQUIRE(u.loaded.profile.usb.size() == before.loaded.profile.usb.size() + 1);
        CHECK(u.loaded.profile.usb.back().bus == 9);
        CHECK(u.loaded.profile.usb.back().addr == 9);
        CHECK(remove_items(with_usb.text, u.loaded, DeviceList::usb, {u.loaded.profile.usb.size() - 1}).text == original);

        auto with_pci = append_item(original, before.loaded, DeviceList::passthrough, {{"host", "0000:0a:00.0"}, {"id", "hostdev7"}});
        REQUIRE(with_pci.ok());
        auto p = checked(with_pci.text, path);
        REQUIRE(p.loaded.profile.passthrough.size() == before.loaded.profile.passthrough.size() + 1);
        CHECK(p.loaded.profile.passthrough.back().host.str() == "0000:0a:00.0");
        CHECK(remove_items(with_pci.text, p.loaded, DeviceList::passthrough, {p.loaded.profile.passthrough.size() - 1}).text ==
              original);
    }
}

TEST_CASE("an item goes in the style of its list, after the last item and before comments that follow it") {
    std::string original =
        "name: edit  # the VM\n"
        "memory: 1G\n"
        "disks:\n"
        "  - id: system    # the root disk\n"
        "    path: /vm/system.img\n"
        "\n"
        "  # - path: /vm/old.img\n"
        "network:\n"
        "- {type: user, id: lan}\n"
        "passthrough:\n"
        "  - 01:00.0\n";
    auto before = checked(original);
    auto disk = append_item(original, before.loaded, DeviceList::disks, {{"id", "data"}, {"path", "/vm/a b.img"}});
    REQUIRE(disk.ok());
    require_only_inserted(original, disk.text, {"  - id: data", "    path: \"/vm/a b.img\""});
    auto nic = append_item(original, before.loaded, DeviceList::network, {{"id", "wan"}, {"type", "user"}});
    REQUIRE(nic.ok());
    require_only_inserted(original, nic.text, {"- {id: wan, type: user}"});
    auto pci = append_item(original, before.loaded, DeviceList::passthrough, {{"host", "0000:02:00.0"}});
    REQUIRE(pci.ok());
    require_only_inserted(original, pci.text, {"  - {host: \"0000:02:00.0\"}"});
    checked(pci.text);
    // No usb list yet: one at the end.
    auto usb = append_item(original, before.loaded, DeviceList::usb, {{"host", "046d:c52b"}});
    REQUIRE(usb.ok());
    CHECK(usb.text == original + "usb:\n  - {host: \"046d:c52b\"}\n");
    checked(usb.text);
    // A file without its last newline keeps its last line whole.
    auto cut = original.substr(0, original.size() - 1);
    auto usb2 = append_item(cut, checked(cut).loaded, DeviceList::usb, {{"host", "046d:c52b"}});
    CHECK(usb2.text == original + "usb:\n  - {host: \"046d:c52b\"}\n");
}

TEST_CASE("removing items takes exactly their lines; the last one out leaves an empty list the loader reads") {
    std::string original =
        "name: edit\n"
        "memory: 1G\n"
        "disks:   # two disks\n"
        "  - id: system\n"
        "    path: /vm/system.img\n"
        "    # its cache stays the default\n"
        "    format: raw\n"
        "  - {id: data, path: /vm/data.img}\n"
        "# the network follows\n"
        "network: []\n";
    auto before = checked(original);
    auto first = remove_items(original, before.loaded, DeviceList::disks, {0});
    REQUIRE(first.ok());
    CHECK(first.text ==
          "name: edit\nmemory: 1G\ndisks:   # two disks\n  - {id: data, path: /vm/data.img}\n# the network follows\nnetwork: []\n");
    auto both = remove_items(original, before.loaded, DeviceList::disks, {0, 1});
    REQUIRE(both.ok());
    CHECK(both.text == "name: edit\nmemory: 1G\ndisks: []   # two disks\n# the network follows\nnetwork: []\n");
    auto empty = checked(both.text);
    CHECK(empty.loaded.profile.disks.empty());
    // And in again: "[]" gives way to a block list.
    auto again = append_item(both.text, empty.loaded, DeviceList::network, {{"type", "user"}});
    REQUIRE(again.ok());
    CHECK(again.text == "name: edit\nmemory: 1G\ndisks: []   # two disks\n# the network follows\nnetwork:\n  - {type: user}\n");
    checked(again.text);
}

TEST_CASE("a flow list or a flow profile is refused with what to write instead") {
    std::string flow_list = "name: edit\nmemory: 1G\ndisks: [{path: /vm/a.img}]\n";
    auto f = checked(flow_list);
    auto add = append_item(flow_list, f.loaded, DeviceList::disks, {{"path", "/vm/b.img"}});
    CHECK_FALSE(add.ok());
    CHECK(add.error.find("flow list") != std::string::npos);
    CHECK(add.error.find("block list") != std::string::npos);
    CHECK_FALSE(remove_items(flow_list, f.loaded, DeviceList::disks, {0}).ok());

    std::string flow_profile = "{name: edit, memory: 1G, disks: [{path: /vm/a.img}]}\n";
    auto g = checked(flow_profile);
    auto add2 = append_item(flow_profile, g.loaded, DeviceList::disks, {{"path", "/vm/b.img"}});
    CHECK_FALSE(add2.ok());
    CHECK(add2.error.find("top-level key") != std::string::npos);
}

TEST_CASE("a scalar is quoted exactly when YAML would read it as something else") {
    for (std::string v : {"plain", "/var/lib/a.img", "with space", "a: b", "#hash", "yes", "No", "010", "1.5", "0x1f", "-dash",
                          "quote\"and\\slash", "", "true", "null", "~", "tab\tin", "x,y", "[list]", "{map}", "*alias", "&anchor",
                          "!tag", "%percent", "@at", "`tick", "52:54:00:12:34:56", "3.4", "ünïcode"}) {
        CAPTURE(v);
        auto node = YAML::Load("key: " + yaml_scalar(v));
        CHECK(node["key"].as<std::string>() == v);
    }
    // Plain, a YAML 1.1 reader would take these for a bool, a null or a number.
    for (std::string v : {"yes", "No", "on", "010", "1.5", "0x1f", "true", "null", "~", "", "+1", ".5"}) {
        CAPTURE(v);
        CHECK(YAML::Load("key: " + yaml_scalar(v))["key"].Tag() == "!");  // yaml-cpp's tag of a quoted scalar
    }
    CHECK(yaml_scalar("plain") == "plain");
    CHECK(yaml_scalar("/var/lib/a.img") == "/var/lib/a.img");
}

TEST_CASE("a device id names its item; a PCI host device takes the other functions of its host slot along") {
    auto f = checked(
        "name: edit\nmemory: 1G\n"
        "disks:\n  - {id: data, path: /vm/d.img}\n"
        "passthrough:\n"
        "  - {host: 01:00.0, id: gpu}\n"
        "  - {host: 02:00.0, id: nic}\n"
        "  - {host: 01:00.1, id: gpu-audio}\n"
        "  - {host: 00:12.0, guest_address: \"12.0\"}\n"
        "  - {host: 00:12.2, guest_address: \"12.2\"}\n");
    const auto& p = f.loaded.profile;
    auto gpu = find_device_items(p, "gpu");
    CHECK(gpu.list == DeviceList::passthrough);
    CHECK(gpu.indexes == std::vector<size_t>{0, 2});
    CHECK(find_device_items(p, "gpu-audio").indexes == std::vector<size_t>{2, 0});
    CHECK(find_device_items(p, "nic").indexes == std::vector<size_t>{1});
    // Placed on pcie.0 by the user, each function stands alone.
    CHECK(find_device_items(p, "hostdev0").indexes == std::vector<size_t>{3});
    auto data = find_device_items(p, "data");
    CHECK(data.list == DeviceList::disks);
    CHECK(data.indexes == std::vector<size_t>{0});
    CHECK(find_device_items(p, "nothing").indexes.empty());
    CHECK(device_ids(p) == std::vector<std::string>{"data", "gpu", "nic", "gpu-audio", "hostdev0", "hostdev1"});
}

TEST_CASE("a quoted value whose later lines sit left of its item: the edit is refused, never cut into the value") {
    // fuzz_profile_edit: the item was taken to end at its last indented line,
    // so a disk went in between the two lines of a path (and a removal left
    // the path's second line behind as a key of its own).
    std::string text = "name: q\nmemory: 1G\ndisks:\n  - id: scratch\n    path: \"/var/lib/vmrun/a\nb.img\"\n";
    auto f = checked(text);
    REQUIRE(f.loaded.profile.disks.size() == 1);
    auto added = append_item(text, f.loaded, DeviceList::disks, {{"id", "disk9"}, {"path", "/vm/x.img"}});
    CHECK_FALSE(added.ok());
    CHECK(added.text.empty());
    CHECK(added.error.find("'disks'") != std::string::npos);
    CHECK_FALSE(remove_items(text, f.loaded, DeviceList::disks, {0}).ok());
    // Another list, after the value, still takes its item.
    auto nic = append_item(text, f.loaded, DeviceList::network, {{"id", "net0"}, {"type", "user"}});
    REQUIRE(nic.ok());
    CHECK(checked(nic.text).loaded.profile.nics.size() == 1);
    // The fuzzer's own shape: yaml-cpp reads a quote still open at the end of
    // the file as closed there, so even a new list would land inside it.
    std::string open_quote = "name: q\nmemory: 1G\ndisks:\n  - id: scratch\n    path: \"/var/lib/vmrun/a\nb.img\n";
    auto g = checked(open_quote);
    CHECK_FALSE(append_item(open_quote, g.loaded, DeviceList::usb, {{"host", "1d6b:0104"}, {"id", "hub"}}).ok());
}
