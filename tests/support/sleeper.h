#pragma once
// Live processes that are none of vmrun's, for the tests that check vmrun
// never signals what it does not own, whatever a journal or pid file says.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace vmrun::testing {

// Forks; the child calls `exec_in_child` (which execs, or _exits). Returns the
// child's pid once it has exec'd — its close-on-exec pipe end closed — so
// /proc/PID shows the new program and its own start time, not a copy of the
// test. -1 when the fork failed.
template <typename Exec>
pid_t fork_and_wait_for_exec(Exec exec_in_child) {
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) != 0) return -1;
    pid_t pid = ::fork();
    if (pid == 0) {
        exec_in_child();
        ::_exit(127);
    }
    ::close(ready[1]);
    char byte;
    while (pid > 0 && ::read(ready[0], &byte, 1) < 0 && errno == EINTR) {
    }
    ::close(ready[0]);
    return pid;
}

// `sleep SECONDS`, killed and reaped at scope exit.
struct Sleeper {
    pid_t pid = -1;

    explicit Sleeper(int seconds = 60) {
        std::string arg = std::to_string(seconds);
        pid = fork_and_wait_for_exec([&] { ::execl("/bin/sleep", "sleep", arg.c_str(), nullptr); });
    }
    ~Sleeper() {
        if (pid <= 0) return;
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }
    Sleeper(const Sleeper&) = delete;
    Sleeper& operator=(const Sleeper&) = delete;
};

}  // namespace vmrun::testing
