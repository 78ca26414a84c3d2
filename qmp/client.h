#pragma once
// A QMP client on Boost.Asio: connects over a unix socket or TCP, negotiates,
// runs commands with per-command timeouts and routes events to subscribers.
//
// Everything runs on one io_context in the calling thread. A read is always
// outstanding, so events are taken off the socket while a command waits, and
// replies are matched to commands by id in the Protocol core. A command that
// times out is cancelled in the core: if its reply arrives later, the core
// drops it and the client stays usable for the next command.

// Boost 1.74's asio/awaitable.hpp uses std::exchange without <utility> (fails on GCC 12).
#include <utility>
#include <boost/asio.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocol.h"

namespace qmp {

enum class LogLevel { debug, info, warn };
using Logger = std::function<void(LogLevel, std::string_view)>;

using Duration = std::chrono::milliseconds;

// sizeof(sockaddr_un::sun_path) less its terminating NUL.
constexpr size_t kMaxUnixSocketPath = 107;

struct Timeouts {
    Duration connect{5000};
    Duration command{5000};
    // device_add/device_del and block/net backends wait on the guest or on I/O.
    Duration device{30000};
};

class Client {
public:
    explicit Client(Logger logger = {}, Timeouts timeouts = {});
    // Runs its I/O on `io`, shared with the caller: the caller's own handlers
    // (a child's stderr, signals) keep running while the client waits.
    Client(boost::asio::io_context& io, Logger logger = {}, Timeouts timeouts = {});
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Connects and negotiates; returns once commands may be sent.
    std::error_code connect_unix(const std::string& path);
    // "host:port"
    std::error_code connect_tcp(const std::string& host_port);
    bool connected() const;
    void close();

    const QemuVersion& version() const { return protocol_.version(); }

    // Runs one command and waits for its reply; `timeout` defaults by command.
    Reply execute(const std::string& command, const Json& arguments = Json(), std::optional<Duration> timeout = {});

    // Asynchronous form: `done` runs from poll()/execute()/wait_event(). Returns
    // an id for cancel(); a cancelled command completes with errc::cancelled.
    uint64_t async_execute(const std::string& command, const Json& arguments, Duration timeout,
                           std::function<void(const Reply&)> done);
    void cancel(uint64_t id);

    // Passes `fd` to QEMU under `fdname` (QMP getfd, SCM_RIGHTS).
    Reply send_fd(int fd, const std::string& fdname);

    // Waits for an event named `name` for which `match` (if given) is true.
    // Events already received and not yet consumed count too.
    std::optional<Event> wait_event(const std::string& name, const std::function<bool(const Event&)>& match,
                                    Duration timeout);

    // Called for every event as it arrives.
    using Subscription = uint64_t;
    Subscription subscribe(std::function<void(const Event&)> handler);
    void unsubscribe(Subscription s);

    // Processes whatever has arrived; waits at most `max_wait`.
    void poll(Duration max_wait = Duration(0));

    // Why the connection failed, when it did.
    std::error_code failure() const { return failure_; }
    std::string failure_detail() const { return failure_detail_; }

    Duration default_timeout(const std::string& command) const;

private:
    template <typename Socket>
    std::error_code finish_connect(Socket& socket);
    void start_read();
    void on_bytes(std::string_view bytes);
    void lose_connection(std::error_code ec, std::string detail);
    void complete(uint64_t id, const Reply& r);
    void write(const std::string& wire);
    void write_with_fd(const std::string& wire, int fd);
    // execute() and send_fd(): one command, waited for; `send` puts it on the wire.
    Reply run_command(const std::string& command, const Json& arguments, Duration timeout,
                      const std::function<void(const std::string&)>& send);
    bool run_until(const std::function<bool()>& done, Duration timeout);
    void log(LogLevel l, std::string_view m) const {
        if (logger_) logger_(l, m);
    }

    struct Pending {
        std::string command;
        std::function<void(const Reply&)> done;
        std::unique_ptr<boost::asio::steady_timer> timer;
    };

    Logger logger_;
    Timeouts timeouts_;
    std::unique_ptr<boost::asio::io_context> own_io_;  // unless the caller lends one
    boost::asio::io_context& io_;
    std::unique_ptr<boost::asio::local::stream_protocol::socket> unix_socket_;
    std::unique_ptr<boost::asio::ip::tcp::socket> tcp_socket_;
    std::array<char, 65536> read_buffer_{};
    Protocol protocol_;
    std::map<uint64_t, Pending> pending_;
    std::vector<Event> unconsumed_;  // for wait_event
    std::map<Subscription, std::function<void(const Event&)>> subscribers_;
    Subscription next_subscription_ = 1;
    std::error_code failure_;
    std::string failure_detail_;
};

}  // namespace qmp
