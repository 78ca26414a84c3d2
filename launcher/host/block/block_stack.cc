#include "host/block/block_stack.h"

#include <regex>
#include <set>

#include "host/sysfs_io.h"

namespace fs = std::filesystem;

namespace vmrun {

namespace {

bool present(const fs::path& p) {
    std::error_code ec;
    return fs::exists(p, ec);
}

// A block device's sysfs folder: its subsystem link says "block" (what the
// kernel writes), or it has a dev number and a disk's or partition's files.
bool is_block_dir(const fs::path& dir) {
    if (symlink_name(dir / "subsystem") == "block") return true;
    if (!present(dir / "dev")) return false;
    return dir.parent_path().filename() == "block" || present(dir / "partition") || present(dir / "queue");
}

fs::path canonical_or_empty(const fs::path& p) {
    std::error_code ec;
    auto c = fs::canonical(p, ec);
    return ec ? fs::path() : c;
}

// The disks below the function; a partition is found with its disk (it sits inside it).
std::vector<fs::path> block_dirs_below(const fs::path& root) {
    std::vector<fs::path> out;
    for_each_folder_below(root, 8, [&](const fs::path& dir) {
        if (is_block_dir(dir)) out.push_back(dir);
    });
    return out;
}

std::string holder_kind(const fs::path& dir, const std::string& name, const std::string& dm_name) {
    if (!dm_name.empty()) {
        auto uuid = read_first_line(dir / "dm/uuid");
        if (uuid.rfind("LVM-", 0) == 0) return "LVM volume " + dm_name;
        if (uuid.rfind("CRYPT-", 0) == 0) return "LUKS/dm-crypt mapping " + dm_name;
        if (uuid.rfind("mpath-", 0) == 0) return "dm-multipath map " + dm_name;
        return "device-mapper device " + dm_name;
    }
    if (present(dir / "md")) {
        auto level = read_first_line(dir / "md/level");
        return "md RAID " + name + (level.empty() ? "" : " (" + level + ")");
    }
    if (name.rfind("bcache", 0) == 0) return "bcache device " + name;
    return name;
}

class Collector {
public:
    explicit Collector(std::string sysroot) : sysroot_(std::move(sysroot)) {}

    void add(const fs::path& dir, const std::string& below, const std::string& relation) {
        auto name = dir.filename().string();
        if (!seen_.insert(name).second || out_.size() > 512) return;
        BlockDevice d;
        d.name = name;
        d.dev = read_first_line(dir / "dev");
        d.dir = dir;
        d.below = below;
        d.relation = relation;
        d.dm_name = read_first_line(dir / "dm/name");
        if (relation == "holder") d.holder_kind = holder_kind(dir, name, d.dm_name);
        out_.push_back(d);
        follow(d);
    }

    std::vector<BlockDevice> take() { return std::move(out_); }

private:
    void follow(const BlockDevice& d) {
        if (d.dev.empty()) add_namespace_head(d);
        std::error_code ec;
        // Partitions of a disk found outside the function (a namespace head).
        for (const auto& e : fs::directory_iterator(d.dir, ec)) {
            std::error_code ec2;
            if (e.is_directory(ec2) && !e.is_symlink(ec2) && present(e.path() / "partition"))
                add(e.path(), d.name, "partition");
        }
        for (const auto& h : fs::directory_iterator(d.dir / "holders", ec)) {
            auto name = h.path().filename().string();
            auto dir = canonical_or_empty(fs::path(sysroot_) / "sys/class/block" / name);
            if (dir.empty()) dir = canonical_or_empty(h.path());
            if (!dir.empty()) add(dir, d.name, "holder");
        }
    }

    // Native NVMe multipath: the controller's path device nvmeScCnN has no
    // node; the host uses the subsystem's head nvmeSnN. It is the head only
    // if its subsystem links to this path's controller.
    void add_namespace_head(const BlockDevice& path) {
        static const std::regex kPath(R"(nvme(\d+)c\d+n(\d+))");
        std::smatch m;
        if (!std::regex_match(path.name, m, kPath)) return;
        auto head = canonical_or_empty(fs::path(sysroot_) / "sys/class/block" / ("nvme" + m[1].str() + "n" + m[2].str()));
        auto controller = canonical_or_empty(path.dir.parent_path());
        if (head.empty() || controller.empty()) return;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(head.parent_path(), ec))
            if (e.is_symlink() && canonical_or_empty(e.path()) == controller) {
                add(head, path.name, "namespace head");
                return;
            }
    }

    std::string sysroot_;
    std::set<std::string> seen_;
    std::vector<BlockDevice> out_;
};

}  // namespace

std::vector<std::string> BlockDevice::node_names() const {
    std::vector<std::string> out;
    if (dev.empty()) return out;
    out.push_back("/dev/" + name);
    if (!dm_name.empty()) out.push_back("/dev/mapper/" + dm_name);
    return out;
}

std::string BlockDevice::describe() const {
    std::string node = dm_name.empty() ? "/dev/" + name : "/dev/mapper/" + dm_name;
    if (relation == "disk" || below.empty()) return node;
    if (relation == "partition") return node + " (partition of " + below + ")";
    if (relation == "namespace head") {
        auto subsystem = dir.parent_path().filename().string();
        return node + " (namespace of NVMe subsystem " + subsystem + ", reached through " + below + ")";
    }
    return node + " (" + holder_kind + " on " + below + ")";
}

std::vector<BlockDevice> block_devices_of(const std::string& sysroot, const fs::path& pci_function_dir) {
    Collector c(sysroot);
    for (const auto& dir : block_dirs_below(pci_function_dir))
        c.add(dir, "", present(dir / "partition") ? "partition" : "disk");
    return c.take();
}

}  // namespace vmrun
