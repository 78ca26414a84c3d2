#include "client.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace qmp {

namespace asio = boost::asio;

namespace {
// Keep the last events for wait_event; a client that never waits must not grow.
constexpr size_t kMaxUnconsumedEvents = 1024;
}  // namespace

Client::Client(Logger logger, Timeouts timeouts)
    : logger_(std::move(logger)), timeouts_(timeouts), own_io_(std::make_unique<asio::io_context>()), io_(*own_io_) {}

Client::Client(asio::io_context& io, Logger logger, Timeouts timeouts) : logger_(std::move(logger)), timeouts_(timeouts), io_(io) {}

Client::~Client() { close(); }

bool Client::connected() const {
    return !failure_ && protocol_.phase() == Protocol::Phase::ready &&
           ((unix_socket_ && unix_socket_->is_open()) || (tcp_socket_ && tcp_socket_->is_open()));
}

void Client::close() {
    boost::system::error_code ignored;
    if (unix_socket_) unix_socket_->close(ignored);
    if (tcp_socket_) tcp_socket_->close(ignored);
    // Let the aborted read complete so no handler outlives the sockets.
    io_.restart();
    io_.poll();
}

Duration Client::default_timeout(const std::string& command) const {
    static const char* slow[] = {"device_add", "device_del", "blockdev-add", "blockdev-del", "netdev_add",
                                 "netdev_del", "system_powerdown", "migrate"};
    for (auto* s : slow)
        if (command == s) return timeouts_.device;
    return timeouts_.command;
}

std::error_code Client::connect_unix(const std::string& path) {
    // asio throws for a path sun_path cannot hold; say so instead.
    if (path.size() > kMaxUnixSocketPath) {
        failure_detail_ = "the socket path " + path + " is " + std::to_string(path.size()) +
                          " bytes; a unix socket path holds at most " + std::to_string(kMaxUnixSocketPath);
        return failure_ = errc::not_connected;
    }
    unix_socket_ = std::make_unique<asio::local::stream_protocol::socket>(io_);
    boost::system::error_code ec;
    unix_socket_->connect(asio::local::stream_protocol::endpoint(path), ec);
    if (ec) {
        failure_detail_ = "cannot connect to " + path + ": " + ec.message();
        return failure_ = errc::connection_lost;
    }
    return finish_connect(*unix_socket_);
}

std::error_code Client::connect_tcp(const std::string& host_port) {
    auto colon = host_port.rfind(':');
    if (colon == std::string::npos) {
        failure_detail_ = "expected host:port, got " + host_port;
        return failure_ = errc::not_connected;
    }
    tcp_socket_ = std::make_unique<asio::ip::tcp::socket>(io_);
    boost::system::error_code ec;
    asio::ip::tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(host_port.substr(0, colon), host_port.substr(colon + 1), ec);
    if (!ec) asio::connect(*tcp_socket_, endpoints, ec);
    if (ec) {
        failure_detail_ = "cannot connect to " + host_port + ": " + ec.message();
        return failure_ = errc::connection_lost;
    }
    return finish_connect(*tcp_socket_);
}

template <typename Socket>
std::error_code Client::finish_connect(Socket&) {
    start_read();
    bool ok = run_until([&] { return protocol_.phase() != Protocol::Phase::greeting &&
                                     protocol_.phase() != Protocol::Phase::negotiating; },
                        timeouts_.connect);
    if (protocol_.phase() == Protocol::Phase::ready) {
        log(LogLevel::debug, "QMP ready, QEMU " + std::to_string(version().major) + "." + std::to_string(version().minor));
        return {};
    }
    if (!failure_) {
        // Silence: a greeting never came (or negotiation never finished).
        failure_ = protocol_.phase() == Protocol::Phase::greeting ? errc::no_greeting : errc::timeout;
        failure_detail_ = ok ? "negotiation failed" : "no QMP greeting within the connect timeout";
        close();
    }
    return failure_;
}

