// --json output, read back as JSON (never compared as strings): `list`,
// `status` against a real VM, `validate` with and without errors. The schema
// is the one each command's --help documents.

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "run_vmrun.h"
#include "vm_under_test.h"

using namespace vmrun::testing;

TEST_CASE("--json: list and status of a running VM parse and carry what the text shows") {
    VmUnderTest vm("jsonvm");
    write_file(vm.profile, tiny_guest_profile(vm.name));
    auto start = run_vmrun(vm.env, {"start", vm.profile, "--detach"});
    INFO(start.out << start.err);
    REQUIRE(start.exit_code == 0);

    auto list = nlohmann::json::parse(run_vmrun(vm.env, {"list", "--json"}).out);
    REQUIRE(list.is_array());
    REQUIRE(list.size() == 1);
    CHECK(list[0]["name"] == "jsonvm");
    CHECK(list[0]["supervisor_pid"] == vm.supervisor());
    CHECK(list[0]["qemu_pid"] == vm.qemu());
    CHECK(list[0]["state"] == "running");
    CHECK(list[0]["uptime_seconds"].get<long>() >= 0);

    auto status = nlohmann::json::parse(run_vmrun(vm.env, {"status", vm.name, "--json"}).out);
    CHECK(status["name"] == "jsonvm");
    CHECK(status["state"] == "running");
    CHECK(status["qemu"]["version"].get<std::string>().rfind("7.", 0) == 0);
    CHECK(status["pids"]["qemu"] == vm.qemu());
    REQUIRE(status["vcpus"].size() == 1);
    CHECK(status["vcpus"][0]["index"] == 0);
    bool free_port = false;
    for (const auto& rp : status["root_ports"]) free_port = free_port || (rp["id"] == "rp1" && rp["devices"].empty());
    CHECK(free_port);
    CHECK_FALSE(status.contains("balloon_mib"));
    CHECK(run_vmrun(vm.env, {"stop", vm.name, "--force"}).exit_code == 5);
    CHECK(nlohmann::json::parse(run_vmrun(vm.env, {"list", "--json"}).out).empty());
}

TEST_CASE("--json: validate reports each diagnostic with its line and column, and keeps the exit codes") {
    TempDir dir;
    write_file(dir / "bad.yaml", "name: x\nmemroy: 1G\n");
    auto bad = run_vmrun({}, {"validate", dir / "bad.yaml", "--json"});
    CHECK(bad.exit_code == 65);
    CHECK(bad.err.empty());  // nothing rendered for a person: stdout is the answer
    auto j = nlohmann::json::parse(bad.out);
    CHECK(j["valid"] == false);
    CHECK(j["errors"] == 2);
    REQUIRE(j["diagnostics"].size() == 2);
    CHECK(j["diagnostics"][1]["line"] == 2);
    CHECK(j["diagnostics"][1]["column"] == 1);
    CHECK(j["diagnostics"][1]["severity"] == "error");
    CHECK(j["diagnostics"][1]["message"].get<std::string>().find("did you mean 'memory'?") != std::string::npos);

    write_file(dir / "good.yaml", tiny_guest_profile("good"));
    auto good = run_vmrun({}, {"validate", dir / "good.yaml", "--json"});
    CHECK(good.exit_code == 0);
    auto g = nlohmann::json::parse(good.out);
    CHECK(g["valid"] == true);
    CHECK(g["name"] == "good");
    CHECK(g["diagnostics"].empty());
}
