// libFuzzer target: any JSON as QEMU's answer to query-pci, query-status,
// query-cpus-fast and query-balloon, read by the functions hotplug, unplug,
// status, list, balloon and the supervisor's CPU pinning use.
// Invariants: nothing aborts or throws (hotplug reads query-pci after the
// device is in; a throw there would skip --persist and the report); a root
// port has an id, and the free port is one of them with nothing behind it.

#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "plan/qmp_answers.h"
#include "plan/hotplug_plan.h"
#include "host/cpu/cpu_pinning.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto answer = nlohmann::json::parse(data, data + size, nullptr, false);
    if (answer.is_discarded()) return 0;

    auto ports = vmrun::root_ports_in(answer);
    for (const auto& p : ports)
        if (p.id.empty()) std::abort();
    if (auto free = vmrun::first_free_port(ports)) {
        bool found = false;
        for (const auto& p : ports) found |= p.id == *free && p.occupants.empty();
        if (!found) std::abort();
    }
    for (const auto& p : ports)
        for (const auto& id : p.occupants)
            if (!vmrun::pci_has_device(answer, id)) std::abort();  // what sits behind a port is listed
    (void)vmrun::pci_has_device(answer, "disk0");

    (void)vmrun::run_state_in(answer);
    (void)vmrun::balloon_bytes_in(answer);

    auto vcpus = vmrun::vcpu_threads_in(answer);
    if (vcpus.error.empty() && !answer.is_array()) std::abort();
    return 0;
}
