#include "vm/load_plan.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <iostream>

#include "base/exit_codes.h"
#include "host/fs/virtiofsd_process.h"
#include "host/memory/hugepage_pool.h"
#include "host/pci/pci_bars.h"
#include "host/pci/sriov.h"
#include "host/sound/sound_server.h"
#include "host/sysfs_io.h"
#include "profile/profile_file.h"
#include "run/vm_folders.h"

namespace vmrun {

HostFacts probe_host_facts(const std::string& name) {
    HostFacts f;
    if (const char* q = std::getenv("VMRUN_QEMU")) f.qemu_binary = q;
    if (const char* s = std::getenv("VMRUN_SYSROOT"); s && *s) f.sysroot = s;
    if (const char* s = std::getenv("VMRUN_SHM_DIR"); s && *s) f.shm_dir = s;
    f.paths = vm_paths_for(name);
    f.vhost_net = access("/dev/vhost-net", R_OK | W_OK) == 0;
    return f;
}

namespace {

// What only some profiles need, read only for them: the DMI strings for
// 'smbios: host', the hugetlbfs mounts, the SR-IOV PFs and VFs they name.
void read_facts_for(HostFacts& f, const Profile& profile) {
    if (profile.smbios && profile.smbios->from_host) {
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(f.sysroot) / "sys/class/dmi/id", ec))
            if (e.is_regular_file(ec)) f.dmi[e.path().filename()] = read_first_line(e.path());
    }
    if (profile.hugepages) {
        if (auto kib = default_hugepage_kib(f.sysroot)) f.default_hugepage_kib = kib;
        std::ifstream mountinfo(std::filesystem::path(f.sysroot) / "proc/self/mountinfo");
        std::stringstream text;
        text << mountinfo.rdbuf();
        f.hugetlbfs_mounts = parse_hugetlbfs_mounts(text.str(), f.default_hugepage_kib);
    }
    read_sriov_facts(f, profile);
    if (profile.firmware.type == FirmwareType::ovmf)
        for (const auto& x : profile.passthrough) f.passthrough_mem64[x.host] = mem64_bytes(read_pci_bars(f.sysroot, x.host));
    read_audio_facts(f, profile);
    if (!profile.shared_folders.empty()) f.virtiofsd_binary = find_virtiofsd();
}

}  // namespace

LoadedPlan load_plan(const std::string& profile_path, bool print) {
    LoadedPlan out;
    auto file = read_profile_file(profile_path);
    if (!file.readable) {
        out.read_error = file.read_error;
        if (print) std::cerr << "vmrun: cannot read profile " << profile_path << ": " << file.read_error << "\n";
        out.exit_code = kExitUsage;
        return out;
    }
    auto keep = [&](const Diagnostics& d) {
        auto sorted = d.sorted();
        out.diagnostics.insert(out.diagnostics.end(), sorted.begin(), sorted.end());
    };
    keep(file.loaded.diagnostics);
    if (print) std::cerr << render_all(file);
    if (file.loaded.diagnostics.has_errors()) {
        if (print) std::cerr << "vmrun: " << profile_path << " has errors; nothing was started or changed\n";
        out.exit_code = kExitInvalidProfile;
        return out;
    }
    const auto& profile = file.loaded.profile;
    auto facts = probe_host_facts(profile.name);
    read_facts_for(facts, profile);
    auto planned = make_launch_plan(profile, facts);
    keep(planned.diagnostics);
    if (print) std::cerr << render_diagnostics(planned.diagnostics, profile_path, file.text);
    if (!planned.plan) {
        out.exit_code = kExitInvalidProfile;
        return out;
    }
    out.plan = std::move(planned.plan);
    out.profile_text = file.text;
    return out;
}

}  // namespace vmrun
