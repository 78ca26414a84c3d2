#pragma once
// One reason vmrun will not change the host, and how to put it right. Every
// check before a change (preflight, passthrough inspection, network checks)
// speaks in these.

#include <string>

namespace vmrun {

struct HostProblem {
    std::string what;
    std::string fix;
};

}  // namespace vmrun
