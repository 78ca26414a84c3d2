// Start to running of a VM whose 2 GiB come from huge pages vmrun allocates
// at start, with QEMU preallocating on one thread (smp: 1) and on one thread
// per vCPU (smp: this machine's CPU count). Each start includes raising the
// pool and each stop giving it back; needs root (it changes the kernel's pool).

#include <unistd.h>

#include <boost/process.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "bench_util.h"

namespace bp = boost::process;
namespace fs = std::filesystem;

namespace {

std::string huge_profile(const std::string& name, const std::string& source, int smp) {
    std::string g = source + "/build/tiny-guest";
    return "name: " + name + "\naccelerator: tcg\ncpu: max\nsmp: " + std::to_string(smp) + "\nmemory: 2G\n" +
           "hugepages: {size: 2M, allocate: true}\nkernel:\n  image: " + g + "/vmlinuz\n  initrd: " + g +
           "/initrd.cpio.gz\n  cmdline: console=ttyS0 panic=-1 loglevel=4\nheadless: true\nserial: socket\n";
}

int vmrun(const std::string& binary, bp::environment& env, const std::vector<std::string>& args) {
    return bp::system(binary, bp::args = args, env, bp::std_out > bp::null, bp::std_err > bp::null, bp::std_in < bp::null);
}

}  // namespace

int hugepages_bench_main(const std::string& binary, const std::string& source, int rounds) {
    if (::geteuid() != 0) {
        std::printf("| %-58s | skipped: raising the kernel's huge page pool needs root\n", "hugepages: start to running");
        return 0;
    }
    std::string dir = (fs::temp_directory_path() / ("vmrun-hugebench-" + std::to_string(::getpid()))).string();
    fs::create_directories(dir);
    bp::environment env = boost::this_process::environment();
    env["VMRUN_RUNTIME_DIR"] = dir + "/run";
    env["VMRUN_STATE_DIR"] = dir + "/state";
    int cpus = int(std::thread::hardware_concurrency());
    std::vector<int> threads = {1, cpus};
    std::vector<std::vector<double>> ms(threads.size());
    // Interleaved, so that a drift in the host's memory state hits both alike.
    for (int i = 0; i < rounds; ++i)
        for (size_t t = 0; t < threads.size(); ++t) {
            int smp = threads[t];
            std::string name = "huge" + std::to_string(smp), profile = dir + "/" + name + ".yaml";
            std::ofstream(profile) << huge_profile(name, source, smp);
            std::fprintf(stderr, "bench: hugepages smp %d round %d\n", smp, i + 1);
            auto t0 = bench::Clock::now();
            if (vmrun(binary, env, {"start", profile}) != 0) {
                std::fprintf(stderr, "bench: vmrun start failed (see %s/state/%s/vmrun.log)\n", dir.c_str(), name.c_str());
                return 1;
            }
            ms[t].push_back(bench::ms_since(t0));
            vmrun(binary, env, {"stop", "--force", name});
        }
    for (size_t t = 0; t < threads.size(); ++t)
        bench::row("2 GiB of 2M hugepages allocated, start to running: prealloc " + std::to_string(threads[t]) + " thread" +
                       (threads[t] == 1 ? "" : "s"),
                   bench::stats(ms[t]), "ms");
    fs::remove_all(dir);
    return 0;
}
