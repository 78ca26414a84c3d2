#pragma once
// The verdicts of 'vmrun check': each host requirement as PASS, WARN or FAIL,
// with the exact fix. Pure — works on HostReadings and, for a profile, on its
// plan and the passthrough inspection — so every verdict is testable.

#include <string>
#include <vector>

#include "host/host_readings.h"
#include "plan/launch_plan.h"
#include "host/pci/passthrough_setup.h"

namespace vmrun {

enum class Verdict { pass, warn, fail };

struct CheckLine {
    Verdict verdict;
    std::string topic;  // "IOMMU", "vfio", "group 1", ...
    std::string text;
    std::string fix;    // empty for PASS
};

// `plan` and `passthrough` are null without a profile; then the check is for
// vmrun's main use: KVM and passthrough.
std::vector<CheckLine> check_host(const HostReadings& host, const LaunchPlan* plan, const PassthroughInspection* passthrough);

// The files check_host wants looked up for `plan` (OVMF images).
std::vector<std::string> files_to_check(const LaunchPlan* plan);
// The bridges the plan's tap NICs name.
std::vector<std::string> bridges_to_check(const LaunchPlan* plan);

const char* verdict_name(Verdict v);
// "pass", "warn", "fail": the --json spelling.
const char* verdict_key(Verdict v);

}  // namespace vmrun
