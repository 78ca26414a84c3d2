#include "guest_console.h"

namespace vmrun::testing {

std::string guest_run(const VmrunEnv& env, const std::string& vm, const std::string& command) {
    // '@@B""EGIN' in the echoed line, '@@BEGIN' in the output.
    std::string line = "echo @@B\"\"EGIN; " + command + "; echo @@E\"\"ND\n";
    auto r = run_vmrun(env, {"console", vm, "--linger", "2"}, "\n" + line, std::chrono::seconds(60));
    auto b = r.out.find("@@BEGIN");
    auto e = r.out.find("@@END", b == std::string::npos ? 0 : b);
    if (b == std::string::npos || e == std::string::npos) return "(no answer from the guest console: " + r.out + r.err + ")";
    return r.out.substr(b + 7, e - b - 7);
}

std::string guest_inventory(const VmrunEnv& env, const std::string& vm) {
    return guest_run(env, vm,
                     "for d in /sys/bus/pci/devices/*; do echo PCI $(cat $d/vendor):$(cat $d/device); done; "
                     "for b in $(ls /sys/block); do echo BLOCK $b; done; "
                     "for n in $(ls /sys/class/net); do echo NET $n; done");
}

}  // namespace vmrun::testing
