#pragma once
// Reading a journal entry's arguments without trusting them. The journal is
// vmrun's own file, but it outlives the process that wrote it and can be
// damaged or edited; an undo that reads it must never throw on a wrong type,
// and must act only on what vmrun itself could have written.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace vmrun {

class JournalArgs {
public:
    explicit JournalArgs(const nlohmann::json& args) : args_(args) {}
    std::optional<std::string> text(const char* key) const {
        auto v = find(key);
        return v && v->is_string() ? std::optional(v->get<std::string>()) : std::nullopt;
    }
    std::optional<int64_t> integer(const char* key) const {
        auto v = find(key);
        if (!v || !v->is_number_integer()) return std::nullopt;
        if (v->is_number_unsigned() && v->get<uint64_t>() > uint64_t(INT64_MAX)) return std::nullopt;
        return v->get<int64_t>();
    }
    std::optional<uint64_t> count(const char* key) const {
        auto v = find(key);
        return v && v->is_number_unsigned() ? std::optional(v->get<uint64_t>()) : std::nullopt;
    }
    // "sysroot" as vmrun writes it: an absolute path that climbs nowhere.
    bool has_sysroot() const {
        auto s = text("sysroot");
        return s && !s->empty() && s->front() == '/' && s->find("..") == std::string::npos;
    }

private:
    const nlohmann::json* find(const char* key) const {
        if (!args_.is_object()) return nullptr;
        auto it = args_.find(key);
        return it == args_.end() ? nullptr : &*it;
    }
    const nlohmann::json& args_;
};

}  // namespace vmrun
