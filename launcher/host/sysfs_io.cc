#include "host/sysfs_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
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

std::string boot_id(const fs::path& sysroot) { return read_first_line(sysroot / "proc/sys/kernel/random/boot_id"); }

std::string symlink_name(const fs::path& path) {
    std::error_code ec;
    auto target = fs::read_symlink(path, ec);
    return ec ? std::string() : target.filename().string();
}

std::string write_attribute(const fs::path& path, const std::string& value) {
    // O_TRUNC is ignored by sysfs and makes a simulated attribute hold only the new value.
    int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) return "cannot open " + path.string() + ": " + std::strerror(errno);
    std::string line = value + "\n";
    ssize_t n = ::write(fd, line.data(), line.size());
    int err = errno;
    ::close(fd);
    if (n != ssize_t(line.size()))
        return "writing '" + value + "' to " + path.string() + " failed: " + (n < 0 ? std::strerror(err) : "short write");
    return "";
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
