#include "host/pci/host_usage.h"

#include <filesystem>
#include <functional>
#include <fstream>
#include <set>
#include <sstream>

#include "host/sysfs_io.h"

namespace fs = std::filesystem;

namespace vmrun {

namespace {

const char* kForce = "or, if you are sure, pass --force-bind";

fs::path device_dir(const std::string& sysroot, const PciAddress& a) {
    return fs::path(sysroot) / "sys/bus/pci/devices" / a.str();
}

// Class-device names below the PCI device: block disks and partitions
// (nvme0n1, nvme0n1p2, sda1), net interfaces, drm cards. Does not follow
// symlinks, so it never wanders to other devices.
struct ChildNames {
    std::vector<fs::path> block;
    std::vector<std::string> net, drm;
};

ChildNames child_names(const fs::path& dev) {
    ChildNames out;
    std::error_code ec;
    fs::recursive_directory_iterator it(dev, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        if (it.depth() > 8) {
            it.disable_recursion_pending();
            continue;
        }
        std::error_code ec2;
        if (!it->is_directory(ec2) || it->is_symlink(ec2)) continue;
        auto name = it->path().filename().string();
        auto parent = it->path().parent_path().filename().string();
        if (parent == "net") out.net.push_back(name);
        else if (parent == "drm" && (name.rfind("card", 0) == 0 || name.rfind("renderD", 0) == 0)) out.drm.push_back(name);
        else if (fs::exists(it->path() / "dev", ec2) &&
                 (parent == "block" || fs::exists(it->path() / "partition", ec2) || fs::exists(it->path() / "queue", ec2)))
            out.block.push_back(it->path());
    }
    return out;
}

// Device-mapper/md devices stacked on a disk (LVM, LUKS, RAID), by their /dev names.
void add_holders(const std::string& sysroot, const fs::path& block, std::set<std::string>& names) {
    std::error_code ec;
    for (const auto& h : fs::directory_iterator(block / "holders", ec)) {
        auto holder = h.path().filename().string();
        names.insert("/dev/" + holder);
        auto dm = read_first_line(fs::path(sysroot) / "sys/block" / holder / "dm/name");
        if (!dm.empty()) names.insert("/dev/mapper/" + dm);
    }
}

// Mount points and swap whose source is one of `sources`.
std::vector<std::string> mounted_from(const std::string& sysroot, const std::set<std::string>& sources) {
    std::vector<std::string> out;
    std::ifstream mounts(fs::path(sysroot) / "proc/mounts");
    std::string src, target, rest;
    while (mounts >> src >> target && std::getline(mounts, rest))
        if (sources.count(src)) out.push_back(target + " (" + src + ")");
    std::ifstream swaps(fs::path(sysroot) / "proc/swaps");
    std::getline(swaps, rest);  // header
    while (swaps >> src && std::getline(swaps, rest))
        if (sources.count(src)) out.push_back("swap (" + src + ")");
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

// Processes holding a /dev node for which `matches` is true: "pid 812 (Xorg) has /dev/dri/card1 open".
std::vector<std::string> open_handles(const std::string& sysroot, const std::function<bool(const std::string&)>& matches) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& proc : fs::directory_iterator(fs::path(sysroot) / "proc", ec)) {
        auto pid = proc.path().filename().string();
        if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
        std::error_code ec2;
        std::set<std::string> held;
        for (const auto& fd : fs::directory_iterator(proc.path() / "fd", ec2)) {
            std::error_code ec3;
            auto target = fs::read_symlink(fd.path(), ec3).string();
            if (!ec3 && matches(target)) held.insert(target);
        }
        for (const auto& h : held) out.push_back("pid " + pid + " (" + read_first_line(proc.path() / "comm") + ") has " + h + " open");
    }
    return out;
}

}  // namespace

std::vector<HostUse> find_host_uses(const std::string& sysroot, const PciFunction& f) {
    std::vector<HostUse> out;
    if (f.driver == "vfio-pci") return out;  // the host already let go of it
    auto dev = device_dir(sysroot, f.address);
    auto a = f.address.str();

    if (f.boot_vga.value_or(false)) {
        std::error_code ec;
        for (const auto& vt : fs::directory_iterator(fs::path(sysroot) / "sys/class/vtconsole", ec)) {
            auto name = read_first_line(vt.path() / "name");
            if (read_first_line(vt.path() / "bind") != "1" || name.find("dummy") != std::string::npos) continue;
            auto vtcon = vt.path().filename().string();
            out.push_back({f.address, a + " is the boot GPU and the host console is on it (" + vtcon + ": " + name + ")",
                           "make another GPU the primary one in the firmware settings, or release the console first "
                           "(echo 0 > /sys/class/vtconsole/" + vtcon + "/bind, and boot with video=efifb:off), " + kForce});
            break;
        }
    }

    auto children = child_names(dev);
    std::set<std::string> sources;
    for (const auto& b : children.block) {
        sources.insert("/dev/" + b.filename().string());
        add_holders(sysroot, b, sources);
    }
    for (const auto& m : mounted_from(sysroot, sources))
        out.push_back({f.address, a + " holds a mounted filesystem: " + m,
                       "unmount it (and swapoff) first; the disk holding / cannot be passed to a VM, " + std::string(kForce)});

    for (const auto& n : children.net)
        if (default_route_via(sysroot, n))
            out.push_back({f.address, a + " is " + n + ", the interface of the host's default route",
                           "route the host through another interface first (taking it would cut this session off), " +
                               std::string(kForce)});

    std::set<std::string> nodes;
    for (const auto& d : children.drm) nodes.insert("/dev/dri/" + d);
    bool nvidia = f.driver == "nvidia";
    auto holds = open_handles(sysroot, [&](const std::string& t) {
        return nodes.count(t) || (nvidia && t.rfind("/dev/nvidia", 0) == 0);
    });
    for (const auto& h : holds)
        out.push_back({f.address, a + " is in use: " + h,
                       "stop that program (a display server, a CUDA job, nvidia-persistenced) first, " + std::string(kForce)});
    return out;
}

}  // namespace vmrun
