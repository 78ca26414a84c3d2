#pragma once
// A live process that is none of vmrun's (`sleep`), for the tests that check
// vmrun never signals what it does not own, whatever a journal or pid file says.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace vmrun::testing {

struct Sleeper {
    pid_t pid = -1;

    // Returns once the child has exec'd (its close-on-exec pipe end closed),
    // so /proc/PID shows `sleep` and its own start time, not a copy of the test.
    explicit Sleeper(int seconds = 60) {
        int ready[2];
        if (::pipe2(ready, O_CLOEXEC) != 0) return;
        pid = ::fork();
        if (pid == 0) {
            std::string arg = std::to_string(seconds);
            ::execl("/bin/sleep", "sleep", arg.c_str(), nullptr);
            ::_exit(127);
        }
        ::close(ready[1]);
        char byte;
        while (::read(ready[0], &byte, 1) < 0 && errno == EINTR) {
        }
        ::close(ready[0]);
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
