// vmrun report against a simulated host (the i9-9900K seed: a GPU with its
// audio, USB and UCSI functions) and a VM whose last run left a log and an
// exit record: every promised file, the passed functions' sysfs state, only
// the kernel log's passthrough lines, MACs masked (unless --keep-macs), and a
// README that names what could not be had.

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "run_vmrun.h"
#include "sim_sysfs.h"
#include "temp_dir.h"
#include "text_has.h"

using namespace vmrun::testing;
namespace fs = std::filesystem;

namespace {

struct ReportHost {
    TempDir dir;
    VmrunEnv env;
    std::string profile;
    ReportHost() {
        sim_i9_9900k(dir / "host");
        env = {dir / "run", dir / "state", dir / "host"};
        fs::create_directories(dir / "host/var/log");
        write_file(dir / "host/var/log/dmesg",
                   "[    0.01] DMAR: IOMMU enabled\n"
                   "[    1.20] usbcore: registered new interface driver usbhid\n"
                   "[   90.00] vfio-pci 0000:01:00.0: BAR 1: can't reserve [mem 0xe0000000-0xefffffff 64bit pref]\n");
        profile = dir / "gpu.yaml";
        write_file(profile, "name: gpu\nmemory: 256M\naccelerator: tcg\ncpu: max\n"
                            "network:\n  - {type: user, mac: \"52:54:00:12:34:56\"}\n"
                            "passthrough:\n  - host: 01:00.0\n  - host: 01:00.1\n  - host: 01:00.2\n  - host: 01:00.3\n");
        fs::create_directories(dir / "state/gpu");
        write_file(dir / "state/gpu/vmrun.log", "[info] tap up on 52:54:00:12:34:56\n");
        write_file(dir / "state/gpu/last-exit.json", R"({"code":0,"message":"the guest powered off"})");
    }
    fs::path only_report() const {
        for (const auto& e : fs::directory_iterator(dir.path))
            if (e.path().filename().string().rfind("vmrun-report-gpu-", 0) == 0) return e.path();
        return {};
    }
};

}  // namespace

TEST_CASE("vmrun report gathers versions, profile, argv, check, device state, kernel lines and logs, MACs masked") {
    ReportHost host;
    auto r = run_vmrun(host.env, {"report", host.profile, "--output", host.dir.path});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    auto folder = host.only_report();
    REQUIRE_FALSE(folder.empty());
    struct stat st {};
    REQUIRE(::stat(folder.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    for (auto f : {"README.txt", "versions.txt", "profile.yaml", "qemu-argv.txt", "check.txt", "devices.txt", "kernel-cmdline.txt",
                   "kernel-log.txt", "vmrun.log", "last-exit.json"})
        CHECK_MESSAGE(fs::exists(folder / f), f);
    CHECK(has(read_file(folder / "versions.txt"), "QEMU emulator version"));
    auto devices = read_file(folder / "devices.txt");
    CHECK(has(devices, "0000:01:00.0:\n  vendor:device: 0x10de:"));
    CHECK(has(devices, "  driver: nvidia\n"));
    CHECK(has(devices, "0000:01:00.3:"));
    auto kernel = read_file(folder / "kernel-log.txt");
    CHECK(has(kernel, "DMAR: IOMMU enabled"));
    CHECK(has(kernel, "vfio-pci 0000:01:00.0: BAR 1: can't reserve"));
    CHECK_FALSE(has(kernel, "usbhid"));
    CHECK(has(read_file(folder / "check.txt"), "group 1"));
    CHECK(has(read_file(folder / "qemu-argv.txt"), "vfio-pci,host=0000:01:00.0"));
    // Masked everywhere: the profile, the argv, the log.
    for (auto f : {"profile.yaml", "qemu-argv.txt", "vmrun.log"}) {
        CHECK_FALSE(has(read_file(folder / f), "52:54:00:12:34:56"));
        CHECK(has(read_file(folder / f), "xx:xx:xx:xx:xx:xx"));
    }
    auto readme = read_file(folder / "README.txt");
    CHECK(has(readme, "left out:\n  console.log:"));
    CHECK_FALSE(fs::exists(folder / "journal"));  // no host change pending
}

TEST_CASE("vmrun report --keep-macs --json keeps them and lists the files") {
    ReportHost host;
    auto r = run_vmrun(host.env, {"report", host.profile, "--output", host.dir.path, "--keep-macs", "--json"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    auto j = nlohmann::json::parse(r.out);
    fs::path folder = j["folder"].get<std::string>();
    CHECK(folder == host.only_report());
    bool listed = false;
    for (const auto& f : j["files"]) listed = listed || f["name"] == "devices.txt";
    CHECK(listed);
    CHECK(has(read_file(folder / "profile.yaml"), "52:54:00:12:34:56"));

    auto bad = run_vmrun(host.env, {"report", "no such vm!"});
    CHECK(bad.exit_code != 0);
    CHECK(has(bad.err, "is neither a profile file nor a VM name"));
}
