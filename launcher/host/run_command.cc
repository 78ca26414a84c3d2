#include "host/run_command.h"

#include <cstdlib>

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <boost/process.hpp>
#include <cstdio>
#include <memory>
#include <thread>

#include "host/child_process.h"

namespace bp = boost::process;

namespace vmrun {

std::string CommandOutcome::describe() const {
    if (timed_out) return "still running at the time limit, and stopped";
    if (exit_code < 0) return output.empty() ? "could not be started" : output;
    std::string out = "exit status " + std::to_string(exit_code);
    auto text = output;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text.empty() ? out : out + ": " + text;
}

// Not Boost.Process's search_path: its PATH splitting loads every locale
// category from disk (std::locale("")), ~60 system calls on each start.
std::string find_program(const std::string& name) {
    if (name.empty()) return "";
    if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
    const char* env = std::getenv("PATH");
    std::string dirs = std::string(env ? env : "/usr/local/bin:/usr/bin:/bin") + ":/usr/sbin:/sbin";
    for (size_t start = 0; start <= dirs.size();) {
        size_t end = dirs.find(':', start);
        if (end == std::string::npos) end = dirs.size();
        // An empty entry is the current folder, by POSIX; vmrun runs as root and takes no program from there.
        if (end > start) {
            std::string candidate = dirs.substr(start, end - start) + "/" + name;
            struct stat st {};
            if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0) return candidate;
        }
        start = end + 1;
    }
    return "";
}

namespace {

// Output a command may pile up before vmrun starts over (only the end is kept).
constexpr long kOutputCap = 1 << 20;

}  // namespace

CommandOutcome run_command(const std::vector<std::string>& argv, std::chrono::seconds limit) {
    CommandOutcome out;
    if (argv.empty()) return out;
    auto exe = find_program(argv[0]);
    if (exe.empty()) {
        out.output = argv[0] + (argv[0].find('/') != std::string::npos ? " is not an executable program"
                                                                       : " is not installed (not in PATH, /usr/sbin or /sbin)");
        return out;
    }
    // Output into an unnamed in-memory file, not a pipe: a start command that
    // leaves a daemon behind would keep a pipe open, and a reader waiting for
    // its end. (Not tmpfile(): /tmp may be read-only, as in a chroot.)
    int fd = ::memfd_create("vmrun-command-output", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    std::unique_ptr<FILE, int (*)(FILE*)> file(fd >= 0 ? ::fdopen(fd, "w+") : nullptr, &std::fclose);
    if (!file) {
        if (fd >= 0) ::close(fd);
        out.output = "cannot make a file for " + argv[0] + "'s output: " + std::strerror(errno);
        return out;
    }
    std::error_code ec;
    // In a process group of its own, so the limit stops what it started too.
    bp::child c(bp::exe = exe, bp::args = std::vector<std::string>(argv.begin() + 1, argv.end()), bp::std_out > file.get(),
                bp::std_err > file.get(), bp::std_in < bp::null, OwnProcessGroup{}, ec);
    if (ec) {
        out.output = "cannot run " + argv[0] + ": " + ec.message();
        return out;
    }
    pid_t group = c.id();
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (c.running(ec) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        // Past the cap, start the file over: the child shares its offset.
        if (struct stat st {}; ::fstat(fd, &st) == 0 && st.st_size > kOutputCap) {
            ::ftruncate(fd, 0);
            ::lseek(fd, 0, SEEK_SET);
        }
    }
    if (c.running(ec)) {
        ::kill(-group, SIGKILL);
        out.timed_out = true;
    }
    c.wait(ec);
    std::string all;
    std::fseek(file.get(), 0, SEEK_END);
    long size = std::ftell(file.get());
    std::fseek(file.get(), size > 4096 ? size - 4096 : 0, SEEK_SET);
    char buf[4096];
    size_t n = std::fread(buf, 1, sizeof buf, file.get());
    all.assign(buf, n);
    out.output = all;
    // A daemon the command left running still holds the file as its output:
    // emptied and sealed, it costs nothing, and the daemon's writes fail.
    ::ftruncate(fd, 0);
    ::fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
    if (!out.timed_out) out.exit_code = c.exit_code();
    return out;
}

}  // namespace vmrun
