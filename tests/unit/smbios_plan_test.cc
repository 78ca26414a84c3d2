// SMBIOS and ACPI tables in the plan, with no host: the profile's strings per
// type in QEMU's key order and syntax, 'smbios: host' copying the host's DMI
// strings (never its UUID) with the profile's own over them, and every bad
// value refused at file:line:column.

#include <doctest/doctest.h>

#include <algorithm>

#include "plan/qemu_argv.h"
#include "profile_fixture.h"

using namespace vmrun;
using namespace vmrun::testing;

namespace {

std::vector<std::string> values_of(const std::vector<std::string>& argv, const std::string& option) {
    std::vector<std::string> out;
    for (size_t i = 0; i + 1 < argv.size(); ++i)
        if (argv[i] == option) out.push_back(argv[i + 1]);
    return out;
}

}  // namespace

TEST_CASE("smbios: strings per type in QEMU's syntax, commas escaped; acpi_tables resolved beside the profile") {
    auto p = run_pipeline("name: t\nmemory: 1G\nacpi_tables: [tables/MSDM.bin, /sys/firmware/acpi/tables/SLIC]\n"
                          "smbios:\n  type1: {serial: \"A,B=1\", manufacturer: Dell Inc.}\n  type17: {speed: 3200, part: X1}\n"
                          "  type0: {uefi: true, release: \"1.16\"}\n");
    REQUIRE(p.errors().empty());
    auto argv = build_qemu_argv(*p.planned.plan);
    CHECK(values_of(argv, "-smbios") == std::vector<std::string>{"type=0,release=1.16,uefi=on",
                                                                 "type=1,manufacturer=Dell Inc.,serial=A,,B=1",
                                                                 "type=17,part=X1,speed=3200"});
    CHECK(values_of(argv, "-acpitable") == std::vector<std::string>{"file=/vm/tables/MSDM.bin", "file=/sys/firmware/acpi/tables/SLIC"});
}

TEST_CASE("smbios: host copies the host's DMI strings but not its UUID; the profile's fields win") {
    auto p = run_pipeline("name: t\nmemory: 1G\nsmbios:\n  host: true\n  type1: {serial: MINE}\n");
    REQUIRE(p.errors().empty());
    auto facts = fixed_facts("t");
    facts.dmi = {{"sys_vendor", "ASUS"}, {"product_name", "ROG STRIX"}, {"product_serial", "HOSTSERIAL"},
                 {"product_uuid", "11111111-2222-3333-4444-555555555555"}, {"board_vendor", "ASUSTeK"},
                 {"bios_vendor", "AMI"}, {"chassis_asset_tag", ""}, {"modalias", "dmi:bvnAMI"}};
    auto planned = make_launch_plan(p.loaded.profile, facts);
    REQUIRE(planned.plan);
    auto argv = build_qemu_argv(*planned.plan);
    CHECK(values_of(argv, "-smbios") == std::vector<std::string>{"type=0,vendor=AMI", "type=1,manufacturer=ASUS,product=ROG STRIX,serial=MINE",
                                                                 "type=2,manufacturer=ASUSTeK"});
    // A host without DMI (a VM, a board without it): warned, nothing copied.
    auto bare = run_pipeline("name: t\nmemory: 1G\nsmbios: host\n");
    REQUIRE(bare.planned.plan);
    CHECK(bare.planned.plan->smbios.empty());
    bool warned = false;
    for (const auto& d : bare.planned.diagnostics.all()) warned |= d.message.find("no DMI strings") != std::string::npos;
    CHECK(warned);
}

TEST_CASE("smbios: host leaves out a DMI string that is not UTF-8, with a warning, so --json output stays valid") {
    auto p = run_pipeline("name: t\nmemory: 1G\nsmbios: host\n");
    auto facts = fixed_facts("t");
    facts.dmi = {{"sys_vendor", "Vendor\xff\xfe"}, {"product_name", "Caf\xc3\xa9 Board"}};
    auto planned = make_launch_plan(p.loaded.profile, facts);
    REQUIRE(planned.plan);
    CHECK(values_of(build_qemu_argv(*planned.plan), "-smbios") == std::vector<std::string>{"type=1,product=Caf\xc3\xa9 Board"});
    bool warned = false;
    for (const auto& d : planned.diagnostics.all()) warned |= d.message.find("DMI sys_vendor is not UTF-8") != std::string::npos;
    CHECK(warned);
}

TEST_CASE("smbios and acpi_tables: every bad value at file:line:column") {
    struct Case {
        const char* yaml;
        const char* error;
    } cases[] = {
        {"smbios: 3\n", "bad.yaml:3:9: 'smbios' is 'host' (copy this machine's DMI strings) or a mapping of types like {type1: {manufacturer: ..., product: ...}}; got '3'"},
        {"smbios: {type5: {x: y}}\n", "bad.yaml:3:10: unknown key 'type5' in 'smbios' (did you mean 'type0'?)"},
        {"smbios: {type1: {manufactuer: Dell}}\n", "bad.yaml:3:18: unknown key 'manufactuer' in 'type1' (did you mean 'manufacturer'?)"},
        {"smbios: {type1: {uuid: not-a-uuid}}\n", "bad.yaml:3:24: 'uuid' is a UUID like 4c4c4544-0042-3510-8052-b4c04f4d4e32, got 'not-a-uuid'"},
        {"smbios: {type0: {release: \"5\"}}\n", "bad.yaml:3:27: 'release' is MAJOR.MINOR, like 1.16, got '5'"},
        {"smbios: {type17: {speed: fast}}\n", "bad.yaml:3:26: 'speed' is the memory speed in MT/s, a number like 3200, got 'fast'"},
        {"smbios: {type2: {serial: \"a\\tb\"}}\n", "bad.yaml:3:26: 'serial' must be printable text, got 'a\\x09b'"},
        {"acpi_tables: [\"\"]\n", "bad.yaml:3:15: an ACPI table is the path of a table file, like /sys/firmware/acpi/tables/MSDM"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.yaml);
        auto p = run_pipeline(std::string("name: t\nmemory: 1G\n") + c.yaml);
        REQUIRE(p.errors().size() == 1);
        CHECK(p.errors()[0] == c.error);
    }
}
