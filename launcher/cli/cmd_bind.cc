// vmrun bind PROFILE: move the profile's passthrough devices (with the rest of
// their IOMMU groups) to vfio-pci without starting the VM — the job of the
// vfio-bind scripts, done by address and journaled; 'vmrun restore NAME' gives
// them back.

#include <filesystem>
#include <iostream>

#include "cli/command.h"
#include "base/exit_codes.h"
#include "cli/load_plan.h"
#include "cli/vm_target.h"
#include "host/pci/passthrough_setup.h"
#include "host/net/vf_settings.h"
#include "host/pci/sriov.h"
#include "cli/force_bind_option.h"
#include "cli/print_problems.h"
#include "run/instance_lock.h"
#include "run/vm_folders.h"
#include "run/supervisor.h"

namespace vmrun::cli {

int run_bind(const ParsedArgs& args) {
    auto profile = args.positional("PROFILE");
    auto forced = force_bind_option(args);
    if (!forced) return kExitUsage;
    const auto& force = *forced;
    auto sysroot = args.value("sysroot");
    auto loaded = load_plan(profile);
    if (!loaded.plan) return loaded.exit_code;
    auto& plan = *loaded.plan;
    if (sysroot) plan.facts.sysroot = *sysroot;
    const auto& name = plan.profile.name;
    if (plan.profile.passthrough.empty()) {
        std::cerr << "vmrun: " << profile << " lists no passthrough devices; nothing to bind\n";
        return kExitOk;
    }
    auto inspection = inspect_passthrough(plan.facts.sysroot, existing_passthrough_addresses(plan));
    auto problems = inspection.problems(force);
    auto sriov = sriov_problems(plan);
    problems.insert(problems.begin(), sriov.begin(), sriov.end());
    if (!problems.empty()) {
        print_problems(problems);
        std::cerr << "vmrun: nothing was bound\n";
        return kExitFailure;
    }
    for (const auto& u : inspection.unverified) std::cerr << "vmrun: warning: " << u.what << " (" << u.fix << ")\n";
    for (const auto& u : inspection.forced(force))
        std::cerr << "vmrun: warning: --force-bind=" << host_use_kind_name(u.kind) << ": taking it anyway: " << u.what << "\n";

    const VmPaths& folder = plan.paths();
    pid_t holder = 0;
    std::string problem;
    auto lock = InstanceLock::acquire(folder, holder, problem);
    if (!lock) {
        if (!problem.empty()) std::cerr << "vmrun: " << problem << "\n";
        else std::cerr << "vmrun: " << name << " is running" << describe_holder(holder) << "; its devices are bound already\n";
        return kExitFailure;
    }
    if (auto err = create_state_folder(folder); !err.empty()) {
        std::cerr << "vmrun: " << err << "\n";
        return kExitFailure;
    }
    Journal journal(folder.journal_file());
    // VFs first: only then can their groups be read.
    bool made_vfs = false;
    for (const auto& r : plan.sriov)
        if (r.create()) {
            made_vfs = true;
            if (auto err = create_virtual_functions(plan.facts.sysroot, r, journal); !err.empty()) {
                std::cerr << "vmrun: creating virtual functions failed: " << err << "\n";
                restore_stale_journal(folder, true);
                return kExitFailure;
            }
        }
    if (made_vfs) {
        inspection = inspect_passthrough(plan.facts.sysroot, passthrough_addresses(plan.profile));
        if (auto problems = inspection.problems(force); !problems.empty()) {
            print_problems(problems);
            restore_stale_journal(folder, true);
            std::cerr << "vmrun: nothing was bound\n";
            return kExitFailure;
        }
    }
    if (auto err = apply_vf_net_settings(plan.facts.sysroot, plan.vf_net, journal); !err.empty()) {
        std::cerr << "vmrun: setting a virtual function's network settings failed: " << err << "\n";
        restore_stale_journal(folder, true);
        return kExitFailure;
    }
    if (auto err = bind_passthrough(plan.facts.sysroot, inspection.expansion, journal); !err.empty()) {
        std::cerr << "vmrun: binding to vfio-pci failed: " << err << "\n";
        restore_stale_journal(folder, true);
        return kExitFailure;
    }
    for (const auto& g : inspection.expansion.groups)
        for (const auto& f : g.to_bind)
            std::cout << f.address.str() << " -> vfio-pci (was " << (f.driver.empty() ? "unbound" : f.driver) << "), /dev/vfio/"
                      << g.group << "\n";
    std::cout << "give them back with: vmrun restore " << name << "\n";
    return kExitOk;
}

}  // namespace vmrun::cli
