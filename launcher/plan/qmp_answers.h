#pragma once
// The fields the commands read from QEMU's answers to query-status and
// query-balloon. Pure, and safe on any shape: an answer that is not what
// QEMU 7.2 sends reads as "no value", never as an exception halfway through
// a command (hotplug reads QEMU's answers after the device is in).

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace vmrun {

// query-status's "status" ("running", "paused", ...); "?" when it has none.
std::string run_state_in(const nlohmann::json& query_status);
// query-balloon's "actual", the bytes the guest has; nullopt when it has none.
std::optional<uint64_t> balloon_bytes_in(const nlohmann::json& query_balloon);

}  // namespace vmrun
