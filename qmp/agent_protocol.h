#pragma once
// The QEMU guest agent's protocol with no I/O. The agent speaks QMP's
// command/reply JSON without a greeting, over a channel that outlives its
// clients: replies meant for an earlier client (one that timed out) may still
// be in it. So a conversation starts with guest-sync-delimited: the client
// sends 0xFF (which resets the agent's parser) and a random id; the agent
// answers 0xFF and {"return": id}. Everything before that answer is dropped.
// Then one command at a time, each answered in order. guest-shutdown and
// guest-suspend-* answer nothing when they work.
//
// The agent runs in the guest and is not trusted: the same limits as QMP
// (message size, nesting), and a reply must be an object with "return" or
// "error".

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "json_stream.h"
#include "protocol.h"

namespace qmp {

class AgentProtocol {
public:
    enum class Phase { syncing, ready, waiting, failed };

    struct Output {
        bool synced = false;          // the sync answer came: commands may go
        std::optional<Reply> reply;   // the answer to the command in flight
        std::error_code failure;      // fatal: the conversation cannot go on
        std::string failure_detail;
        int dropped = 0;              // stale messages dropped before the sync answer
    };

    explicit AgentProtocol(Limits limits = {}) : limits_(limits), stream_(limits) {}

    Phase phase() const { return phase_; }
    // The bytes that start a conversation: 0xFF, then guest-sync-delimited with `token`.
    std::string sync(uint64_t token);
    // One command; its answer comes out of feed() as Output::reply.
    std::string command(const std::string& name, const Json& arguments = Json());
    // A command that answers nothing when it works (guest-shutdown): the
    // protocol goes back to ready without waiting.
    std::string command_without_reply(const std::string& name, const Json& arguments = Json());

    Output feed(std::string_view bytes);

private:
    void fail(Output& out, errc e, std::string detail);
    void handle(const Json& msg, Output& out);

    Limits limits_;
    JsonStream stream_;
    Phase phase_ = Phase::syncing;
    uint64_t token_ = 0;
    bool delimiter_seen_ = false;
};

}  // namespace qmp