void Client::start_read() {
    auto handler = [this](const boost::system::error_code& ec, size_t n) {
        if (ec) {
            if (ec != asio::error::operation_aborted) lose_connection(errc::connection_lost, "read: " + ec.message());
            return;
        }
        on_bytes(std::string_view(read_buffer_.data(), n));
        if (!failure_) start_read();
    };
    if (unix_socket_) unix_socket_->async_read_some(asio::buffer(read_buffer_), handler);
    else tcp_socket_->async_read_some(asio::buffer(read_buffer_), handler);
}

void Client::write(const std::string& wire) {
    boost::system::error_code ec;
    if (unix_socket_) asio::write(*unix_socket_, asio::buffer(wire), ec);
    else if (tcp_socket_) asio::write(*tcp_socket_, asio::buffer(wire), ec);
    else ec = asio::error::not_connected;
    if (ec) lose_connection(errc::connection_lost, "write: " + ec.message());
}

void Client::on_bytes(std::string_view bytes) {
    auto out = protocol_.feed(bytes);
    if (!out.to_send.empty()) write(out.to_send);
    if (out.dropped_replies) log(LogLevel::debug, "dropped a late reply to a cancelled command");
    for (auto& [id, reply] : out.replies) complete(id, reply);
    for (auto& e : out.events) {
        log(LogLevel::debug, "event " + e.name);
        unconsumed_.push_back(e);
        if (unconsumed_.size() > kMaxUnconsumedEvents) unconsumed_.erase(unconsumed_.begin());
        auto subscribers = subscribers_;  // a handler may unsubscribe
        for (auto& [sid, h] : subscribers) h(e);
    }
    if (out.failure) lose_connection(out.failure, out.failure_detail);
}

void Client::lose_connection(std::error_code ec, std::string detail) {
    if (!failure_) {
        failure_ = ec;
        failure_detail_ = detail;
        log(LogLevel::warn, "QMP: " + ec.message() + ": " + detail);
    }
    boost::system::error_code ignored;
    if (unix_socket_) unix_socket_->close(ignored);
    if (tcp_socket_) tcp_socket_->close(ignored);
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& [id, p] : pending) {
        Reply r;
        // QEMU may close the socket before its reply to quit gets out: the
        // connection ending is quit's success, not its failure.
        if (p.command != "quit") {
            r.ec = failure_;
            r.error_desc = failure_detail_;
        }
        if (p.done) p.done(r);
    }
}

void Client::complete(uint64_t id, const Reply& r) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    auto done = std::move(it->second.done);
    pending_.erase(it);  // also cancels the timer
    if (done) done(r);
}

uint64_t Client::async_execute(const std::string& command, const Json& arguments, Duration timeout,
                               std::function<void(const Reply&)> done) {
    if (failure_ || protocol_.phase() != Protocol::Phase::ready) {
        Reply r;
        r.ec = failure_ ? failure_ : std::error_code(errc::not_connected);
        r.error_desc = failure_detail_;
        if (done) done(r);
        return 0;
    }
    // Plain names, not a structured binding: the timer's lambda captures id.
    auto encoded = protocol_.command(command, arguments);
    uint64_t id = encoded.first;
    const std::string& wire = encoded.second;
    auto& p = pending_[id];
    p.command = command;
    p.done = std::move(done);
    p.timer = std::make_unique<asio::steady_timer>(io_, timeout);
    p.timer->async_wait([this, id, command](const boost::system::error_code& ec) {
        if (ec) return;  // the reply came first
        protocol_.cancel(id);
        log(LogLevel::warn, "QMP command " + command + " timed out");
        Reply r;
        r.ec = errc::timeout;
        r.error_desc = command + " got no reply in time";
        complete(id, r);
    });
    if (logger_) log(LogLevel::debug, "-> " + wire.substr(0, wire.size() - 2));
    write(wire);
    return id;
}

