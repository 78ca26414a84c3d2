#pragma once
// Helpers for the children vmrun starts with Boost.Process (QEMU, swtpm,
// host commands).

#include <fcntl.h>
#include <unistd.h>

#include <vector>

#include <boost/process/extend.hpp>

namespace vmrun {

// A child in a process group of its own: Ctrl-C in the terminal reaches vmrun,
// which powers the guest off gracefully, instead of killing QEMU (or the
// guest's TPM) outright.
struct OwnProcessGroup : boost::process::extend::handler {
    template <typename Executor>
    void on_exec_setup(Executor&) const { ::setpgid(0, 0); }
};

// The fds vmrun opened for a child (taps for QEMU, the control socket for
// swtpm) stay O_CLOEXEC in vmrun; only that child inherits them.
struct InheritFds : boost::process::extend::handler {
    std::vector<int> fds;
    template <typename Executor>
    void on_exec_setup(Executor&) const {
        for (int fd : fds) ::fcntl(fd, F_SETFD, 0);
    }
};

// Closes every descriptor above stderr this process was started with that is
// not close-on-exec (vmrun opens its own O_CLOEXEC): a supervisor lives as
// long as its VM, and whatever its caller left open — a pipe's or FIFO's
// writing end, a terminal — would stay open as long, in it and in QEMU, so
// the caller's reader never saw its end.
void close_inherited_fds();

}  // namespace vmrun
