#include "plan/swtpm_argv.h"

namespace vmrun {

std::vector<std::string> build_swtpm_argv(const LaunchPlan& plan, std::optional<SwtpmFds> fds) {
    if (!plan.profile.tpm) return {};
    const auto& paths = plan.paths();
    std::vector<std::string> argv = {plan.facts.swtpm_binary, "socket", "--tpm2"};
    auto add = [&](std::string option, std::string value) {
        argv.push_back(std::move(option));
        argv.push_back(std::move(value));
    };
    if (fds) {
        add("--tpmstate", "dir=.,mode=0600");
        add("--ctrl", "type=unixio,fd=" + std::to_string(fds->control));
        add("--log", "fd=" + std::to_string(fds->log) + ",level=1");
    } else {
        add("--tpmstate", "dir=" + paths.tpm_state_dir() + ",mode=0600");
        add("--ctrl", "type=unixio,path=" + paths.swtpm_socket() + ",mode=0600");
        add("--log", "file=" + paths.swtpm_log() + ",level=1");
    }
    argv.push_back("--terminate");
    if (!plan.profile.run_as.empty()) add("--runas", plan.profile.run_as);
    return argv;
}

std::optional<Failure> swtpm_path_problem(const LaunchPlan& plan) {
    if (!plan.profile.tpm) return std::nullopt;
    const auto& paths = plan.paths();
    for (const auto& p : {paths.tpm_state_dir(), paths.swtpm_socket(), paths.swtpm_log()})
        if (p.find(',') != std::string::npos)
            return Failure{"swtpm cannot take a path with ',' in it: " + p,
                           "set VMRUN_STATE_DIR and VMRUN_RUNTIME_DIR to folders without ','", p};
    return std::nullopt;
}

}  // namespace vmrun
