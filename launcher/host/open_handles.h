#pragma once
// Which processes hold which /dev nodes open, from SYSROOT/proc/*/fd: read
// once, asked per device ("pid 812 (Xorg) has /dev/dri/card1 open").

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace vmrun {

class OpenHandles {
public:
    // Only fds whose target starts with /dev/ are kept; vmrun's own are skipped.
    static OpenHandles read(const std::string& sysroot);

    struct Holding {
        std::string pid, comm, node;
        // "pid 812 (Xorg) has /dev/dri/card1 open"
        std::string describe() const { return "pid " + pid + " (" + comm + ") has " + node + " open"; }
    };
    std::vector<Holding> holders(const std::function<bool(const std::string& node)>& matches) const;
    // Each holder described, one per process and node.
    std::vector<std::string> holding(const std::function<bool(const std::string& node)>& matches) const;

private:
    struct Holder {
        std::string pid, comm;
    };
    std::map<std::string, std::vector<Holder>> by_node_;
};

}  // namespace vmrun
