// What a bug report keeps of the host's text: the kernel log's passthrough
// lines, and MAC addresses masked without touching what only looks like one.

#include <doctest/doctest.h>

#include "vm/report_text.h"

using namespace vmrun;

TEST_CASE("report: the kernel log keeps vfio, IOMMU, reset and framebuffer lines and any naming a passed device") {
    std::string dmesg =
        "[    0.000000] Linux version 6.1.0-57-amd64\n"
        "[    0.010000] DMAR: IOMMU enabled\n"
        "[    1.200000] usbcore: registered new interface driver usbhid\n"
        "[    2.000000] pci 0000:01:00.0: [10de:1b80] type 00 class 0x030000\n"
        "[    2.100000] pci 0000:02:00.0: [8086:1533] type 00 class 0x020000\n"
        "[    3.000000] simple-framebuffer simple-framebuffer.0: framebuffer at 0xe0000000\n"
        "[   90.000000] vfio-pci 0000:01:00.0: BAR 1: can't reserve [mem 0xe0000000-0xefffffff 64bit pref]\n"
        "[   95.000000] AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000d]\n";
    auto kept = relevant_kernel_lines(dmesg, {"0000:01:00.0"});
    REQUIRE(kept.size() == 5);
    CHECK(kept[0] == "[    0.010000] DMAR: IOMMU enabled");
    CHECK(kept[1] == "[    2.000000] pci 0000:01:00.0: [10de:1b80] type 00 class 0x030000");
    CHECK(kept[2].find("simple-framebuffer") != std::string::npos);
    CHECK(kept[3].find("can't reserve") != std::string::npos);
    CHECK(kept[4].find("AMD-Vi") != std::string::npos);
    // The newest lines when there are too many.
    auto newest = relevant_kernel_lines(dmesg, {"0000:01:00.0"}, 2);
    REQUIRE(newest.size() == 2);
    CHECK(newest[1].find("AMD-Vi") != std::string::npos);
}

TEST_CASE("report: MAC addresses are masked, other hex left alone") {
    CHECK(without_macs("mac: 52:54:00:12:34:56\n") == "mac: xx:xx:xx:xx:xx:xx\n");
    CHECK(without_macs("link/ether AA-BB-CC-DD-EE-FF brd") == "link/ether xx:xx:xx:xx:xx:xx brd");
    CHECK(without_macs("52:54:00:12:34:56,52:54:00:ab:cd:ef") == "xx:xx:xx:xx:xx:xx,xx:xx:xx:xx:xx:xx");
    // A PCI address, an IPv6 address and a longer run of pairs are no MACs.
    CHECK(without_macs("host: 0000:01:00.0") == "host: 0000:01:00.0");
    CHECK(without_macs("fe80::5054:ff:fe12:3456") == "fe80::5054:ff:fe12:3456");
    CHECK(without_macs("11:22:33:44:55:66:77") == "11:22:33:44:55:66:77");
    CHECK(without_macs("52:54:00:12:34") == "52:54:00:12:34");
}
