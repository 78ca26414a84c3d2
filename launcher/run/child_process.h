#pragma once
// Helpers for the children vmrun starts with Boost.Process (QEMU, swtpm).

#include <unistd.h>

#include <boost/process/extend.hpp>

namespace vmrun {

// A child in a process group of its own: Ctrl-C in the terminal reaches vmrun,
// which powers the guest off gracefully, instead of killing QEMU (or the
// guest's TPM) outright.
struct OwnProcessGroup : boost::process::extend::handler {
    template <typename Executor>
    void on_exec_setup(Executor&) const { ::setpgid(0, 0); }
};

}  // namespace vmrun
