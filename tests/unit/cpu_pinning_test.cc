// vCPU and emulator pinning, the parts that need no QEMU: the kernel's CPU
// list notation, the profile's pin keys, and the preflight against the
// host's online CPUs (a simulated sysfs with more CPUs than this machine).

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "base/cpu_list.h"
#include "host/cpu/cpu_affinity.h"
#include "profile_fixture.h"
#include "temp_dir.h"

using namespace vmrun;
using vmrun::testing::run_pipeline;
using vmrun::testing::TempDir;
namespace fs = std::filesystem;

TEST_CASE("the kernel's CPU list notation both ways") {
    CHECK(parse_cpu_list("0-3,8,10-11\n") == std::vector<int>{0, 1, 2, 3, 8, 10, 11});
    CHECK(parse_cpu_list("5") == std::vector<int>{5});
    CHECK(parse_cpu_list("") == std::vector<int>{});
    CHECK(parse_cpu_list("3,1,1") == std::vector<int>{1, 3});
    for (auto bad : {"3-1", "a", "1,", ",1", "1--2", "-1", "99999", "1-2-3"}) CHECK_MESSAGE(!parse_cpu_list(bad), bad);
    CHECK(format_cpu_list({5, 0, 1, 2, 3, 8, 10, 11}) == "0-3,5,8,10-11");
    CHECK(format_cpu_list({2}) == "2");
    CHECK(format_cpu_list({}) == "");
}

TEST_CASE("a profile's pin: vCPU i on vcpus[i], the emulator set, an overlap warned about") {
    auto p = run_pipeline("name: t\nmemory: 1G\nsmp: 4\ncpu:\n  pin:\n    vcpus: [2, 3, 4, 5]\n    emulator: [0, 1]\n");
    REQUIRE(p.errors().empty());
    REQUIRE(p.loaded.profile.cpu.pin);
    CHECK(p.loaded.profile.cpu.pin->vcpus == std::vector<int>{2, 3, 4, 5});
    CHECK(p.loaded.profile.cpu.pin->emulator == std::vector<int>{0, 1});

    auto overlap = run_pipeline("name: t\nmemory: 1G\nsmp: 2\ncpu:\n  pin:\n    vcpus: [2, 3]\n    emulator: [1, 3]\n");
    REQUIRE(overlap.errors().empty());
    bool warned = false;
    for (const auto& d : overlap.loaded.diagnostics.all())
        if (d.severity == Severity::warning && d.loc.line == 7 &&
            d.message == "host CPU 3 is in both 'vcpus' and 'emulator': QEMU's I/O threads will compete with that vCPU")
            warned = true;
    CHECK(warned);

    auto emulator_only = run_pipeline("name: t\nmemory: 1G\nsmp: 8\ncpu:\n  pin:\n    emulator: [0]\n");
    REQUIRE(emulator_only.errors().empty());
    CHECK(emulator_only.loaded.profile.cpu.pin->vcpus.empty());
}

TEST_CASE("preflight: every pinned CPU must be online on this host") {
    TempDir root;
    fs::create_directories(root.path / "sys/devices/system/cpu");
    std::ofstream(root.path / "sys/devices/system/cpu/online") << "0-7,10\n";
    CHECK(online_cpus(root.path.string()) == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 10});
    CHECK(check_pinning_cpus(root.path.string(), {{2, 3, 4, 5}, {0, 1}}, "vm.yaml").empty());
    auto problems = check_pinning_cpus(root.path.string(), {{6, 7, 8, 9}, {10, 11}}, "vm.yaml");
    REQUIRE(problems.size() == 3);
    CHECK(problems[0].what == "host CPU 8 in cpu.pin.vcpus is not online on this host (online: 0-7,10)");
    CHECK(problems[1].what == "host CPU 9 in cpu.pin.vcpus is not online on this host (online: 0-7,10)");
    CHECK(problems[2].what == "host CPU 11 in cpu.pin.emulator is not online on this host (online: 0-7,10)");
    CHECK(problems[0].fix.find("vm.yaml") != std::string::npos);

    TempDir empty;
    auto unreadable = check_pinning_cpus(empty.path.string(), {{0}, {}}, "vm.yaml");
    REQUIRE(unreadable.size() == 1);
    CHECK(unreadable[0].what.find("cannot read the host's online CPUs") == 0);
}
