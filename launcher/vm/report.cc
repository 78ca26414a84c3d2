#include "vm/report.h"

#include <sys/stat.h>
#include <sys/utsname.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "host/host_check.h"
#include "host/run_command.h"
#include "host/sysfs_io.h"
#include "plan/qemu_argv.h"
#include "plan/shell_quote.h"
#include "run/profile_snapshot.h"
#include "host/log_tail.h"
#include "vm/host_check_report.h"
#include "vm/load_plan.h"
#include "vm/report_text.h"

namespace fs = std::filesystem;

namespace vmrun {

namespace {

class Writer {
public:
    Writer(const ReportRequest& r, Report& out) : r_(r), out_(out) {}

    void file(const std::string& name, const std::string& what, std::string text) {
        if (!r_.keep_macs) text = without_macs(text);
        std::ofstream f(fs::path(out_.folder) / name);
        f << text;
        out_.files.push_back({name, what});
    }
    void copy(const std::string& name, const std::string& what, const std::string& from, size_t last_lines = 0) {
        std::error_code ec;
        if (!fs::exists(from, ec)) {
            out_.left_out.push_back(name + ": " + from + " does not exist");
            return;
        }
        file(name, what + (last_lines ? " (its last " + std::to_string(last_lines) + " lines)" : ""), read_last_lines(from, last_lines));
    }

private:
    const ReportRequest& r_;
    Report& out_;
};

std::string versions(const ReportRequest& r, const std::string& qemu_binary) {
    std::string out = "vmrun " + r.vmrun_version + "\n";
    auto qemu = run_command({qemu_binary, "--version"}, std::chrono::seconds(10));
    out += qemu.ok() ? qemu.output : qemu_binary + ": " + qemu.describe() + "\n";
    struct utsname u {};
    if (::uname(&u) == 0) out += std::string("kernel: ") + u.sysname + " " + u.release + " " + u.version + " " + u.machine + "\n";
    std::ifstream os("/etc/os-release");
    std::string line;
    while (std::getline(os, line))
        if (line.rfind("PRETTY_NAME=", 0) == 0) out += "distribution: " + line.substr(12) + "\n";
    return out;
}

// The state a passed function is in, as sysfs says: what a black screen or
// a stuck device is diagnosed from.
std::string device_state(const std::string& sysroot, const std::string& address) {
    auto dir = fs::path(sysroot) / "sys/bus/pci/devices" / address;
    std::error_code ec;
    if (!fs::exists(dir, ec)) return address + ": not in sysfs (removed, or a wrong address)\n";
    std::string out = address + ":\n";
    auto show = [&](const std::string& key, const std::string& value) { out += "  " + key + ": " + (value.empty() ? "-" : value) + "\n"; };
    show("vendor:device", read_first_line(dir / "vendor") + ":" + read_first_line(dir / "device"));
    show("class", read_first_line(dir / "class"));
    show("driver", symlink_name(dir / "driver"));
    show("driver_override", read_first_line(dir / "driver_override"));
    show("iommu_group", symlink_name(dir / "iommu_group"));
    show("reset_method", read_first_line(dir / "reset_method"));
    show("power_state", read_first_line(dir / "power_state"));
    show("d3cold_allowed", read_first_line(dir / "d3cold_allowed"));
    show("enable", read_first_line(dir / "enable"));
    show("boot_vga", read_first_line(dir / "boot_vga"));
    show("numa_node", read_first_line(dir / "numa_node"));
    show("current_link", read_first_line(dir / "current_link_speed") + " x" + read_first_line(dir / "current_link_width"));
    return out;
}

std::string kernel_log(const std::string& sysroot) {
    // A simulated host keeps its kernel log where distributions write the boot's.
    if (sysroot != "/") return read_last_lines(fs::path(sysroot) / "var/log/dmesg");
    auto r = run_command({"dmesg"}, std::chrono::seconds(10));
    return r.ok() ? r.output : "";
}

}  // namespace

std::string profile_of(const VmPaths& vm) {
    if (auto snapshot = read_profile_snapshot(vm)) return snapshot->path;
    std::error_code ec;
    auto installed = "/etc/vmrun/" + vm.name + ".yaml";
    return fs::exists(installed, ec) ? installed : "";
}

Report write_report(const ReportRequest& r) {
    Report out;
    char stamp[32];
    std::time_t now = std::time(nullptr);
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
    out.folder = (fs::path(r.output_dir) / ("vmrun-report-" + r.vm.name + "-" + stamp)).string();
    // 0700: logs and a profile are the user's business until they attach them.
    if (::mkdir(out.folder.c_str(), 0700) != 0) {
        out.failure = Failure{"cannot create " + out.folder + ": " + std::strerror(errno), "give a writable folder with --output", out.folder};
        return out;
    }
    Writer w(r, out);

    std::optional<LaunchPlan> plan;
    if (!r.profile_path.empty()) {
        auto loaded = load_plan(r.profile_path, false);
        if (loaded.read_error.empty()) w.file("profile.yaml", "the profile (" + r.profile_path + ")", loaded.profile_text);
        else out.left_out.push_back("profile.yaml: " + loaded.read_error);
        if (loaded.plan) {
            plan = std::move(loaded.plan);
            w.file("qemu-argv.txt", "the QEMU command vmrun builds from it", shell_join(build_qemu_argv(*plan)) + "\n");
        } else if (loaded.read_error.empty()) {
            std::string problems;
            for (const auto& d : loaded.diagnostics) problems += d.headline(r.profile_path) + "\n";
            w.file("profile-problems.txt", "why the profile does not make a plan", problems);
        }
    } else {
        out.left_out.push_back("profile.yaml, qemu-argv.txt, devices.txt: no profile given or found (give its path: vmrun report PROFILE)");
    }
    auto facts = plan ? plan->facts : probe_host_facts(r.vm.name);
    const auto& qemu_binary = facts.qemu_binary;
    const auto& sysroot = facts.sysroot;
    w.file("versions.txt", "vmrun, QEMU, kernel and distribution", versions(r, qemu_binary));

    std::string check;
    for (const auto& l : check_host_for(plan ? &*plan : nullptr, sysroot)) {
        check += std::string(verdict_name(l.verdict)) + "  " + l.topic + ": " + l.text + "\n";
        if (!l.fix.empty() && l.verdict != Verdict::pass) check += "      fix: " + l.fix + "\n";
    }
    w.file("check.txt", "vmrun check" + (plan ? " of the profile" : std::string(" of the host")), check);

    std::vector<std::string> addresses;
    if (plan) {
        std::string devices;
        for (const auto& x : plan->passthrough) {
            addresses.push_back(x.device.host.str());
            devices += device_state(sysroot, x.device.host.str());
        }
        if (!addresses.empty()) w.file("devices.txt", "each passed function's sysfs state", devices);
    }
    w.file("kernel-cmdline.txt", "the kernel command line", read_last_lines(fs::path(sysroot) / "proc/cmdline"));
    auto dmesg = kernel_log(sysroot);
    if (dmesg.empty()) out.left_out.push_back("kernel-log.txt: the kernel log could not be read (dmesg needs root or kernel.dmesg_restrict=0)");
    else {
        std::string lines;
        for (const auto& l : relevant_kernel_lines(dmesg, addresses)) lines += l + "\n";
        if (lines.empty()) lines = "(no line of the kernel log speaks of vfio, the IOMMU, resets, framebuffers or the passed devices)\n";
        w.file("kernel-log.txt", "the kernel log's lines on vfio, the IOMMU, resets, framebuffers and the passed devices", lines);
    }
    w.copy("vmrun.log", "the VM's log", r.vm.log_file(), 2000);
    w.copy("console.log", "the guest's serial console of its last boot", r.vm.console_log(), 500);
    w.copy("last-exit.json", "how the last run ended, and what its teardown gave back", r.vm.last_exit_file());
    std::error_code ec;
    if (fs::exists(r.vm.journal_file(), ec)) w.copy("journal", "host changes not yet undone (vmrun restore NAME undoes them)", r.vm.journal_file());

    std::string readme = "vmrun report of " + r.vm.name + ", " + stamp + "\n\n";
    for (const auto& f : out.files) readme += f.name + ": " + f.what + "\n";
    if (!out.left_out.empty()) readme += "\nleft out:\n";
    for (const auto& l : out.left_out) readme += "  " + l + "\n";
    readme += r.keep_macs ? "\nMAC addresses are kept (--keep-macs).\n" : "\nMAC addresses are shown as xx:xx:xx:xx:xx:xx.\n";
    readme += "No cookie or key file is copied.\n";
    std::ofstream(fs::path(out.folder) / "README.txt") << readme;
    return out;
}

}  // namespace vmrun
