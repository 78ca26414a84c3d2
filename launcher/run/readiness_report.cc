#include "run/readiness_report.h"

#include <nlohmann/json.hpp>

namespace vmrun {

std::string ready_report(pid_t supervisor) {
    return "READY " + std::to_string(supervisor) + "\n";
}

std::string failed_report(const Failure& failure) {
    nlohmann::json j = {{"what", failure.what}, {"fix", failure.fix}, {"where", failure.where}};
    return "ERROR " + j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::optional<ReadinessReport> parse_readiness_report(const std::string& text) {
    ReadinessReport out;
    if (text.rfind("READY ", 0) == 0) {
        try {
            long pid = std::stol(text.substr(6));
            if (pid <= 0) return std::nullopt;
            out.supervisor = static_cast<pid_t>(pid);
        } catch (const std::exception&) {
            return std::nullopt;
        }
        return out;
    }
    if (text.rfind("ERROR ", 0) != 0) return std::nullopt;
    auto j = nlohmann::json::parse(text.substr(6), nullptr, false);
    if (!j.is_object() || !j.contains("what") || !j["what"].is_string()) return std::nullopt;
    auto field = [&](const char* key) { return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string(); };
    out.failure = Failure{field("what"), field("fix"), field("where")};
    return out;
}

}  // namespace vmrun
