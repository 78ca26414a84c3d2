// vmrun bind's operation (vm/bind_profile.h).

#include "vm/bind_profile.h"

#include <filesystem>
#include <iostream>

#include "base/exit_codes.h"
#include "host/pci/bind_functions.h"
#include "host/pci/sriov.h"
#include "run/instance_lock.h"
#include "run/supervisor.h"
#include "run/vm_folders.h"
#include "vm/load_plan.h"
#include "vm/print_problems.h"

namespace vmrun {

int bind_profile(const std::string& profile, const ForceBind& force, const std::optional<std::string>& sysroot) {
    auto loaded = load_plan(profile);
    if (!loaded.plan) return loaded.exit_code;
    auto& plan = *loaded.plan;
    if (sysroot) plan.facts.sysroot = *sysroot;
    const auto& name = plan.profile.name;
    if (plan.profile.passthrough.empty()) {
        std::cerr << "vmrun: " << profile << " lists no passthrough devices; nothing to bind\n";
        return kExitOk;
    }
    // Every refusal before the lock and the first change (the binding reads the host again).
    auto inspection = inspect_passthrough(plan.facts.sysroot, existing_passthrough_addresses(plan));
    auto problems = inspection.problems(force);
    auto sriov = sriov_problems(plan);
    problems.insert(problems.begin(), sriov.begin(), sriov.end());
    if (!problems.empty()) {
        print_problems(problems);
        std::cerr << "vmrun: nothing was bound\n";
        return kExitFailure;
    }

    const VmPaths& folder = plan.paths();
    pid_t holder = 0;
    std::optional<Failure> problem;
    auto lock = InstanceLock::acquire(folder, holder, problem);
    if (!lock) {
        if (problem) print_problems({*problem});
        else std::cerr << "vmrun: " << name << " is running" << describe_holder(holder) << "; its devices are bound already\n";
        return kExitFailure;
    }
    if (auto failure = create_state_folder(folder)) {
        print_problems({*failure});
        return kExitFailure;
    }
    Journal journal(folder.journal_file());
    auto result = bind_functions({plan.facts.sysroot, passthrough_addresses(plan.profile), plan.sriov, plan.vf_net, force,
                                  std::nullopt},
                                 journal);
    for (const auto& w : result.warnings) std::cerr << "vmrun: warning: " << w << "\n";
    if (!result.ok()) {
        if (!result.refusals.empty()) print_problems(result.refusals);
        else std::cerr << "vmrun: " << result.failure->text() << "\n";
        restore_stale_journal(folder, true);
        std::cerr << "vmrun: nothing was bound\n";
        return kExitFailure;
    }
    for (const auto& d : result.done) std::cout << d << "\n";
    for (const auto& f : result.bound)
        std::cout << f.address.str() << " -> vfio-pci (was " << (f.was_driver.empty() ? "unbound" : f.was_driver) << "), /dev/vfio/"
                  << f.group << "\n";
    std::cout << "give them back with: vmrun restore " << name << "\n";
    return kExitOk;
}

}  // namespace vmrun