void Client::cancel(uint64_t id) {
    if (!pending_.count(id)) return;
    protocol_.cancel(id);
    Reply r;
    r.ec = errc::cancelled;
    complete(id, r);
}

Reply Client::execute(const std::string& command, const Json& arguments, std::optional<Duration> timeout) {
    return run_command(command, arguments, timeout.value_or(default_timeout(command)),
                       [this](const std::string& wire) { write(wire); });
}

Reply Client::send_fd(int fd, const std::string& fdname) {
    if (!unix_socket_ && !failure_) {
        Reply r;
        r.ec = errc::not_connected;
        r.error_desc = "fd passing needs a unix socket";
        return r;
    }
    return run_command("getfd", Json{{"fdname", fdname}}, timeouts_.command,
                       [this, fd](const std::string& wire) { write_with_fd(wire, fd); });
}

Reply Client::run_command(const std::string& command, const Json& arguments, Duration timeout,
                          const std::function<void(const std::string&)>& send) {
    if (failure_ || protocol_.phase() != Protocol::Phase::ready) {
        Reply r;
        r.ec = failure_ ? failure_ : std::error_code(errc::not_connected);
        r.error_desc = failure_detail_;
        return r;
    }
    // The synchronous path needs no timer of its own: run_until's deadline
    // bounds the wait, which saves timer syscalls on every command.
    std::optional<Reply> result;
    auto [id, wire] = protocol_.command(command, arguments);
    pending_[id] = {command, [&](const Reply& r) { result = r; }, nullptr};
    send(wire);
    if (!run_until([&] { return result.has_value(); }, timeout) && !result) {
        protocol_.cancel(id);
        pending_.erase(id);
        log(LogLevel::warn, "QMP command " + command + " timed out");
        Reply r;
        r.ec = errc::timeout;
        r.error_desc = command + " got no reply in time";
        return r;
    }
    return *result;
}

// SCM_RIGHTS rides on the same sendmsg as the command text, as QEMU expects;
// whatever sendmsg did not take goes out as plain bytes.
void Client::write_with_fd(const std::string& wire, int fd) {
    msghdr msg{};
    iovec iov{const_cast<char*>(wire.data()), wire.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
    int s = unix_socket_->native_handle();
    ssize_t n;
    for (;;) {
        n = ::sendmsg(s, &msg, MSG_NOSIGNAL);
        if (n >= 0 || (errno != EAGAIN && errno != EINTR)) break;
        pollfd pfd{s, POLLOUT, 0};
        ::poll(&pfd, 1, 1000);
    }
    if (n < 0) lose_connection(errc::connection_lost, std::string("sendmsg: ") + std::strerror(errno));
    else if (size_t(n) < wire.size()) write(wire.substr(size_t(n)));
}

std::optional<Event> Client::wait_event(const std::string& name, const std::function<bool(const Event&)>& match,
                                        Duration timeout) {
    std::optional<Event> found;
    auto take = [&] {
        for (auto it = unconsumed_.begin(); it != unconsumed_.end(); ++it)
            if (it->name == name && (!match || match(*it))) {
                found = *it;
                unconsumed_.erase(it);
                return true;
            }
        return false;
    };
    if (take()) return found;
    run_until([&] { return take() || failure_; }, timeout);
    return found;
}

Client::Subscription Client::subscribe(std::function<void(const Event&)> handler) {
    subscribers_[next_subscription_] = std::move(handler);
    return next_subscription_++;
}

void Client::unsubscribe(Subscription s) { subscribers_.erase(s); }

void Client::poll(Duration max_wait) {
    io_.restart();
    if (max_wait.count() > 0) io_.run_one_for(max_wait);
    io_.poll();
}

bool Client::run_until(const std::function<bool()>& done, Duration timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return false;
        io_.restart();
        io_.run_one_until(deadline);
        if (failure_ && !done()) return done();
    }
    return true;
}

}  // namespace qmp
