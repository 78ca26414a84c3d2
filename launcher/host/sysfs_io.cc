#include "host/sysfs_io.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <thread>

namespace fs = std::filesystem;

namespace vmrun {

std::string read_first_line(const fs::path& path) {
    std::ifstream in(path);
    std::string s;
    std::getline(in, s);
    return s;
}

std::optional<uint64_t> read_decimal(const fs::path& path) {
    auto text = read_first_line(path);
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::string boot_id(const fs::path& sysroot) { return read_first_line(sysroot / "proc/sys/kernel/random/boot_id"); }

std::string symlink_name(const fs::path& path) {
    std::error_code ec;
    auto target = fs::read_symlink(path, ec);
    return ec ? std::string() : target.filename().string();
}

namespace {

// What the writing child reports through its pipe.
struct WriteResult {
    int stage = 0;  // 0 written, 1 open failed, 2 write failed, 3 short write
    int error = 0;
};

// The child: only system calls from here on (the parent may have threads
// holding locks the child would wait for forever).
[[noreturn]] void write_in_child(const char* path, const char* line, size_t size, int report_fd) {
    if (report_fd != 3) {
        ::dup2(report_fd, 3);
        report_fd = 3;
    }
    // Every fd of vmrun's but the report goes, so a child stuck in the kernel
    // keeps no lock, socket or journal open.
    if (::syscall(SYS_close_range, 4U, ~0U, 0U) != 0)  // before Linux 5.9
        for (int fd = 4; fd < 4096; ++fd) ::close(fd);
    // Nor its caller's output: a stuck child must not keep a pipe someone reads to its end.
    int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
        for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
        if (null > 3) ::close(null);
    }
    WriteResult r;
    int fd = ::open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);  // O_TRUNC: ignored by sysfs; a simulated file holds only the new value
    if (fd < 0) {
        r = {1, errno};
    } else {
        ssize_t n = ::write(fd, line, size);
        if (n < 0) r = {2, errno};
        else if (size_t(n) != size) r = {3, 0};
    }
    (void)!::write(report_fd, &r, sizeof r);
    ::_exit(0);
}

}  // namespace

std::string write_attribute(const fs::path& path, const std::string& value, std::chrono::milliseconds limit) {
    std::string line = value + "\n";
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) return std::string("cannot make a pipe: ") + std::strerror(errno);
    pid_t child = ::fork();
    if (child < 0) {
        int err = errno;
        ::close(report[0]);
        ::close(report[1]);
        return std::string("cannot start a process to write ") + path.string() + ": " + std::strerror(err);
    }
    if (child == 0) write_in_child(path.c_str(), line.c_str(), line.size(), report[1]);
    ::close(report[1]);
    int status = 0;
    bool ended = wait_until([&] { return ::waitpid(child, &status, WNOHANG) == child; }, limit);
    if (!ended) {
        // Pending until the kernel returns from the write; then the child is gone at once.
        ::kill(child, SIGKILL);
        ::close(report[0]);
        return "writing '" + value + "' to " + path.string() + " did not return within " +
               (limit.count() % 1000 ? std::to_string(limit.count()) + " ms" : std::to_string(limit.count() / 1000) + " s") + ": the driver is stuck (often something still holds the device); vmrun stopped waiting";
    }
    WriteResult r{-1, 0};
    ssize_t n = ::read(report[0], &r, sizeof r);
    ::close(report[0]);
    if (n != ssize_t(sizeof r)) return "the process writing " + path.string() + " ended without a word";
    switch (r.stage) {
        case 0: return "";
        case 1: return "cannot open " + path.string() + ": " + std::strerror(r.error);
        case 2: return "writing '" + value + "' to " + path.string() + " failed: " + std::strerror(r.error);
        default: return "writing '" + value + "' to " + path.string() + " failed: short write";
    }
}

void for_each_folder_below(const fs::path& root, int max_depth, const std::function<void(const fs::path&)>& visit) {
    std::error_code ec;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        if (it.depth() >= max_depth) it.disable_recursion_pending();
        std::error_code ec2;
        if (it->is_directory(ec2) && !it->is_symlink(ec2)) visit(it->path());
    }
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

}  // namespace vmrun
