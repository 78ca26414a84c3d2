#include "qemu_process.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

namespace bp = boost::process;

namespace vmrun::testing {

QemuProcess::QemuProcess(const std::vector<std::string>& argv, const std::string& log_path)
    : log_path_(log_path) {
    std::vector<std::string> args(argv.begin() + 1, argv.end());
    child_ = bp::child(bp::exe = bp::search_path(argv[0]).string(), bp::args = args,
                       bp::std_out > log_path, bp::std_err > log_path, bp::std_in < bp::null);
}

QemuProcess::~QemuProcess() { kill(); }

bool QemuProcess::running() { return child_.valid() && child_.running(); }

bool wait_exit_for(boost::process::child& c, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::error_code ec;
    while (c.running(ec) && !ec) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

int QemuProcess::wait_exit(std::chrono::milliseconds timeout) {
    if (!child_.valid()) return -1;
    if (!wait_exit_for(child_, timeout)) return -1;
    return child_.exit_code();
}

void QemuProcess::kill() {
    std::error_code ec;
    if (child_.valid() && child_.running(ec)) {
        child_.terminate(ec);
        child_.wait(ec);
    }
}

std::string QemuProcess::output() const {
    std::ifstream in(log_path_);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

namespace {

// QEMU binds its socket's file before it listens: a connect in between is
// refused. Only an accepted connection says the monitor is there.
bool accepts_connections(const std::string& path) {
    sockaddr_un a{};
    if (path.size() >= sizeof a.sun_path) return false;
    a.sun_family = AF_UNIX;
    std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

}  // namespace

bool wait_for_path(const std::string& path, QemuProcess& qemu, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (std::filesystem::is_socket(path) && accepts_connections(path)) return true;
        if (!qemu.running()) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

std::string test_accelerator() {
    const char* a = std::getenv("VMRUN_TEST_ACCEL");
    return a && *a ? a : "tcg";
}

std::string qemu_binary() {
    const char* q = std::getenv("VMRUN_QEMU");
    return q ? q : "qemu-system-x86_64";
}

}  // namespace vmrun::testing
