#pragma once
// A network namespace of the test's own (ip netns add), removed at scope exit
// with everything in it. vmrun's network setup is tested only in here — never
// against the host's interfaces.

#include <string>

namespace vmrun::testing {

class NetNamespace {
public:
    NetNamespace();   // a fresh, uniquely named namespace with lo up
    ~NetNamespace();
    NetNamespace(const NetNamespace&) = delete;
    NetNamespace& operator=(const NetNamespace&) = delete;

    const std::string& name() const { return name_; }
    // Runs `ip -n NS ARGS` (or any command via exec); returns its stdout; throws on failure.
    std::string ip(const std::string& args) const;
    // Runs COMMAND inside the namespace through sh -c; returns exit code, output in `out`.
    int exec(const std::string& command, std::string& out) const;
    // `ip -j link` of the namespace, each link reduced to what a VM's setup may change
    // (name, flags, mtu, master, address, kind), one per line, sorted.
    std::string links() const;

private:
    std::string name_;
};

}  // namespace vmrun::testing
