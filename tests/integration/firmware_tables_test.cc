// What the guest's firmware tables say, as the seeds set them by hand: SMBIOS
// strings per type (with a comma and '=' in a value, which must survive
// QEMU's option syntax) read back by the tiny guest's own kernel from
// /sys/class/dmi/id, and a whole ACPI table (an MSDM-shaped one, as Windows
// activation reads) that the guest sees byte for byte in /sys/firmware/acpi/tables.

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <chrono>

#include <cstdint>
#include <fstream>
#include <sstream>

#include "guest_console.h"
#include "run_vmrun.h"
#include "vm_under_test.h"

using namespace std::chrono_literals;
using namespace vmrun::testing;

namespace {

// A table QEMU takes whole (-acpitable file=): header with a valid checksum, then a body.
std::string msdm_table() {
    std::string body = std::string("\x01\0\0\0\0\0\0\0\x01\0\0\0\x1d\0\0\0", 16) + "VMRUN-TEST-KEY-12345-ABCDE" + std::string(3, '\0');
    uint32_t length = uint32_t(36 + body.size());
    std::string t = "MSDM";
    for (int i = 0; i < 4; ++i) t += char((length >> (8 * i)) & 0xff);
    t += std::string("\x03\0", 2) + "VMRUN " + "VMRUNTST" + std::string("\x01\0\0\0", 4) + "VMRN" + std::string("\x01\0\0\0", 4);
    t += body;
    unsigned sum = 0;
    for (unsigned char c : t) sum += c;
    t[9] = char((256 - sum % 256) % 256);
    return t;
}

std::string hex_of(const std::string& bytes) {
    std::ostringstream o;
    for (unsigned char c : bytes) o << " " << unsigned(c);
    return o.str();
}

std::string squeezed(const std::string& s) {
    std::istringstream in(s);
    std::string out, w;
    while (in >> w) out += " " + w;
    return out;
}

}  // namespace

TEST_CASE("smbios and acpi_tables: the guest's kernel reads the strings and the whole table the profile gave") {
    VmUnderTest vm("tables");
    std::string table = vm.dir / "MSDM.bin";
    std::ofstream(table, std::ios::binary) << msdm_table();
    write_file(vm.profile, tiny_guest_profile(vm.name,
                                              "acpi_tables: [MSDM.bin]\n"
                                              "smbios:\n"
                                              "  type0: {vendor: \"American Megatrends, Inc.\", version: F12, release: \"5.17\"}\n"
                                              "  type1: {manufacturer: Gigabyte Technology Co. Ltd., product: Z390 AORUS PRO, serial: \"SN,123=x\"}\n"
                                              "  type2: {manufacturer: Gigabyte, product: Z390 AORUS PRO-CF}\n"));
    auto r = run_vmrun(vm.env, {"start", vm.profile});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE_MESSAGE(wait_for_text(vm.state() + "/console.log", "VMRUN-GUEST-READY", 180s), read_file(vm.state() + "/console.log"));
    auto dmi = [&](const std::string& file) {
        auto out = guest_run(vm.env, vm.name, "cat /sys/class/dmi/id/" + file);
        while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
        while (!out.empty() && (out.front() == '\n' || out.front() == '\r')) out.erase(0, 1);
        return out;
    };
    CHECK(dmi("bios_vendor") == "American Megatrends, Inc.");
    CHECK(dmi("bios_release") == "5.17");
    CHECK(dmi("sys_vendor") == "Gigabyte Technology Co. Ltd.");
    CHECK(dmi("product_serial") == "SN,123=x");
    CHECK(dmi("board_name") == "Z390 AORUS PRO-CF");
    // The table, byte for byte (od's decimal bytes on both sides).
    auto seen = guest_run(vm.env, vm.name, "od -An -tu1 -v /sys/firmware/acpi/tables/MSDM");
    CHECK(squeezed(seen) == hex_of(msdm_table()));
    CHECK(run_vmrun(vm.env, {"stop", vm.name}).exit_code == 0);
}

TEST_CASE("acpi_tables: a missing file or one shorter than a table header is refused before anything starts") {
    VmUnderTest vm("bad-table");
    write_file(vm.dir / "short.bin", "MSDM");
    write_file(vm.profile, tiny_guest_profile(vm.name, "acpi_tables: [short.bin, gone.bin]\n"));
    auto r = run_vmrun(vm.env, {"start", vm.profile});
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("short.bin is 4 bytes, shorter than an ACPI table's header") != std::string::npos);
    CHECK(r.err.find("gone.bin does not exist") != std::string::npos);
    CHECK(vm.qemu() == 0);
}

TEST_CASE("acpi_tables: a FIFO, a device and a huge file are refused at once, not read by QEMU; a ':' in a path is a profile error") {
    VmUnderTest vm("odd-table");
    REQUIRE(::mkfifo((vm.dir / "fifo.bin").c_str(), 0600) == 0);
    {
        std::ofstream big(vm.dir / "big.bin", std::ios::binary);
        big.seekp((2 << 20) - 1);
        big.put('\0');  // a sparse 2 MiB file
    }
    write_file(vm.profile, tiny_guest_profile(vm.name, "acpi_tables: [fifo.bin, /dev/zero, big.bin]\n"));
    auto started = std::chrono::steady_clock::now();
    auto r = run_vmrun(vm.env, {"start", vm.profile});
    INFO(r.err);
    CHECK(r.exit_code != 0);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(20));
    CHECK(r.err.find("fifo.bin is not a regular file") != std::string::npos);
    CHECK(r.err.find("ACPI table /dev/zero is not a regular file") != std::string::npos);
    CHECK(r.err.find("big.bin is 2097152 bytes; vmrun passes tables of at most 1 MiB") != std::string::npos);
    CHECK(vm.qemu() == 0);

    write_file(vm.profile, tiny_guest_profile(vm.name, "acpi_tables: [\"/tmp/a.bin:/etc/shadow\"]\n"));
    auto colon = run_vmrun(vm.env, {"validate", vm.profile});
    CHECK(colon.exit_code != 0);
    CHECK(colon.err.find("an ACPI table's path cannot hold ':' (QEMU would read it as two files)") != std::string::npos);
}
