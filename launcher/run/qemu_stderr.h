#pragma once
// QEMU's stderr while it runs: echoed to ours as it comes, the last lines kept
// for the message when QEMU fails, and read to its end once QEMU has exited —
// to EOF, which comes within a millisecond of QEMU's exit, so nothing waits
// out a deadline after QEMU is gone.

// Boost 1.74's asio/awaitable.hpp uses std::exchange without <utility>.
#include <utility>
#include <boost/asio/io_context.hpp>
#include <boost/process/async_pipe.hpp>

#include <array>
#include <chrono>
#include <string>
#include <string_view>

namespace vmrun {

class QemuStderr {
public:
    // `echo_fd`: where each chunk is copied as it arrives (-1: nowhere).
    QemuStderr(boost::asio::io_context& io, int echo_fd = 2);

    // Give this to the child: bp::std_err > stderr.pipe().
    boost::process::async_pipe& pipe() { return pipe_; }
    // Starts reading; the handlers run on the io_context.
    void start();
    // Runs the io_context until EOF or `deadline` (a child of QEMU's may hold
    // the pipe open). True when EOF came. Call it after the loop's run()
    // returned, never from one of its handlers (that throws std::logic_error).
    bool drain(std::chrono::steady_clock::time_point deadline);
    bool at_eof() const { return eof_; }
    // The last `n` lines read, without the final newline.
    std::string last_lines(int n) const;

private:
    void read_some();
    void keep(std::string_view bytes);

    boost::asio::io_context& io_;
    boost::process::async_pipe pipe_;
    int echo_fd_;
    std::array<char, 4096> buf_{};
    std::string tail_;  // at most kTailBytes
    bool eof_ = false;
};

}  // namespace vmrun
