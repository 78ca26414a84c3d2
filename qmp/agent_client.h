#pragma once
// A QEMU guest agent client on Boost.Asio: connects to the unix socket QEMU
// serves the agent's virtio port on, synchronises (guest-sync-delimited with
// a random token, dropping what an earlier client left), then runs one
// command at a time with a deadline. Blocking, on an io_context of its own.

// Boost 1.74's asio/awaitable.hpp uses std::exchange without <utility> (fails on GCC 12).
#include <utility>
#include <boost/asio.hpp>

#include <array>
#include <chrono>
#include <optional>
#include <string>

#include "agent_protocol.h"
#include "client.h"

namespace qmp {

class AgentClient {
public:
    // `timeout`: for the connection and the sync, and each command by default.
    explicit AgentClient(Duration timeout = Duration(5000), Limits limits = {});

    // Connects and synchronises. errc::timeout: nothing in the guest answers
    // (no agent running, or a guest that is not up yet).
    std::error_code connect_unix(const std::string& path);

    Reply execute(const std::string& command, const Json& arguments = Json(), std::optional<Duration> timeout = {});
    // For guest-shutdown, which answers nothing when it works.
    std::error_code send_without_reply(const std::string& command, const Json& arguments = Json());

    std::string failure_detail() const { return failure_detail_; }

private:
    std::error_code write(const std::string& bytes);
    // Reads until `done` says so, the deadline passes, or the protocol fails.
    std::error_code read_until(const std::function<bool(const AgentProtocol::Output&)>& done, Duration timeout,
                               std::optional<Reply>* reply = nullptr);

    Duration timeout_;
    boost::asio::io_context io_;
    boost::asio::local::stream_protocol::socket socket_{io_};
    std::array<char, 65536> buffer_{};
    AgentProtocol protocol_;
    std::string failure_detail_;
};

}  // namespace qmp
