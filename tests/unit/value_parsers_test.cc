#include <doctest/doctest.h>

#include "base/pci_address.h"
#include "profile/stable_mac.h"
#include "profile/value_parsers.h"

using namespace vmrun;

TEST_CASE("memory sizes take a unit and come out in MiB") {
    CHECK(*parse_memory_mib("8G").value == 8192);
    CHECK(*parse_memory_mib("1024M").value == 1024);
    CHECK(*parse_memory_mib("2GiB").value == 2048);
    CHECK(*parse_memory_mib("512MB").value == 512);
    // Overflow: these once wrapped to -m 1048576M, or were taken as they are.
    CHECK(parse_memory_mib("17592186044417T").error == "memory can be at most 16T");
    CHECK(parse_memory_mib("18014398509481985M").error == "memory can be at most 16T");
    CHECK(parse_memory_mib("99999999999999999999999G").error.find("like 8G") != std::string::npos);  // not a uint64
    CHECK(*parse_memory_mib("16T").value == kMaxMemoryMib);
    CHECK_FALSE(parse_memory_mib("16385G").value);
    CHECK(*parse_memory_mib("1T").value == 1024 * 1024);
    CHECK_FALSE(parse_memory_mib("8").value);
    CHECK(parse_memory_mib("8").error.find("ambiguous") != std::string::npos);
    CHECK_FALSE(parse_memory_mib("8Q").value);
    CHECK_FALSE(parse_memory_mib("G").value);
    CHECK_FALSE(parse_memory_mib("0G").value);
    CHECK_FALSE(parse_memory_mib("-1G").value);
}

TEST_CASE("PCI addresses with and without domain") {
    auto a = parse_pci_address("03:00.0");
    REQUIRE(a);
    CHECK(a->str() == "0000:03:00.0");
    auto b = parse_pci_address("0000:5e:1f.7");
    REQUIRE(b);
    CHECK(b->bus == 0x5e);
    CHECK(b->slot == 0x1f);
    CHECK(b->function == 7);
    CHECK(parse_pci_address("0001:AF:00.1")->str() == "0001:af:00.1");
    CHECK(a->same_slot(*parse_pci_address("0000:03:00.3")));
    CHECK_FALSE(a->same_slot(*parse_pci_address("0000:03:01.0")));
    for (const char* bad : {"3:00.0", "03:00", "03:20.0", "03:00.8", "zz:00.0", "0000:03:00.0.1", "", "00:00:00.0", "03.00:0"})
        CHECK_MESSAGE(!parse_pci_address(bad), bad);
}

TEST_CASE("MAC addresses are normalised and must be unicast") {
    CHECK(*parse_mac("52:54:00:AB:cd:01").value == "52:54:00:ab:cd:01");
    CHECK_FALSE(parse_mac("01:00:5e:00:00:01").value);  // multicast
    CHECK_FALSE(parse_mac("00:00:00:00:00:00").value);
    CHECK_FALSE(parse_mac("52:54:00:ab:cd").value);
    CHECK_FALSE(parse_mac("52-54-00-ab-cd-01").value);
    CHECK_FALSE(parse_mac("52:54:00:ab:cd:0g").value);
}

TEST_CASE("USB ids and bus.addr") {
    auto id = parse_usb_id("046d:c52b");
    REQUIRE(id.value);
    CHECK(id.value->vendor == 0x046d);
    CHECK(id.value->product == 0xc52b);
    CHECK_FALSE(parse_usb_id("46d:c52b").value);
    CHECK_FALSE(parse_usb_id("046d-c52b").value);
    auto ba = parse_usb_bus_addr("3.14");
    REQUIRE(ba.value);
    CHECK(ba.value->bus == 3);
    CHECK(ba.value->addr == 14);
    CHECK_FALSE(parse_usb_bus_addr("3").value);
    CHECK_FALSE(parse_usb_bus_addr("0.4").value);
}

TEST_CASE("port forwards default to tcp on loopback") {
    auto f = parse_port_forward("2222:22");
    REQUIRE(f.value);
    CHECK(f.value->protocol == "tcp");
    CHECK(f.value->host_address == "127.0.0.1");
    CHECK(f.value->host_port == 2222);
    CHECK(f.value->guest_port == 22);
    auto u = parse_port_forward("udp:0.0.0.0:5353:53");
    REQUIRE(u.value);
    CHECK(u.value->protocol == "udp");
    CHECK(u.value->host_address == "0.0.0.0");
    CHECK_FALSE(parse_port_forward("2222").value);
    CHECK_FALSE(parse_port_forward("70000:22").value);
    // Only a real address: these were once accepted and handed to QEMU.
    for (const char* bad : {"tcp:....:2222:22", "tcp:1.2.3:2222:22", "tcp:1.2.3.400:2222:22", "tcp:01.2.3.4.5:2222:22"})
        CHECK_MESSAGE(parse_port_forward(bad).error.find("must be an IPv4 address") != std::string::npos, bad);
    CHECK_FALSE(parse_port_forward("tcp:evil,x=y:1:2").value);
}

TEST_CASE("generated MACs are stable, distinct per NIC and unicast") {
    CHECK(stable_mac("win10", "lan") == stable_mac("win10", "lan"));
    CHECK(stable_mac("win10", "lan") != stable_mac("win10", "wan"));
    CHECK(stable_mac("win10", "lan") != stable_mac("win11", "lan"));
    CHECK(stable_mac("win10", "lan").rfind("52:54:00:", 0) == 0);
    CHECK(parse_mac(stable_mac("x", "y")).value);
    // Pinned: a change here would give every user's VM a new address.
    CHECK(stable_mac("demo", "net0") == "52:54:00:6f:b9:4a");
}
