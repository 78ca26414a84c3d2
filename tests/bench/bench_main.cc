// vmrun_bench: one entry for every benchmark; tests/bench/run.sh calls it.
//   vmrun_bench qmp [SAMPLES]
//   vmrun_bench vm VMRUN SOURCE [ROUNDS] [IDLE_SECONDS]
//   vmrun_bench hugepages VMRUN SOURCE [ROUNDS]

#include <cstdio>
#include <cstdlib>
#include <string>

int qmp_latency_main(int samples);
int vm_bench_main(const std::string& vmrun, const std::string& source, int rounds, int idle_seconds);
int hugepages_bench_main(const std::string& vmrun, const std::string& source, int rounds);

int main(int argc, char** argv) {
    std::string what = argc > 1 ? argv[1] : "";
    if (what == "qmp") return qmp_latency_main(argc > 2 ? std::atoi(argv[2]) : 2000);
    if (what == "vm" && argc > 3)
        return vm_bench_main(argv[2], argv[3], argc > 4 ? std::atoi(argv[4]) : 10, argc > 5 ? std::atoi(argv[5]) : 60);
    if (what == "hugepages" && argc > 3) return hugepages_bench_main(argv[2], argv[3], argc > 4 ? std::atoi(argv[4]) : 10);
    std::fprintf(stderr, "usage: vmrun_bench qmp [SAMPLES] | vm VMRUN SOURCE [ROUNDS] [IDLE_SECONDS] | hugepages VMRUN SOURCE [ROUNDS]\n");
    return 64;
}
