#include "host/block/block_users.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "host/pci/host_usage.h"
#include "host/sysfs_io.h"

namespace fs = std::filesystem;

namespace vmrun {

namespace {

const std::string kForce = force_bind_hint(HostUseKind::disk);

// Mount tables escape blanks as \040 and friends.
std::string unescape(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isdigit(static_cast<unsigned char>(s[i + 2])) && std::isdigit(static_cast<unsigned char>(s[i + 3]))) {
            out += char((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::string ns_of(const fs::path& pid_dir) {
    std::error_code ec;
    auto link = fs::read_symlink(pid_dir / "ns/mnt", ec);
    return ec ? std::string() : link.string();
}

std::string dev_of_node(const fs::path& node) {
    struct stat st {};
    if (::stat(node.c_str(), &st) != 0 || !S_ISBLK(st.st_mode)) return "";
    return std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev));
}

bool named(const BlockDevice& d, const std::string& name, const std::string& dev) {
    if (!d.dev.empty() && dev == d.dev) return true;
    auto names = d.node_names();
    return std::find(names.begin(), names.end(), name) != names.end();
}

std::string holder_fix(const BlockDevice& h) {
    const auto& k = h.holder_kind;
    if (k.rfind("LVM volume", 0) == 0)
        return "deactivate the volume group first (vgchange -an VG; the volume is " + h.dm_name + "), " + kForce;
    if (k.rfind("LUKS", 0) == 0) return "close the mapping first (cryptsetup close " + h.dm_name + "), " + kForce;
    if (k.rfind("dm-multipath", 0) == 0) return "flush the map first (multipath -f " + h.dm_name + "), " + kForce;
    if (k.rfind("md RAID", 0) == 0)
        return "stop the array (mdadm --stop /dev/" + h.name + ") or take this member out of it first, " + kForce;
    if (k.rfind("bcache", 0) == 0) return "stop the bcache device first (echo 1 > /sys/block/" + h.name + "/bcache/stop), " + kForce;
    if (!h.dm_name.empty()) return "remove the mapping first (dmsetup remove " + h.dm_name + "), " + kForce;
    return "release " + h.name + " first, " + kForce;
}

}  // namespace

bool parse_mountinfo_line(const std::string& line, std::string& dev, std::string& target, std::string& fstype,
                          std::string& source) {
    std::istringstream in(line);
    std::string id, parent, root, options, field;
    if (!(in >> id >> parent >> dev >> root >> target >> options)) return false;
    while (in >> field && field != "-") {
    }
    if (field != "-" || !(in >> fstype >> source)) return false;
    target = unescape(target);
    source = unescape(source);
    return true;
}

BlockUsers BlockUsers::read(const std::string& sysroot) {
    BlockUsers out;
    out.sysroot_ = sysroot;
    fs::path proc = fs::path(sysroot) / "proc";
    auto read_mounts = [&](const fs::path& file, const std::string& holder) {
        std::ifstream in(file);
        std::string line, dev, target, fstype, source;
        while (std::getline(in, line))
            if (parse_mountinfo_line(line, dev, target, fstype, source)) out.mounts_.push_back({dev, source, target, fstype, holder});
    };
    read_mounts(proc / "self/mountinfo", "");

    // Every other mount namespace once, through the first process found in it.
    std::set<std::string> namespaces{ns_of(proc / "self")};
    std::error_code ec;
    std::vector<fs::path> pids;
    for (const auto& e : fs::directory_iterator(proc, ec)) {
        auto name = e.path().filename().string();
        if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) pids.push_back(e.path());
    }
    std::sort(pids.begin(), pids.end(), [](const fs::path& a, const fs::path& b) {
        return std::stoull(a.filename().string()) < std::stoull(b.filename().string());
    });
    for (const auto& pid : pids) {
        auto ns = ns_of(pid);
        if (ns.empty() || !namespaces.insert(ns).second) continue;
        read_mounts(pid / "mountinfo",
                    "pid " + pid.filename().string() + " (" + read_first_line(pid / "comm") + ")");
    }

    std::ifstream swaps(proc / "swaps");
    std::string line;
    std::getline(swaps, line);  // header
    while (std::getline(swaps, line)) {
        std::istringstream in(line);
        std::string name;
        if (!(in >> name)) continue;
        name = unescape(name);
        out.swaps_.push_back({name, dev_of_node(fs::path(sysroot) / fs::path(name).relative_path())});
    }
    return out;
}

std::vector<Failure> BlockUsers::uses_of(const BlockDevice& d, const std::vector<BlockDevice>& stack,
                                          const OpenHandles& handles) const {
    std::vector<Failure> out;
    if (d.dev.empty()) return out;
    auto where = d.describe();
    bool mounted_here = std::any_of(mounts_.begin(), mounts_.end(),
                                    [&](const Mount& m) { return m.holder.empty() && named(d, m.source, m.dev); });
    for (const auto& m : mounts_) {
        // A container usually sees the host's own mounts too; name another
        // namespace only for what this one does not show.
        if (!named(d, m.source, m.dev) || (mounted_here && !m.holder.empty())) continue;
        if (m.holder.empty())
            out.push_back({"holds a mounted filesystem: " + m.target + " on " + where,
                           "unmount it first (umount " + m.target + "); the disk holding / cannot be passed to a VM, " + kForce});
        else
            out.push_back({"holds a filesystem mounted at " + m.target + " in another mount namespace (that of " + m.holder +
                               ") on " + where,
                           "unmount it there (nsenter -t " + m.holder.substr(4, m.holder.find(' ', 4) - 4) + " -m umount " +
                               m.target + ") or stop that container or service first, " + kForce});
    }
    for (const auto& s : swaps_)
        if (named(d, s.name, s.dev))
            out.push_back({"holds active swap: " + where, "swapoff " + s.name + " first (and take it out of /etc/fstab), " + kForce});
    for (const auto& h : stack)
        if (h.relation == "holder" && h.below == d.name)
            out.push_back({"is claimed by " + h.holder_kind + " (/dev/" + h.name + "): " + where, holder_fix(h)});
    auto names = d.node_names();
    for (const auto& p : handles.holding([&](const std::string& node) {
             return std::find(names.begin(), names.end(), node) != names.end();
         }))
        out.push_back({"is in use: " + p + " (" + where + ")", "stop that program first, " + kForce});
    return out;
}

std::string BlockUsers::udev_contents(const BlockDevice& d) const {
    std::ifstream in(fs::path(sysroot_) / "run/udev/data" / ("b" + d.dev));
    std::string line, type, label;
    while (std::getline(in, line)) {
        if (line.rfind("E:ID_FS_TYPE=", 0) == 0) type = line.substr(13);
        if (line.rfind("E:ID_FS_LABEL=", 0) == 0) label = line.substr(14);
    }
    if (type.empty()) return "";
    if (type == "zfs_member") return "a ZFS pool member" + (label.empty() ? "" : " (pool " + label + ")");
    if (type == "btrfs") return "a btrfs filesystem" + (label.empty() ? "" : " (" + label + ")") + ", perhaps a member of a multi-device one";
    if (type == "linux_raid_member") return "an md RAID member" + (label.empty() ? "" : " (" + label + ")");
    if (type == "LVM2_member") return "an LVM physical volume";
    if (type == "bcache") return "a bcache backing or cache device";
    return "a " + type + " filesystem" + (label.empty() ? "" : " (" + label + ")");
}

}  // namespace vmrun
