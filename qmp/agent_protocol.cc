#include "agent_protocol.h"

namespace qmp {

std::string AgentProtocol::sync(uint64_t token) {
    token_ = token;
    phase_ = Phase::syncing;
    delimiter_seen_ = false;
    stream_ = JsonStream(limits_);
    return std::string(1, '\xff') + encode_command("guest-sync-delimited", {{"id", token}});
}

std::string AgentProtocol::command(const std::string& name, const Json& arguments) {
    phase_ = Phase::waiting;
    return encode_command(name, arguments);
}

std::string AgentProtocol::command_without_reply(const std::string& name, const Json& arguments) {
    phase_ = Phase::ready;
    return encode_command(name, arguments);
}

void AgentProtocol::fail(Output& out, errc e, std::string detail) {
    phase_ = Phase::failed;
    out.failure = e;
    out.failure_detail = std::move(detail);
}

AgentProtocol::Output AgentProtocol::feed(std::string_view bytes) {
    Output out;
    if (phase_ == Phase::failed) return out;
    if (phase_ == Phase::syncing && !delimiter_seen_) {
        // Whatever an earlier client left unread, up to the agent's 0xFF.
        auto at = bytes.find('\xff');
        if (at == std::string_view::npos) {
            out.dropped += bytes.empty() ? 0 : 1;
            return out;
        }
        delimiter_seen_ = true;
        bytes.remove_prefix(at + 1);
    }
    stream_.feed(bytes);
    while (auto text = stream_.next()) {
        auto msg = Json::parse(*text, nullptr, false);
        if (msg.is_discarded() || !msg.is_object()) {
            fail(out, errc::protocol_violation, "the guest agent sent something that is not a JSON object");
            return out;
        }
        handle(msg, out);
        if (phase_ == Phase::failed) return out;
    }
    if (auto ec = stream_.error()) fail(out, static_cast<errc>(ec.value()), "the guest agent's stream: " + ec.message());
    return out;
}

void AgentProtocol::handle(const Json& msg, Output& out) {
    auto ret = msg.find("return");
    auto err = msg.find("error");
    if (phase_ == Phase::syncing) {
        if (ret != msg.end() && ret->is_number_unsigned() && ret->get<uint64_t>() == token_) {
            phase_ = Phase::ready;
            out.synced = true;
        } else {
            ++out.dropped;  // an answer to someone else's sync or command
        }
        return;
    }
    if (phase_ != Phase::waiting) {
        fail(out, errc::protocol_violation, "the guest agent answered a command nobody sent");
        return;
    }
    Reply r;
    if (ret != msg.end()) {
        r.value = *ret;
    } else if (err != msg.end() && err->is_object()) {
        r.ec = errc::command_failed;
        auto text = [&](const char* key) {
            auto f = err->find(key);
            return f != err->end() && f->is_string() ? f->get<std::string>() : std::string();
        };
        r.error_class = text("class");
        r.error_desc = text("desc");
    } else {
        fail(out, errc::protocol_violation, "the guest agent's answer has neither \"return\" nor \"error\"");
        return;
    }
    phase_ = Phase::ready;
    out.reply = std::move(r);
}

}  // namespace qmp
