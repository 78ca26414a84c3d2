#include "run/detached_start.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "run/readiness_report.h"

namespace vmrun {

DetachedStart supervise_detached(const LaunchPlan& plan, const VmPaths& folder, SuperviseOptions options, InstanceLock& lock) {
    DetachedStart out;
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) != 0) {
        out.failure = Failure{std::string("cannot make a pipe to the supervisor: ") + std::strerror(errno), "", ""};
        return out;
    }
    // What this process buffered must not be written twice, by both.
    std::cout.flush();
    std::cerr.flush();
    pid_t child = ::fork();
    if (child < 0) {
        out.failure = Failure{std::string("cannot fork the supervisor: ") + std::strerror(errno), "", ""};
        ::close(ready[0]);
        ::close(ready[1]);
        return out;
    }
    if (child == 0) {
        ::close(ready[0]);
        ::setsid();
        int null = ::open("/dev/null", O_RDWR);
        int log = ::open(folder.log_file().c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        ::dup2(null, 0);
        ::dup2(log >= 0 ? log : null, 1);
        ::dup2(log >= 0 ? log : null, 2);
        lock.write_pid(folder, ::getpid());
        options.ready_fd = ready[1];
        ::_exit(supervise_vm(plan, folder, options));
    }
    ::close(ready[1]);
    // The supervisor writes one report and closes its end: read to EOF, since
    // a failure's text (QEMU's last lines among it) spans several lines.
    std::string report;
    char buf[4096];
    for (ssize_t n; (n = ::read(ready[0], buf, sizeof buf)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        report.append(buf, static_cast<size_t>(n));
    }
    ::close(ready[0]);
    auto said = parse_readiness_report(report);
    if (!said) {
        out.failure = Failure{"the supervisor died before it said whether the VM started", "see " + folder.log_file(), folder.log_file()};
        return out;
    }
    out.ready = !said->failure;
    out.supervisor = said->supervisor;
    out.failure = said->failure;
    return out;
}

}  // namespace vmrun
