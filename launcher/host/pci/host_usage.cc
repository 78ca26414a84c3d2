#include "host/pci/host_usage.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <fstream>
#include <set>
#include <sstream>

#include "host/sysfs_io.h"

namespace fs = std::filesystem;

namespace vmrun {

namespace {

// Net interfaces and drm cards below the PCI device.
struct ChildNames {
    std::vector<std::string> net, drm;
};

ChildNames child_names(const fs::path& dev) {
    ChildNames out;
    for_each_folder_below(dev, 8, [&](const fs::path& dir) {
        auto name = dir.filename().string();
        auto parent = dir.parent_path().filename().string();
        if (parent == "net") out.net.push_back(name);
        else if (parent == "drm" && (name.rfind("card", 0) == 0 || name.rfind("renderD", 0) == 0)) out.drm.push_back(name);
    });
    return out;
}

bool default_route_via(const std::string& sysroot, const std::string& iface) {
    std::ifstream route(fs::path(sysroot) / "proc/net/route");
    std::string line;
    std::getline(route, line);
    while (std::getline(route, line)) {
        std::istringstream in(line);
        std::string name, dest;
        if (in >> name >> dest && name == iface && dest == "00000000") return true;
    }
    std::ifstream route6(fs::path(sysroot) / "proc/net/ipv6_route");
    while (std::getline(route6, line)) {
        std::istringstream in(line);
        std::string dest, len, field, last;
        if (!(in >> dest >> len)) continue;
        while (in >> field) last = field;
        if (dest == std::string(32, '0') && len == "00" && last == iface) return true;
    }
    return false;
}

}  // namespace


DisplayNodes display_nodes_of(const std::string& sysroot, const PciAddress& address) {
    DisplayNodes out;
    auto dev = pci_device_dir(sysroot, address);
    for (const auto& d : child_names(dev).drm) out.dri.insert("/dev/dri/" + d);
    out.nvidia = symlink_name(dev / "driver") == "nvidia";
    if (out.nvidia) {
        std::ifstream info(fs::path(sysroot) / "proc/driver/nvidia/gpus" / address.str() / "information");
        std::ostringstream text;
        text << info.rdbuf();
        if (auto minor = parse_nvidia_minor(text.str()); !minor.empty()) out.nvidia_node = "/dev/nvidia" + minor;
    }
    return out;
}

std::string parse_nvidia_minor(std::string_view information) {
    std::istringstream info{std::string(information)};
    std::string out;
    for (std::string line; std::getline(info, line);)
        if (line.rfind("Device Minor:", 0) == 0) {
            auto start = line.find_first_not_of(" \t", 13);
            if (start == std::string::npos) continue;  // nothing after the colon
            auto minor = line.substr(start);
            if (minor.find_first_not_of("0123456789") == std::string::npos) out = minor;
        }
    return out;
}

HostUseFinder::HostUseFinder(std::string sysroot, ExclusiveOpenCheck exclusive_open)
    : sysroot_(std::move(sysroot)),
      exclusive_open_(std::move(exclusive_open)),
      handles_(OpenHandles::read(sysroot_)),
      block_users_(BlockUsers::read(sysroot_)) {}

HostUseFinder::Found HostUseFinder::find(const PciFunction& f) const {
    Found out;
    if (f.driver == "vfio-pci") return out;  // the host already let go of it
    auto dev = pci_device_dir(sysroot_, f.address);
    auto a = f.address.str();

    if (f.boot_vga.value_or(false)) {
        std::error_code ec;
        for (const auto& vt : fs::directory_iterator(fs::path(sysroot_) / "sys/class/vtconsole", ec)) {
            auto name = read_first_line(vt.path() / "name");
            if (read_first_line(vt.path() / "bind") != "1" || name.find("dummy") != std::string::npos) continue;
            auto vtcon = vt.path().filename().string();
            out.uses.push_back(host_use(f.address, a + " is the boot GPU and the host console is on it (" + vtcon + ": " + name + ")",
                                "make another GPU the primary one in the firmware settings, or release the console first "
                                "(echo 0 > /sys/class/vtconsole/" + vtcon + "/bind, and boot with video=efifb:off), let vmrun hand it "
                                "over (host_display: handoff), " + force_bind_hint(HostUseKind::console), HostUseKind::console));
            break;
        }
    }

    add_block_uses(f, out);

    auto children = child_names(dev);
    for (const auto& n : children.net)
        if (default_route_via(sysroot_, n))
            out.uses.push_back(host_use(f.address, a + " is " + n + ", the interface of the host's default route",
                                "route the host through another interface first (taking it would cut this session off), " +
                                    force_bind_hint(HostUseKind::default_route), HostUseKind::default_route));

    auto nodes = display_nodes_of(sysroot_, f.address);
    auto holds = handles_.holding([&](const std::string& t) { return nodes.matches(t); });
    for (const auto& h : holds)
        out.uses.push_back(host_use(f.address, a + " is in use: " + h,
                            "stop that program (a display server, a CUDA job, nvidia-persistenced) first, " +
                                force_bind_hint(HostUseKind::gpu_holders), HostUseKind::gpu_holders));
    return out;
}

// Every block device of the function, each named by the tables when they can
// and asked of the kernel in any case: a claim the tables do not explain
// (a lazily unmounted filesystem, ZFS, a mount hidden in a namespace that
// has no process left) is still a refusal.
void HostUseFinder::add_block_uses(const PciFunction& f, Found& out) const {
    auto a = f.address.str();
    auto stack = block_devices_of(sysroot_, pci_device_dir(sysroot_, f.address));
    std::set<std::string> said;
    for (const auto& d : stack) {
        if (d.dev.empty()) {
            bool reached = std::any_of(stack.begin(), stack.end(), [&](const BlockDevice& x) { return x.below == d.name; });
            if (!reached)
                out.unverified.push_back(host_use(f.address, a + ": " + d.name + " has no device node and no namespace head was found for it",
                                          "check with lsblk what the host uses it for before passing " + a + " through"));
            continue;
        }
        auto uses = block_users_.uses_of(d, stack, handles_);
        for (const auto& u : uses)
            if (said.insert(u.what).second) out.uses.push_back(host_use(f.address, a + " " + u.what, u.fix, HostUseKind::disk));
        auto answer = exclusive_open_(d);
        if (answer.claim == Claim::busy && uses.empty()) {
            auto contents = block_users_.udev_contents(d);
            out.uses.push_back(host_use(f.address,
                                a + ": the kernel reports " + d.describe() + " in use (an exclusive open fails with EBUSY)" +
                                    (contents.empty() ? "" : "; udev says it holds " + contents) +
                                    ", and no mount, swap or holder in this namespace explains it",
                                "find what claims it (a lazily unmounted filesystem still in use, a mount in a container, "
                                "a ZFS pool — zpool export it — or btrfs) and release it, " + force_bind_hint(HostUseKind::disk),
                                HostUseKind::disk));
        } else if (answer.claim == Claim::unknown) {
            out.unverified.push_back(host_use(f.address, a + ": cannot ask the kernel whether " + d.describe() + " is in use: " + answer.detail,
                                      "make sure nothing uses it (lsblk, swapon --show) before passing " + a + " through"));
        }
    }
}

}  // namespace vmrun
