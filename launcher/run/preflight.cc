#include "run/preflight.h"

#include "host/run_command.h"

#include <unistd.h>

#include <filesystem>

#include "host/cpu/cpu_affinity.h"
#include "host/display/display_handoff.h"
#include "host/fs/virtiofsd_process.h"
#include "host/host_readings.h"
#include "host/input/evdev_devices.h"
#include "host/memory/hugepage_pool.h"
#include "host/memory/shared_memory_file.h"
#include "host/net/network_setup.h"
#include "host/sound/sound_server.h"
#include "plan/swtpm_argv.h"
#include "host/tpm/swtpm_apparmor.h"
#include "host/pci/passthrough_setup.h"
#include "host/pci/sriov.h"
#include "host/pci/vga_region.h"
#include "host/display/boot_framebuffer.h"
#include "host/requirements.h"

namespace vmrun {

namespace {
// The largest ACPI tables (a laptop's DSDT) are some hundred KiB.
constexpr uintmax_t kMaxAcpiTable = 1 << 20;
}  // namespace

namespace {

std::vector<Failure> hugepage_problems(const LaunchPlan& plan) {
    const auto& h = *plan.hugepages;
    std::error_code ec;
    bool mounted = h.private_mount || std::filesystem::exists(h.mem_path, ec);
    return hugepage_shortfall(h, read_hugepage_pool(plan.facts.sysroot, h.page_kib), mounted, plan.profile.source_file);
}

}  // namespace

std::vector<Failure> preflight(const LaunchPlan& plan, const PreflightOptions& options) {
    std::vector<Failure> out;
    const auto& p = plan.profile;
    auto missing = [&](const std::string& path, const std::string& what, const std::string& key) {
        std::error_code ec;
        if (!path.empty() && !std::filesystem::exists(path, ec))
            out.push_back({what + " " + path + " does not exist", "create it or correct '" + key + "' in " + p.source_file});
    };

    if (size_t n = plan.paths().longest_socket_path(); n > 107)
        out.push_back({"the runtime folder " + plan.paths().runtime_dir + " is too long for its sockets (" + std::to_string(n) +
                           " bytes; a unix socket path holds at most 107)",
                       "set VMRUN_RUNTIME_DIR to a shorter folder"});
    const auto& q = plan.facts.qemu_binary;
    bool found = !find_program(q).empty();
    if (!found) out.push_back(qemu_missing(q));
    if (p.accelerator == Accelerator::kvm && access("/dev/kvm", R_OK | W_OK) != 0)
        out.push_back(kvm_unusable(cpu_vendor(plan.facts.sysroot) != "AuthenticAMD", p.source_file));
    if (p.tpm) {
        const auto& s = plan.facts.swtpm_binary;
        bool there = !find_program(s).empty();
        if (!there) out.push_back(swtpm_missing(s, p.source_file));
        if (auto failure = swtpm_path_problem(plan)) out.push_back(*failure);
        if (auto failure = swtpm_apparmor_problem(plan.facts.sysroot, plan.paths().tpm_state_dir())) out.push_back(*failure);
    }
    if (p.cpu.pin) {
        auto cpus = check_pinning_cpus(plan.facts.sysroot, *p.cpu.pin, p.source_file);
        out.insert(out.end(), cpus.begin(), cpus.end());
    }
    if (plan.hugepages) {
        auto more = hugepage_problems(plan);
        out.insert(out.end(), more.begin(), more.end());
    }
    if (plan.audio) {
        auto more = sound_problems(plan);
        out.insert(out.end(), more.begin(), more.end());
    }
    if (plan.input) {
        auto more = input_problems(plan);
        out.insert(out.end(), more.begin(), more.end());
    }
    if (plan.looking_glass) {
        auto more = shared_memory_problems(plan);
        out.insert(out.end(), more.begin(), more.end());
    }
    {
        auto more = shared_folder_problems(plan);
        out.insert(out.end(), more.begin(), more.end());
    }
    if (p.kernel) {
        missing(p.kernel->image, "kernel", "kernel.image");
        missing(p.kernel->initrd, "initrd", "kernel.initrd");
    }
    for (const auto& d : p.disks) missing(d.path, "disk '" + d.id + "'", "path");
    for (const auto& x : p.passthrough) missing(x.romfile, "ROM file for " + x.host.str(), "romfile");
    for (const auto& table : p.acpi_tables) {
        std::error_code ec;
        auto status = std::filesystem::status(table, ec);
        auto size = std::filesystem::file_size(table, ec);
        if (!std::filesystem::exists(status)) missing(table, "ACPI table", "acpi_tables");
        // QEMU reads the file whole while starting: a FIFO would hang it, /dev/zero never end.
        else if (!std::filesystem::is_regular_file(status))
            out.push_back({"ACPI table " + table + " is not a regular file", "give a table file, as /sys/firmware/acpi/tables/NAME holds it"});
        else if (ec || size > kMaxAcpiTable)
            out.push_back({"ACPI table " + table + " is " + std::to_string(size) + " bytes; vmrun passes tables of at most 1 MiB",
                           "give the one table the guest needs (MSDM, SLIC: a few hundred bytes), not a whole disk or dump"});
        else if (size < 36)  // the ACPI header alone is 36 bytes
            out.push_back({"ACPI table " + table + " is " + std::to_string(size) + " bytes, shorter than an ACPI table's header",
                           "give the whole table, header included, as /sys/firmware/acpi/tables/NAME holds it"});
    }
    if (plan.firmware.type == FirmwareType::ovmf) {
        std::error_code ec;
        if (!plan.firmware.code.empty() && !std::filesystem::exists(plan.firmware.code, ec))
            out.push_back(ovmf_file_missing("OVMF code image", plan.firmware.code, "firmware.code", p.source_file));
        // The VM's own VARS, once copied, is what QEMU gets: the template matters only before.
        if (!std::filesystem::exists(plan.firmware.vars, ec) && !plan.firmware.vars_template.empty() &&
            !std::filesystem::exists(plan.firmware.vars_template, ec))
            out.push_back(ovmf_file_missing("OVMF VARS template", plan.firmware.vars_template, "firmware.vars_template", p.source_file));
    }
    if (!p.passthrough.empty()) {
        for (const auto& x : p.passthrough)
            if (x.x_vga && !x.vf)
                if (auto vga = vga_region_problem(plan.facts.sysroot, x.host, p.source_file)) out.push_back(*vga);
        // With host_display the handover releases the framebuffer, and checks it did.
        if (!p.host_display)
            for (const auto& x : p.passthrough)
                if (auto claims = read_framebuffer_claims(plan.facts.sysroot, x.host); !claims.empty())
                    out.push_back(framebuffer_in_bar(x.host, claims, p.source_file));
        auto sriov = sriov_problems(plan);
        out.insert(out.end(), sriov.begin(), sriov.end());
        auto more = inspect_passthrough(plan.facts.sysroot, existing_passthrough_addresses(plan))
                        .problems(options.force_bind, p.host_display.has_value());
        out.insert(out.end(), more.begin(), more.end());
        if (p.host_display) {
            auto display = display_handoff_problems(plan);
            out.insert(out.end(), display.begin(), display.end());
        }
    }
    auto network = check_taps(tap_requests(plan));
    out.insert(out.end(), network.begin(), network.end());
    return out;
}

}  // namespace vmrun
