#include "agent_client.h"

#include <random>

namespace qmp {

namespace asio = boost::asio;

AgentClient::AgentClient(Duration timeout, Limits limits) : timeout_(timeout), protocol_(limits) {}

std::error_code AgentClient::write(const std::string& bytes) {
    boost::system::error_code ec;
    asio::write(socket_, asio::buffer(bytes), ec);
    if (ec) {
        failure_detail_ = "writing to the guest agent's socket: " + ec.message();
        return errc::connection_lost;
    }
    return {};
}

std::error_code AgentClient::read_until(const std::function<bool(const AgentProtocol::Output&)>& done, Duration timeout,
                                        std::optional<Reply>* reply) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<Duration>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            failure_detail_ = "the guest agent did not answer within " + std::to_string(timeout.count()) + " ms";
            return errc::timeout;
        }
        boost::system::error_code read_ec;
        size_t n = 0;
        bool finished = false;
        socket_.async_read_some(asio::buffer(buffer_), [&](const boost::system::error_code& ec, size_t got) {
            read_ec = ec;
            n = got;
            finished = true;
        });
        io_.restart();
        io_.run_for(left);
        if (!finished) {
            socket_.cancel();
            io_.restart();
            io_.run();  // the cancelled read completes
            failure_detail_ = "the guest agent did not answer within " + std::to_string(timeout.count()) + " ms";
            return errc::timeout;
        }
        if (read_ec) {
            failure_detail_ = "the guest agent's socket: " + read_ec.message();
            return errc::connection_lost;
        }
        auto out = protocol_.feed(std::string_view(buffer_.data(), n));
        if (out.failure) {
            failure_detail_ = out.failure_detail;
            return out.failure;
        }
        if (reply && out.reply) *reply = out.reply;
        if (done(out)) return {};
    }
}

std::error_code AgentClient::connect_unix(const std::string& path) {
    if (path.size() > kMaxUnixSocketPath) {
        failure_detail_ = "socket path longer than " + std::to_string(kMaxUnixSocketPath) + " bytes: " + path;
        return errc::not_connected;
    }
    boost::system::error_code ec;
    socket_.connect(asio::local::stream_protocol::endpoint(path), ec);
    if (ec) {
        failure_detail_ = "cannot connect to " + path + ": " + ec.message();
        return errc::not_connected;
    }
    std::random_device random;
    uint64_t token = (uint64_t(random()) << 20) ^ random();  // JSON-safe: below 2^53
    token &= (uint64_t(1) << 52) - 1;
    if (auto wec = write(protocol_.sync(token))) return wec;
    return read_until([](const AgentProtocol::Output& out) { return out.synced; }, timeout_);
}

Reply AgentClient::execute(const std::string& command, const Json& arguments, std::optional<Duration> timeout) {
    Reply r;
    if (protocol_.phase() != AgentProtocol::Phase::ready) {
        r.ec = errc::not_connected;
        return r;
    }
    if (auto ec = write(protocol_.command(command, arguments))) {
        r.ec = ec;
        return r;
    }
    std::optional<Reply> got;
    if (auto ec = read_until([](const AgentProtocol::Output& out) { return out.reply.has_value(); }, timeout.value_or(timeout_), &got)) {
        r.ec = ec;
        return r;
    }
    return *got;
}

std::error_code AgentClient::send_without_reply(const std::string& command, const Json& arguments) {
    if (protocol_.phase() != AgentProtocol::Phase::ready) return errc::not_connected;
    return write(protocol_.command_without_reply(command, arguments));
}

}  // namespace qmp
