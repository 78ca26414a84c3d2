#include "protocol.h"

#include <algorithm>
#include <climits>
#include <optional>

namespace qmp {

std::string command_id(uint64_t id) { return "vmrun-" + std::to_string(id); }

namespace {
// Checked reads: the peer decides every type, so nothing here may assume one
// (nlohmann's value() and get() throw on a mismatch).
const Json* member(const Json& object, const char* key) {
    if (!object.is_object()) return nullptr;
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

std::optional<std::string> string_member(const Json& object, const char* key) {
    const Json* v = member(object, key);
    if (!v || !v->is_string()) return std::nullopt;
    return v->get<std::string>();
}

// A number QEMU reports as an integer, read without trusting its range.
int64_t int_member(const Json& object, const char* key) {
    const Json* v = member(object, key);
    if (!v) return 0;
    if (v->is_number_integer()) return v->get<int64_t>();
    if (v->is_number_unsigned()) return int64_t(std::min<uint64_t>(v->get<uint64_t>(), uint64_t(INT64_MAX)));
    return 0;
}

int small_int(int64_t v) { return int(std::clamp<int64_t>(v, 0, 1 << 20)); }

std::string excerpt(const Json& msg) {
    return msg.dump(-1, ' ', false, Json::error_handler_t::replace).substr(0, 200);
}

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
    pending_.insert(id);
    return {id, encode_command(name, arguments, command_id(id))};
}

std::string encode_command(const std::string& name, const Json& arguments, const std::string& id) {
    Json msg = {{"execute", name}};
    if (!id.empty()) msg["id"] = id;
    if (!arguments.is_null() && !(arguments.is_object() && arguments.empty())) msg["arguments"] = arguments;
    return msg.dump() + "\n";
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
        if (auto ec = stream_.error()) {
            std::string detail = ec == errc::message_too_large
                                     ? "a message over " + std::to_string(stream_.limits().max_message) + " bytes"
                                 : ec == errc::nesting_too_deep
                                     ? "a message nested over " + std::to_string(stream_.limits().max_depth) + " levels deep"
                                     : "bytes outside a JSON object";
            fail(out, errc(ec.value()), detail);
            break;
        }
        if (!text) break;
        Json msg = Json::parse(*text, nullptr, false);
        if (msg.is_discarded() || !msg.is_object()) {
            fail(out, errc::protocol_violation, "invalid JSON: " + Json(text->substr(0, 200)).dump(-1, ' ', false, Json::error_handler_t::replace));
            break;
        }
        handle(msg, out);
    }
    return out;
}

void Protocol::handle(const Json& msg, Output& out) {
    if (phase_ == Phase::greeting) {
        const Json* qmp = member(msg, "QMP");
        if (!qmp || !qmp->is_object()) {
            fail(out, errc::no_greeting, "first message is not a QMP greeting: " + excerpt(msg));
            return;
        }
        const Json* v = member(*qmp, "version");
        const Json* q = v ? member(*v, "qemu") : nullptr;
        version_ = {q ? small_int(int_member(*q, "major")) : 0, q ? small_int(int_member(*q, "minor")) : 0,
                    q ? small_int(int_member(*q, "micro")) : 0, v ? string_member(*v, "package").value_or("") : ""};
        auto [id, wire] = command("qmp_capabilities");
        capabilities_id_ = id;
        out.to_send += wire;
        phase_ = Phase::negotiating;
        return;
    }
    if (member(msg, "event")) {
        auto name = string_member(msg, "event");
        if (!name) {
            fail(out, errc::protocol_violation, "an event whose name is not a string: " + excerpt(msg));
            return;
        }
        Event e;
        e.name = *name;
        const Json* data = member(msg, "data");
        e.data = data && data->is_object() ? *data : Json::object();
        if (const Json* ts = member(msg, "timestamp"))
            e.timestamp = double(int_member(*ts, "seconds")) + double(int_member(*ts, "microseconds")) / 1e6;
        e.raw = msg;
        out.events.push_back(std::move(e));
        return;
    }
    const Json* returned = member(msg, "return");
    const Json* error = member(msg, "error");
    if (!returned && !error) {
        fail(out, errc::protocol_violation, "message is neither reply nor event: " + excerpt(msg));
        return;
    }
    if (error && !error->is_object()) {
        fail(out, errc::protocol_violation, "an error that is not an object: " + excerpt(msg));
        return;
    }
    uint64_t id = 0;
    const Json* id_field = member(msg, "id");
    if (!id_field || !parse_id(*id_field, id)) {
        // QEMU answers a command it could not even parse without an id; we
        // cannot tell whose it is, so the stream is no longer trustworthy.
        fail(out, errc::protocol_violation, "reply without a known id: " + excerpt(msg));
        return;
    }
    if (cancelled_.erase(id)) {
        ++out.dropped_replies;
        return;
    }
    if (!pending_.erase(id)) {
        fail(out, errc::protocol_violation, "reply to a command never sent: " + excerpt(msg));
        return;
    }
    Reply r;
    if (returned) {
        r.value = *returned;
    } else {
        r.ec = errc::command_failed;
        r.error_class = string_member(*error, "class").value_or("GenericError");
        r.error_desc = string_member(*error, "desc").value_or("");
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
