// libFuzzer target: any bytes as a profile, through the whole pure pipeline.
// Invariants: nothing aborts; a profile that validates yields an argv; every
// diagnostic renders; every argv element is valid UTF-8 (it may reach JSON).

#include <cstdint>
#include <cstdlib>
#include <string>

#include "base/utf8.h"
#include "plan/launch_plan.h"
#include "plan/qemu_argv.h"
#include "profile/diagnostics.h"
#include "profile/profile_checks.h"
#include "profile/profile_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto loaded = vmrun::load_profile(text, "fuzz.yaml", "/vm");
    vmrun::complete_and_check_profile(loaded.profile, loaded.diagnostics);
    auto rendered = vmrun::render_diagnostics(loaded.diagnostics, "fuzz.yaml", text);
    if (loaded.diagnostics.has_errors()) {
        if (rendered.empty()) std::abort();  // refused, so it must say why
        return 0;
    }
    vmrun::HostFacts facts;
    facts.paths = {loaded.profile.name, "/run/vmrun/" + loaded.profile.name, "/var/lib/vmrun/" + loaded.profile.name};
    auto planned = vmrun::make_launch_plan(loaded.profile, facts);
    if (!planned.plan) {
        if (!planned.diagnostics.has_errors()) std::abort();  // no plan and no reason
        return 0;
    }
    auto argv = vmrun::build_qemu_argv(*planned.plan);
    if (argv.empty()) std::abort();  // validate accepted, so dry-run must print an argv
    for (const auto& a : argv)
        if (vmrun::first_invalid_utf8(a) != std::string::npos) std::abort();
    return 0;
}
