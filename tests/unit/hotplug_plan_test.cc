#include <doctest/doctest.h>

#include "plan/hotplug_plan.h"

using namespace vmrun;

namespace {
// Trimmed from a real query-pci of the demo VM with disk0 behind rp1.
const char* kQueryPci = R"([{"bus": 0, "devices": [
  {"bus": 0, "slot": 0, "function": 0, "class_info": {"class": 1536, "desc": "Host bridge"}, "qdev_id": ""},
  {"bus": 0, "slot": 2, "function": 0, "class_info": {"class": 512}, "qdev_id": "net0"},
  {"bus": 0, "slot": 28, "function": 0, "class_info": {"class": 1540}, "qdev_id": "rp1",
   "pci_bridge": {"bus": {"number": 0, "secondary": 1, "subordinate": 1}, "devices": [
     {"bus": 1, "slot": 0, "function": 0, "class_info": {"class": 256}, "qdev_id": "disk0"}]}},
  {"bus": 0, "slot": 28, "function": 1, "class_info": {"class": 1540}, "qdev_id": "rp10",
   "pci_bridge": {"bus": {"number": 0, "secondary": 3, "subordinate": 3}, "devices": []}},
  {"bus": 0, "slot": 28, "function": 2, "class_info": {"class": 1540}, "qdev_id": "rp2",
   "pci_bridge": {"bus": {"number": 0, "secondary": 2, "subordinate": 2}, "devices": []}},
  {"bus": 0, "slot": 31, "function": 0, "class_info": {"class": 1537}, "qdev_id": ""}]}])";
}  // namespace

TEST_CASE("root ports and their occupants from query-pci; the first free one in numeric order") {
    auto ports = root_ports_in(Json::parse(kQueryPci));
    REQUIRE(ports.size() == 3);
    CHECK(ports[0].id == "rp1");
    CHECK(ports[0].occupants == std::vector<std::string>{"disk0"});
    CHECK(ports[1].id == "rp2");  // before rp10
    CHECK(ports[2].id == "rp10");
    CHECK(first_free_port(ports) == std::optional<std::string>("rp2"));
    ports[1].occupants.push_back("x");
    ports[2].occupants.push_back("y");
    CHECK_FALSE(first_free_port(ports));
    CHECK(pci_has_device(Json::parse(kQueryPci), "disk0"));
    CHECK(pci_has_device(Json::parse(kQueryPci), "net0"));
    CHECK_FALSE(pci_has_device(Json::parse(kQueryPci), "disk1"));
}

TEST_CASE("disk hotplug: backend node first, device behind the port, undo removes the node") {
    auto s = disk_hotplug({"scratch", "/vm/a,b.img", "qcow2", true, false, HotplugDiskBus::virtio}, "rp3");
    REQUIRE(s.backends.size() == 1);
    CHECK(s.backends[0].command == "blockdev-add");
    CHECK(s.backends[0].arguments == Json::parse(R"({"driver": "qcow2", "node-name": "drive-scratch", "read-only": true,
        "file": {"driver": "file", "filename": "/vm/a,b.img"}})"));
    CHECK(s.device.arguments == Json::parse(R"({"driver": "virtio-blk-pci", "id": "scratch", "drive": "drive-scratch",
        "bus": "rp3", "addr": "0"})"));
    REQUIRE(s.undo.size() == 1);
    CHECK(s.undo[0].command == "blockdev-del");
    auto nvme = disk_hotplug({"fast", "/dev/nvme1n1", "raw", false, true, HotplugDiskBus::nvme}, "rp1");
    CHECK(nvme.backends[0].arguments["file"]["driver"] == "host_device");
    CHECK(nvme.device.arguments["driver"] == "nvme");
    CHECK(nvme.device.arguments["serial"] == "fast");
}

TEST_CASE("user NIC hotplug carries its MAC and netdev") {
    auto s = user_nic_hotplug({"net1", "52:54:00:01:02:03", "virtio-net-pci"}, "rp2");
    CHECK(s.backends[0].arguments == Json::parse(R"({"type": "user", "id": "netdev-net1"})"));
    CHECK(s.device.arguments["netdev"] == "netdev-net1");
    CHECK(s.device.arguments["mac"] == "52:54:00:01:02:03");
    CHECK(s.undo[0].command == "netdev_del");
}

