#pragma once
// Input that survives a replug. While the VM runs, the supervisor watches
// /dev/input: when the node an input-linux object reads goes away (a keyboard
// unplugged, a KVM switch, a wireless receiver's reset), the object waits;
// when a node comes that is the same device (by what the kernel says it is),
// a new object is added on it over QMP under a new id (input_reattach.h) —
// the node lent to QEMU's run_as user first, under the journal, as a hotplug
// would. Event-driven: inotify, no polling.

// Boost 1.74's asio/awaitable.hpp uses std::exchange without <utility>.
#include <utility>
#include <boost/asio.hpp>

#include <sys/types.h>

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "host/journal.h"
#include "plan/input_reattach.h"
#include "qmp/client.h"

namespace vmrun {

class InputReplug {
public:
    using Connect = std::function<std::unique_ptr<qmp::Client>()>;
    // `away_file`: where the inputs waiting for their device (for 'vmrun
    // status') and the dead objects (which 'vmrun unplug' must not delete) are listed.
    InputReplug(boost::asio::io_context& io, std::string sysroot, Journal& journal, Connect connect, std::string away_file);

    // Learns the nodes there now and where `paths` (the profile's evdev
    // paths, links included) lead, then watches. QEMU's process `qemu_pid`
    // says whose the devices must be. Without a /dev/input, nothing to watch.
    void start(pid_t qemu_pid, const std::vector<std::string>& paths);
    void stop();

private:
    void wait_for_changes();
    void on_removed(const std::string& node);
    void settle_then_add();
    void on_added(const std::string& node);
    void reattach(WaitingInput input, const std::string& node);
    void write_away_file() const;

    boost::asio::io_context& io_;
    std::string sysroot_;
    Journal& journal_;
    Connect connect_;
    std::string away_file_;
    pid_t qemu_pid_ = -1;
    InputReattachBook book_;
    std::unique_ptr<boost::asio::posix::stream_descriptor> watch_;
    boost::asio::steady_timer settle_;
    std::set<std::string> arrived_;  // nodes made since the last settle
};

}  // namespace vmrun
