#include "host/open_handles.h"

#include <filesystem>
#include <set>

#include "host/sysfs_io.h"

namespace fs = std::filesystem;

namespace vmrun {

OpenHandles OpenHandles::read(const std::string& sysroot) {
    OpenHandles out;
    fs::path proc = fs::path(sysroot) / "proc";
    std::error_code ec;
    auto self = fs::read_symlink(proc / "self", ec).string();  // "" in a simulated tree
    for (const auto& entry : fs::directory_iterator(proc, ec)) {
        auto pid = entry.path().filename().string();
        if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos || pid == self) continue;
        std::set<std::string> held;
        std::error_code ec2;
        for (const auto& fd : fs::directory_iterator(entry.path() / "fd", ec2)) {
            std::error_code ec3;
            auto target = fs::read_symlink(fd.path(), ec3).string();
            if (!ec3 && target.rfind("/dev/", 0) == 0) held.insert(target);
        }
        if (held.empty()) continue;
        auto comm = read_first_line(entry.path() / "comm");
        for (const auto& node : held) out.by_node_[node].push_back({pid, comm});
    }
    return out;
}

std::vector<OpenHandles::Holding> OpenHandles::holders(const std::function<bool(const std::string&)>& matches) const {
    std::vector<Holding> out;
    for (const auto& [node, holders] : by_node_)
        if (matches(node))
            for (const auto& h : holders) out.push_back({h.pid, h.comm, node});
    return out;
}

std::vector<std::string> OpenHandles::holding(const std::function<bool(const std::string&)>& matches) const {
    std::vector<std::string> out;
    for (const auto& h : holders(matches)) out.push_back(h.describe());
    return out;
}

}  // namespace vmrun
