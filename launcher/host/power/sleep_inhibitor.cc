#include "host/power/sleep_inhibitor.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "host/run_command.h"

extern char** environ;

namespace vmrun {

namespace {

constexpr int kGrantLimitMs = 5000;   // logind answers Inhibit() in milliseconds
constexpr auto kExitLimit = std::chrono::seconds(2);
const std::string kEcho = "vmrun-inhibitor\n";

}  // namespace

SleepInhibitor& SleepInhibitor::operator=(SleepInhibitor&& other) noexcept {
    if (this != &other) {
        release();
        pipe_ = std::move(other.pipe_);
        pid_ = std::exchange(other.pid_, -1);
        problem_ = std::move(other.problem_);
    }
    return *this;
}

SleepInhibitor SleepInhibitor::take(const std::string& vm_name) {
    SleepInhibitor out;
    auto program = find_program("systemd-inhibit");
    if (program.empty()) {
        out.problem_ = "systemd-inhibit is not installed (package systemd): host sleep is not blocked";
        return out;
    }
    auto cat = find_program("cat");
    int in[2], echo[2];
    if (::pipe2(in, O_CLOEXEC) != 0) {
        out.problem_ = std::string("cannot make a pipe: ") + std::strerror(errno);
        return out;
    }
    if (::pipe2(echo, O_CLOEXEC) != 0) {
        ::close(in[0]);
        ::close(in[1]);
        out.problem_ = std::string("cannot make a pipe: ") + std::strerror(errno);
        return out;
    }
    OwnedFd write_end(in[1]), read_back(echo[0]);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, echo[1], 1);
    posix_spawn_file_actions_adddup2(&actions, echo[1], 2);
    std::vector<std::string> words = {program, "--what=sleep", "--mode=block", "--who=vmrun",
                                      "--why=the VM " + vm_name + " has a passed-through device, which a host suspend would take from it",
                                      cat.empty() ? "/bin/cat" : cat};
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    int err = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(echo[1]);
    if (err != 0) {
        out.problem_ = "cannot run systemd-inhibit: " + std::string(std::strerror(err));
        return out;
    }
    out.pid_ = pid;
    // systemd-inhibit runs cat only once logind granted the lock: cat echoing
    // a line back is the grant; systemd-inhibit's own error, or the pipe
    // closing, is the refusal.
    [[maybe_unused]] auto n = ::write(write_end.get(), kEcho.data(), kEcho.size());
    std::string answer;
    pollfd p{read_back.get(), POLLIN, 0};
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kGrantLimitMs);
    while (answer.find('\n') == std::string::npos) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0 || ::poll(&p, 1, int(left)) <= 0) break;
        char buf[512];
        auto got = ::read(read_back.get(), buf, sizeof buf);
        if (got <= 0) break;
        answer.append(buf, size_t(got));
    }
    if (answer == kEcho) {
        out.pipe_ = std::move(write_end);
        return out;
    }
    while (!answer.empty() && (answer.back() == '\n' || answer.back() == '\r')) answer.pop_back();
    out.problem_ = "logind did not grant a sleep inhibitor (" + (answer.empty() ? std::string("no answer") : answer) +
                   "): host sleep is not blocked";
    write_end.reset();
    out.release();
    return out;
}

void SleepInhibitor::release() {
    pipe_.reset();  // cat reads end of file, systemd-inhibit ends, logind drops the lock
    if (pid_ <= 0) return;
    // Its exit, awaited on a pidfd: ends at once, killed after the limit.
    OwnedFd pidfd(int(::syscall(SYS_pidfd_open, pid_, 0)));
    if (pidfd) {
        pollfd p{pidfd.get(), POLLIN, 0};
        if (::poll(&p, 1, int(std::chrono::milliseconds(kExitLimit).count())) <= 0) ::kill(pid_, SIGKILL);
    }
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

}  // namespace vmrun
