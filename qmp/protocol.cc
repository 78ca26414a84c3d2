#include "protocol.h"

namespace qmp {

std::string command_id(uint64_t id) { return "vmrun-" + std::to_string(id); }

namespace {
bool parse_id(const Json& j, uint64_t& out) {
    if (!j.is_string()) return false;
    const auto& s = j.get_ref<const std::string&>();
    if (s.rfind("vmrun-", 0) != 0) return false;
    try {
        size_t used = 0;
        out = std::stoull(s.substr(6), &used);
        return used == s.size() - 6;
    } catch (...) {
        return false;
    }
}
}  // namespace

std::string Reply::describe() const {
    if (ec == errc::command_failed) return error_class + ": " + error_desc;
    return ec ? ec.message() : "ok";
}

std::pair<uint64_t, std::string> Protocol::command(const std::string& name, const Json& arguments) {
    uint64_t id = next_id_++;
    Json msg = {{"execute", name}, {"id", command_id(id)}};
    if (!arguments.is_null() && !(arguments.is_object() && arguments.empty())) msg["arguments"] = arguments;
    pending_.insert(id);
    return {id, msg.dump() + "\n"};
}

void Protocol::cancel(uint64_t id) {
    if (pending_.erase(id)) cancelled_.insert(id);
}

void Protocol::fail(Output& out, errc e, std::string detail) {
    phase_ = Phase::failed;
    out.failure = e;
    out.failure_detail = std::move(detail);
}

Protocol::Output Protocol::feed(std::string_view bytes) {
    Output out;
    if (phase_ == Phase::failed) return out;
    stream_.feed(bytes);
    while (phase_ != Phase::failed) {
        auto text = stream_.next();
        if (stream_.garbage()) {
            fail(out, errc::protocol_violation, "bytes outside a JSON object");
            break;
        }
        if (!text) break;
        Json msg = Json::parse(*text, nullptr, false);
        if (msg.is_discarded() || !msg.is_object()) {
            fail(out, errc::protocol_violation, "invalid JSON: " + text->substr(0, 200));
            break;
        }
        handle(msg, out);
    }
    return out;
}

void Protocol::handle(const Json& msg, Output& out) {
    if (phase_ == Phase::greeting) {
        if (!msg.contains("QMP")) {
            fail(out, errc::no_greeting, "first message is not a QMP greeting: " + msg.dump().substr(0, 200));
            return;
        }
        const auto& v = msg["QMP"].value("version", Json::object());
        const auto& q = v.value("qemu", Json::object());
        version_ = {q.value("major", 0), q.value("minor", 0), q.value("micro", 0), v.value("package", "")};
        auto [id, wire] = command("qmp_capabilities");
        capabilities_id_ = id;
        out.to_send += wire;
        phase_ = Phase::negotiating;
        return;
    }
    if (msg.contains("event")) {
        Event e;
        e.name = msg.value("event", "");
        e.data = msg.value("data", Json::object());
        const auto& ts = msg.value("timestamp", Json::object());
        e.timestamp = double(ts.value("seconds", 0)) + double(ts.value("microseconds", 0)) / 1e6;
        e.raw = msg;
        out.events.push_back(std::move(e));
        return;
    }
    bool is_return = msg.contains("return"), is_error = msg.contains("error");
    if (!is_return && !is_error) {
        fail(out, errc::protocol_violation, "message is neither reply nor event: " + msg.dump().substr(0, 200));
        return;
    }
    uint64_t id = 0;
    if (!msg.contains("id") || !parse_id(msg["id"], id)) {
        // QEMU answers a command it could not even parse without an id; we
        // cannot tell whose it is, so the stream is no longer trustworthy.
        fail(out, errc::protocol_violation, "reply without a known id: " + msg.dump().substr(0, 200));
        return;
    }
    if (cancelled_.erase(id)) {
        ++out.dropped_replies;
        return;
    }
    if (!pending_.erase(id)) {
        fail(out, errc::protocol_violation, "reply to a command never sent: " + msg.dump().substr(0, 200));
        return;
    }
    Reply r;
    if (is_return) {
        r.value = msg["return"];
    } else {
        r.ec = errc::command_failed;
        r.error_class = msg["error"].value("class", "GenericError");
        r.error_desc = msg["error"].value("desc", "");
    }
    if (id == capabilities_id_) {
        if (r.ec) {
            fail(out, errc::protocol_violation, "qmp_capabilities refused: " + r.describe());
            return;
        }
        phase_ = Phase::ready;
        out.became_ready = true;
        return;
    }
    out.replies.emplace_back(id, std::move(r));
}

}  // namespace qmp
