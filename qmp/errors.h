#pragma once
// The ways a QMP exchange fails, as std::error_code so callers test for each
// one (Boost.Redis style) instead of parsing strings.

#include <string>
#include <system_error>

namespace qmp {

enum class errc {
    command_failed = 1,   // QEMU answered {"error": {...}}; see Reply::error_class/desc
    connection_lost,      // the socket closed or failed mid-conversation
    protocol_violation,   // bytes that are not QMP: bad JSON, a reply to nobody, ...
    no_greeting,          // the peer never sent the {"QMP": ...} banner
    timeout,              // no reply within the command's deadline
    cancelled,            // the caller gave up on the command
    not_connected,
    message_too_large,    // one message over Limits::max_message bytes
    nesting_too_deep,     // objects/arrays nested over Limits::max_depth
};

const std::error_category& qmp_category();
std::error_code make_error_code(errc e);

}  // namespace qmp

template <>
struct std::is_error_code_enum<qmp::errc> : std::true_type {};
