#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "run/firmware_vars.h"
#include "temp_dir.h"

using namespace vmrun;
namespace fs = std::filesystem;

using vmrun::testing::TempDir;
using vmrun::testing::read_file;

TEST_CASE("OVMF VARS: copied on first start, kept afterwards, renewed on reset_nvram") {
    TempDir t;
    vmrun::testing::write_file(t.path / "CODE.fd", "code");
    vmrun::testing::write_file(t.path / "VARS.fd", "template");
    FirmwarePlan f;
    f.type = FirmwareType::ovmf;
    f.code = (t.path / "CODE.fd").string();
    f.vars_template = (t.path / "VARS.fd").string();
    f.vars = (t.path / "state/win10/OVMF_VARS.fd").string();

    auto first = prepare_firmware_vars(f);
    CHECK(first.ok());
    CHECK(first.copied);
    CHECK(read_file(f.vars) == "template");

    vmrun::testing::write_file(f.vars, "guest wrote its boot entry");
    auto second = prepare_firmware_vars(f);
    CHECK(second.ok());
    CHECK_FALSE(second.copied);
    CHECK(read_file(f.vars) == "guest wrote its boot entry");

    f.reset_nvram = true;
    auto reset = prepare_firmware_vars(f);
    CHECK(reset.copied);
    CHECK(read_file(f.vars) == "template");
    CHECK_FALSE(fs::exists(f.vars + ".tmp"));
}

TEST_CASE("OVMF VARS: a missing template says how to fix it") {
    TempDir t;
    vmrun::testing::write_file(t.path / "CODE.fd", "code");
    FirmwarePlan f;
    f.type = FirmwareType::ovmf;
    f.code = (t.path / "CODE.fd").string();
    f.vars_template = (t.path / "nope.fd").string();
    f.vars = (t.path / "OVMF_VARS.fd").string();
    auto r = prepare_firmware_vars(f);
    REQUIRE_FALSE(r.ok());
    CHECK(r.failure->fix.find("apt-get install ovmf") != std::string::npos);
    CHECK(r.failure->what == "OVMF VARS template " + f.vars_template + " does not exist");
    CHECK_FALSE(fs::exists(f.vars));
}
