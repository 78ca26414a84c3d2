// vmrun console NAME: the guest's serial console on this terminal.
// Ctrl-] detaches. With stdin not a terminal (scripts, tests), input is sent
// as it comes and the command ends a moment after stdin does.

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <iostream>

#include "cli/command.h"
#include "cli/terminal_queries.h"
#include "base/exit_codes.h"
#include "cli/vm_target.h"

namespace vmrun::cli {

namespace {
constexpr char kDetachKey = 0x1d;  // Ctrl-]

class RawTerminal {
public:
    RawTerminal() {
        active_ = ::isatty(0) && ::tcgetattr(0, &saved_) == 0;
        if (!active_) return;
        termios raw = saved_;
        ::cfmakeraw(&raw);
        ::tcsetattr(0, TCSANOW, &raw);
    }
    ~RawTerminal() {
        if (active_) ::tcsetattr(0, TCSANOW, &saved_);
    }
    bool active() const { return active_; }

private:
    termios saved_{};
    bool active_ = false;
};
}  // namespace

int run_console(const ParsedArgs& args) {
    auto folder = vm_named(args);
    if (!folder) return kExitUsage;
    if (!folders_trusted(*folder)) return kExitFailure;
    int linger_ms = int(args.seconds_or("linger", 1) * 1000);
    std::string path = folder->console_socket();
    if (path.size() >= sizeof(sockaddr_un::sun_path)) {
        std::cerr << "vmrun: the console socket path " << path << " is too long for a unix socket (at most "
                  << sizeof(sockaddr_un::sun_path) - 1 << " bytes); set VMRUN_RUNTIME_DIR to a shorter folder\n";
        return kExitFailure;
    }
    int s = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        std::cerr << "vmrun: cannot attach to " << folder->name << "'s console (" << path << "): " << std::strerror(errno)
                  << "\n  is it running ('vmrun list') with serial: socket?\n";
        return kExitFailure;
    }
    RawTerminal term;
    if (term.active()) std::cerr << "vmrun: attached to " << folder->name << "'s console; Ctrl-] detaches\r\n";
    TerminalQueryFilter queries;
    bool stdin_open = true;
    char buf[4096];
    for (;;) {
        // A closed stdin keeps reporting POLLHUP whatever we ask for: leave it out.
        pollfd fds[2] = {{s, POLLIN, 0}, {stdin_open ? 0 : -1, POLLIN, 0}};
        int r = ::poll(fds, 2, stdin_open ? -1 : linger_ms);
        if (r == 0) break;  // stdin ended and the guest has gone quiet
        if (fds[0].revents & (POLLIN | POLLHUP)) {
            ssize_t n = ::read(s, buf, sizeof buf);
            if (n <= 0) break;
            if (term.active()) {
                [[maybe_unused]] auto w = ::write(1, buf, size_t(n));
            } else {
                // No terminal to answer the guest's queries: vmrun does.
                auto r = queries.feed(std::string_view(buf, size_t(n)));
                [[maybe_unused]] auto w = ::write(1, r.output.data(), r.output.size());
                if (!r.reply.empty()) ::send(s, r.reply.data(), r.reply.size(), MSG_NOSIGNAL);
            }
        }
        if (stdin_open && (fds[1].revents & (POLLIN | POLLHUP))) {
            ssize_t n = ::read(0, buf, sizeof buf);
            if (n <= 0) { stdin_open = false; continue; }
            if (term.active() && std::memchr(buf, kDetachKey, size_t(n))) break;
            [[maybe_unused]] auto w = ::send(s, buf, size_t(n), MSG_NOSIGNAL);
        }
    }
    ::close(s);
    if (auto rest = queries.flush(); !rest.empty()) [[maybe_unused]] auto w = ::write(1, rest.data(), rest.size());
    if (term.active()) std::cerr << "\r\nvmrun: detached\r\n";
    return kExitOk;
}

}  // namespace vmrun::cli
