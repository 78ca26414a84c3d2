#include "plan/qmp_answers.h"

namespace vmrun {

std::string run_state_in(const nlohmann::json& query_status) {
    if (!query_status.is_object()) return "?";
    auto status = query_status.find("status");
    if (status == query_status.end() || !status->is_string()) return "?";
    return status->get<std::string>();
}

std::optional<uint64_t> balloon_bytes_in(const nlohmann::json& query_balloon) {
    if (!query_balloon.is_object()) return std::nullopt;
    auto actual = query_balloon.find("actual");
    // A negative or fractional size is no size (and a float's conversion could overflow).
    if (actual == query_balloon.end() || !actual->is_number_unsigned()) return std::nullopt;
    return actual->get<uint64_t>();
}

}  // namespace vmrun
