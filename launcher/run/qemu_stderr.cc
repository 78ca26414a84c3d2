#include "run/qemu_stderr.h"

#include <unistd.h>

#include <stdexcept>

namespace vmrun {

namespace {
constexpr size_t kTailBytes = 8192;
}

QemuStderr::QemuStderr(boost::asio::io_context& io, int echo_fd) : io_(io), pipe_(io), echo_fd_(echo_fd) {}

void QemuStderr::start() {
    read_some();
}

void QemuStderr::read_some() {
    pipe_.async_read_some(boost::asio::buffer(buf_), [this](const boost::system::error_code& ec, size_t n) {
        if (ec) {
            // EOF (or the pipe broke): nothing more will come.
            eof_ = true;
            return;
        }
        std::string_view bytes(buf_.data(), n);
        keep(bytes);
        if (echo_fd_ >= 0) [[maybe_unused]] auto w = ::write(echo_fd_, bytes.data(), bytes.size());
        read_some();
    });
}

void QemuStderr::keep(std::string_view bytes) {
    tail_.append(bytes);
    if (tail_.size() > kTailBytes) tail_.erase(0, tail_.size() - kTailBytes);
}

bool QemuStderr::drain(std::chrono::steady_clock::time_point deadline) {
    // From inside a handler of the same io_context, completions the reactor has
    // just queued (EOF among them) stay in this thread's private queue until
    // that handler returns: a nested run would wait out the whole deadline.
    if (io_.get_executor().running_in_this_thread())
        throw std::logic_error("QemuStderr::drain called from a handler of its own io_context");
    io_.restart();
    while (!eof_ && io_.run_one_until(deadline)) {}
    return eof_;
}

std::string QemuStderr::last_lines(int n) const {
    size_t pos = tail_.size();
    while (n-- > 0 && pos > 0) {
        pos = tail_.rfind('\n', pos > 1 ? pos - 2 : 0);
        if (pos == std::string::npos) {
            pos = 0;
            break;
        }
    }
    std::string out = tail_.substr(pos == 0 ? 0 : pos + 1);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

}  // namespace vmrun
