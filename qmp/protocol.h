#pragma once
// The QMP protocol with no I/O: bytes in, decisions out. It tracks the
// greeting -> qmp_capabilities -> ready phases, gives every command a unique
// id, matches replies to commands by id, separates events (which QEMU may
// interleave anywhere) from replies, and drops late replies to commands the
// caller already gave up on. The asio client is a thin shell around it.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "errors.h"
#include "json_stream.h"

namespace qmp {

using Json = nlohmann::json;

struct Reply {
    std::error_code ec;       // empty on success
    Json value;               // "return" on success
    std::string error_class;  // "GenericError", "DeviceNotFound", ... on command_failed
    std::string error_desc;
    explicit operator bool() const { return !ec; }
    std::string describe() const;  // "GenericError: Duplicate ID 'x' for device", or ec's message
};

struct Event {
    std::string name;
    Json data;
    double timestamp = 0;  // seconds since the epoch, from QEMU
    Json raw;
};

struct QemuVersion {
    int major = 0, minor = 0, micro = 0;
    std::string package;
};

class Protocol {
public:
    enum class Phase { greeting, negotiating, ready, failed };

    struct Output {
        std::string to_send;                          // bytes the protocol needs sent (qmp_capabilities)
        std::vector<std::pair<uint64_t, Reply>> replies;
        std::vector<Event> events;
        bool became_ready = false;
        std::error_code failure;                      // fatal: the conversation cannot go on
        std::string failure_detail;
        int dropped_replies = 0;                      // late replies to cancelled commands
    };

    explicit Protocol(Limits limits = {}) : stream_(limits) {}

    Phase phase() const { return phase_; }
    const QemuVersion& version() const { return version_; }

    // Encodes a command; the reply will carry the returned id.
    std::pair<uint64_t, std::string> command(const std::string& name, const Json& arguments = Json());
    // The caller stopped waiting for `id`: its reply, if it ever comes, is dropped.
    void cancel(uint64_t id);
    size_t pending() const { return pending_.size(); }

    Output feed(std::string_view bytes);

private:
    void handle(const Json& msg, Output& out);
    void fail(Output& out, errc e, std::string detail);

    Phase phase_ = Phase::greeting;
    QemuVersion version_;
    JsonStream stream_;
    uint64_t next_id_ = 1;
    uint64_t capabilities_id_ = 0;
    std::set<uint64_t> pending_, cancelled_;
};

std::string command_id(uint64_t id);  // the wire form: "vmrun-<n>"

// One command as it goes on the wire (QMP's and the guest agent's): "execute",
// "arguments" unless there are none, "id" when given; one line.
std::string encode_command(const std::string& name, const Json& arguments, const std::string& id = "");

}  // namespace qmp
