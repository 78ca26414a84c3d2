#include "vm/completion_facts.h"

#include <algorithm>
#include <chrono>

#include "host/pci/pci_sysfs.h"
#include "qmp/client.h"
#include "run/vm_folders.h"
#include "vm/load_plan.h"

namespace vmrun {

std::vector<std::string> device_ids_of(const std::string& vm) {
    qmp::Timeouts t;
    t.connect = std::chrono::milliseconds(1000);
    t.command = std::chrono::milliseconds(1000);
    qmp::Client c({}, t);
    std::vector<std::string> out;
    if (c.connect_unix(vm_paths_for(vm).qmp_socket())) return out;
    auto r = c.execute("qom-list", {{"path", "/machine/peripheral"}});
    if (r && r.value.is_array())
        for (const auto& e : r.value)
            if (e.is_object() && e.value("type", "").rfind("child<", 0) == 0 && e.contains("name") && e["name"].is_string())
                out.push_back(e["name"]);
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<HostFunctionChoice> host_function_choices() {
    std::vector<HostFunctionChoice> out;
    for (const auto& f : read_pci_functions(probe_host_facts("completion").sysroot)) {
        if (f.is_bridge()) continue;
        out.push_back({f.address.str(), f.ids() + " " + (f.driver.empty() ? "unbound" : f.driver)});
    }
    return out;
}

}  // namespace vmrun
