// --json output, read back as JSON (never compared as strings): `list`,
// `status`, `hotplug` and `unplug` against a real VM, `check` and
// `host-config` on a simulated host, `validate` with and without errors. The
// schema is the one each command's --help and profiles/README.md document.

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>

#include "run_vmrun.h"
#include "sim_sysfs.h"
#include "vm_under_test.h"

using namespace std::chrono_literals;

using namespace vmrun::testing;

TEST_CASE("--json: list, status, hotplug and unplug of a running VM parse and carry what the text shows") {
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

    // A disk in and out, written into the profile and taken out again.
    REQUIRE_MESSAGE(wait_for_text(vm.state() + "/console.log", "VMRUN-GUEST-READY", 180s), read_file(vm.state() + "/console.log"));
    auto original = read_file(vm.profile);
    write_file(vm.dir / "extra.img", std::string(1 << 20, '\0'));
    auto plug = run_vmrun(vm.env, {"hotplug", vm.name, "--disk", vm.dir / "extra.img", "--id", "extra", "--persist", "--json"});
    INFO(plug.out << plug.err);
    REQUIRE(plug.exit_code == 0);
    auto added = nlohmann::json::parse(plug.out);
    CHECK(added["vm"] == "jsonvm");
    REQUIRE(added["added"].size() == 1);
    CHECK(added["added"][0]["id"] == "extra");
    CHECK(added["added"][0]["kind"] == "disk");
    CHECK(added["added"][0]["driver"] == "virtio-blk-pci");
    CHECK(added["added"][0]["port"] == "rp1");
    CHECK(added["profile_updated"] == vm.profile);
    CHECK(read_file(vm.profile) != original);
    auto busy = nlohmann::json::parse(run_vmrun(vm.env, {"status", vm.name, "--json"}).out);
    bool on_rp1 = false;
    for (const auto& rp : busy["root_ports"])
        if (rp["id"] == "rp1") on_rp1 = rp["devices"] == nlohmann::json::array({"extra"});
    CHECK(on_rp1);

    auto unplug = run_vmrun(vm.env, {"unplug", vm.name, "extra", "--persist", "--timeout", "60", "--json"});
    INFO(unplug.out << unplug.err);
    REQUIRE(unplug.exit_code == 0);
    auto removed = nlohmann::json::parse(unplug.out);
    REQUIRE(removed["removed"].size() == 1);
    CHECK(removed["removed"][0]["id"] == "extra");
    CHECK(removed["removed"][0]["device_deleted_event"].is_boolean());
    CHECK(removed["profile_updated"] == vm.profile);
    CHECK(read_file(vm.profile) == original);
    // A failure before anything changed: nothing on stdout, the reason on stderr.
    auto missing = run_vmrun(vm.env, {"unplug", vm.name, "nosuch", "--json", "--timeout", "1"});
    CHECK(missing.exit_code != 0);
    CHECK(missing.out.empty());
    CHECK_FALSE(missing.err.empty());
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
    CHECK(j["diagnostics"][1]["message"] == "unknown key 'memroy' in the profile");
    CHECK(j["diagnostics"][1]["hint"] == "did you mean 'memory'?");
    CHECK_FALSE(j["diagnostics"][0].contains("hint"));

    write_file(dir / "good.yaml", tiny_guest_profile("good"));
    auto good = run_vmrun({}, {"validate", dir / "good.yaml", "--json"});
    CHECK(good.exit_code == 0);
    auto g = nlohmann::json::parse(good.out);
    CHECK(g["valid"] == true);
    CHECK(g["name"] == "good");
    CHECK(g["diagnostics"].empty());
}

TEST_CASE("--json: check and host-config on a simulated host with a GPU, and a profile that does not load") {
    TempDir root;
    std::string host = root.path.string() + "/host";
    sim_i9_9900k(host);
    std::filesystem::create_directories(host + "/sys/class/iommu/dmar0");  // an Intel IOMMU unit
    VmrunEnv env{root / "run", root / "state", host};
    auto profile = root.path.string() + "/gpu.yaml";
    write_file(profile, tiny_guest_profile("gpu", "passthrough:\n  - host: 01:00.0\n    x_vga: true\n"
                                                   "  - host: 01:00.1\n  - host: 01:00.2\n  - host: 01:00.3\n"));

    auto check = run_vmrun(env, {"check", profile, "--json", "--sysroot", host + "/"});
    INFO(check.out << check.err);
    auto c = nlohmann::json::parse(check.out);
    CHECK(c["profile"] == profile);
    int counted[3] = {0, 0, 0};
    bool gpu_named = false;
    for (const auto& l : c["checks"]) {
        std::string verdict = l["verdict"];
        REQUIRE((verdict == "pass" || verdict == "warn" || verdict == "fail"));
        ++counted[verdict == "pass" ? 0 : verdict == "warn" ? 1 : 2];
        CHECK(l["topic"].is_string());
        CHECK((l["fix"].is_null() || l["fix"].is_string()));
        gpu_named = gpu_named || l["text"].get<std::string>().find("0000:01:00.0") != std::string::npos;
    }
    CHECK(gpu_named);
    CHECK(c["passed"] == counted[0]);
    CHECK(c["warnings"] == counted[1]);
    CHECK(c["failed"] == counted[2]);
    CHECK(check.exit_code == (counted[2] ? 1 : 0));
    auto host_only = nlohmann::json::parse(run_vmrun(env, {"check", "--json", "--sysroot", host + "/"}).out);
    CHECK(host_only["profile"].is_null());
    for (const auto& l : host_only["checks"]) CHECK(l["text"].get<std::string>().find("0000:01:00.0") == std::string::npos);

    auto config = run_vmrun(env, {"host-config", profile, "--distro", "debian", "--json", "--sysroot", host + "/"});
    INFO(config.out << config.err);
    REQUIRE(config.exit_code == 0);
    auto h = nlohmann::json::parse(config.out);
    REQUIRE(h["functions"].size() == 4);
    CHECK(h["functions"][0]["address"] == "0000:01:00.0");
    CHECK(h["kernel_cmdline"].get<std::string>().find("intel_iommu=on") != std::string::npos);
    REQUIRE(h["vfio_pci_ids"].size() == 4);
    std::string options = h["modprobe_conf"]["lines"][0];
    CHECK(options.rfind("options vfio-pci ids=", 0) == 0);
    for (const auto& id : h["vfio_pci_ids"]) CHECK(options.find(id.get<std::string>()) != std::string::npos);
    REQUIRE(h["initramfs"].size() == 1);
    CHECK(h["initramfs"][0]["tool"] == "initramfs-tools");
    CHECK(h["initramfs"][0]["regenerate"] == "update-initramfs -u -k all");

    // A profile that does not load: the validate document, the same exit code, for both.
    write_file(profile, "name: gpu\nmemory: lots\n");
    for (const char* command : {"check", "host-config"}) {
        auto bad = run_vmrun(env, {command, profile, "--json", "--sysroot", host + "/"});
        INFO(command << ": " << bad.out << bad.err);
        CHECK(bad.exit_code == 65);
        auto b = nlohmann::json::parse(bad.out);
        CHECK(b["valid"] == false);
        CHECK(b["errors"].get<int>() >= 1);
        bool at_memory = false;
        for (const auto& d : b["diagnostics"]) at_memory = at_memory || (d["line"] == 2 && d["column"] == 9);
        CHECK(at_memory);
    }
}
