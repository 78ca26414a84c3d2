#include "vm/host_check_report.h"

#include <optional>

#include "host/display/display_handoff.h"
#include "host/pci/passthrough_setup.h"
#include "host/pci/sriov.h"
#include "vm/load_plan.h"

namespace vmrun {

std::vector<CheckLine> check_host_for(const LaunchPlan* plan, const std::string& sysroot) {
    std::optional<PassthroughInspection> inspection;
    if (plan && !plan->profile.passthrough.empty())
        inspection = inspect_passthrough(sysroot, existing_passthrough_addresses(*plan));
    auto qemu = plan ? plan->facts.qemu_binary : probe_host_facts("check").qemu_binary;
    auto host = read_host(sysroot, qemu, files_to_check(plan), bridges_to_check(plan));
    auto lines = check_host(host, plan, inspection ? &*inspection : nullptr);
    if (plan && plan->profile.host_display) {
        lines.push_back({Verdict::pass, "handoff", describe_handoff(*plan), ""});
        for (const auto& problem : display_handoff_problems(*plan)) lines.push_back({Verdict::fail, "handoff", problem.what, problem.fix});
    }
    return lines;
}

}  // namespace vmrun