TEST_CASE("raw devices: properties kept, unescaped, port filled in unless a bus is named") {
    std::string error;
    auto s = raw_device_hotplug("e1000e,mac=52:54:00:00:00:09,romfile=/r,,om", "dev0", "rp4", error);
    REQUIRE(s);
    CHECK(s->device.arguments == Json::parse(R"({"driver": "e1000e", "mac": "52:54:00:00:00:09", "romfile": "/r,om",
        "id": "dev0", "bus": "rp4", "addr": "0"})"));
    auto own = raw_device_hotplug("usb-kbd,bus=xhci.0,id=kbd", "dev0", "rp4", error);
    REQUIRE(own);
    CHECK(own->device.arguments["bus"] == "xhci.0");
    CHECK(own->device.arguments["id"] == "kbd");
    CHECK_FALSE(own->device.arguments.contains("addr"));
    CHECK_FALSE(raw_device_hotplug("mac=52:54:00:00:00:09", "dev0", "rp4", error));
    CHECK(error.find("driver first") != std::string::npos);
}

TEST_CASE("generated hotplug ids skip the taken ones") {
    CHECK(unused_id("disk", {}) == "disk0");
    CHECK(unused_id("disk", {"disk0", "disk1", "net0"}) == "disk2");
}

TEST_CASE("hotplug --pci: a GPU's two functions into one port, function 1 first, function 0 last with multifunction") {
    auto calls = host_pci_hotplug({{"hostdev0", *parse_pci_address("0000:04:00.0")}, {"hostdev0.f1", *parse_pci_address("0000:04:00.1")}},
                                  "rp3");
    REQUIRE(calls.size() == 2);
    CHECK(calls[0].arguments == Json{{"driver", "vfio-pci"}, {"host", "0000:04:00.1"}, {"id", "hostdev0.f1"}, {"bus", "rp3"}, {"addr", "0.1"}});
    CHECK(calls[1].arguments == Json{{"driver", "vfio-pci"}, {"host", "0000:04:00.0"}, {"id", "hostdev0"}, {"bus", "rp3"},
                                     {"addr", "0.0"}, {"multifunction", true}});
    auto single = host_pci_hotplug({{"nic", *parse_pci_address("0000:01:00.0")}}, "rp2");
    REQUIRE(single.size() == 1);
    CHECK_FALSE(single[0].arguments.contains("multifunction"));
    CHECK(single[0].command == "device_add");
}

TEST_CASE("USB hotplug by vendor:product or by bus.address, on the VM's xhci") {
    CHECK(usb_hotplug("u0", 0x046d, 0xc52b).device.arguments ==
          Json::parse(R"({"driver": "usb-host", "id": "u0", "bus": "xhci.0", "vendorid": 1133, "productid": 50475})"));
    CHECK(usb_hotplug_at("u1", 3, 4).device.arguments ==
          Json::parse(R"({"driver": "usb-host", "id": "u1", "bus": "xhci.0", "hostbus": 3, "hostaddr": 4})"));
}

TEST_CASE("query-pci of another shape than QEMU 7.2's: what cannot be read is absent, nothing throws") {
    // fuzz_qmp_replies: value() on a bus that was a number threw (hotplug reads
    // query-pci after device_add, so the throw skipped --persist and the report).
    for (std::string answer : {R"({"actual": 268435456})", "5", R"([1, "x", null, []])", R"([{"bus": "0", "devices": []}])",
                               R"([{"bus": 0, "devices": {"a": 1}}])",
                               R"([{"bus": 0, "devices": [{"class_info": {"class": 1540}, "qdev_id": 7}]}])"}) {
        CAPTURE(answer);
        auto j = Json::parse(answer);
        CHECK(root_ports_in(j).empty());
        CHECK_FALSE(pci_has_device(j, "rp1"));
    }
    // A device whose class cannot be read is no root port, but is still there.
    for (std::string answer : {R"([{"bus": 0, "devices": [{"class_info": {"class": "1540"}, "qdev_id": "rp1"}]}])",
                               R"([{"bus": 0, "devices": [{"class_info": 1540, "qdev_id": "rp1"}]}])"}) {
        CAPTURE(answer);
        auto j = Json::parse(answer);
        CHECK(root_ports_in(j).empty());
        CHECK(pci_has_device(j, "rp1"));
    }
    auto odd = Json::parse(R"([{"bus": 0, "devices": [{"class_info": {"class": 1540}, "qdev_id": "rp1",
        "pci_bridge": {"devices": [{"qdev_id": 5}, 3, {"qdev_id": "disk0", "pci_bridge": []}]}}]}])");
    auto ports = root_ports_in(odd);
    REQUIRE(ports.size() == 1);
    CHECK(ports[0].occupants == std::vector<std::string>{"disk0"});
    CHECK(pci_has_device(odd, "disk0"));
}
