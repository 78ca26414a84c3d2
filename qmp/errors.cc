#include "errors.h"

namespace qmp {

namespace {
class Category : public std::error_category {
public:
    const char* name() const noexcept override { return "qmp"; }
    std::string message(int ev) const override {
        switch (errc(ev)) {
            case errc::command_failed: return "QEMU refused the command";
            case errc::connection_lost: return "connection to QEMU lost";
            case errc::protocol_violation: return "QMP protocol violation";
            case errc::no_greeting: return "no QMP greeting from the peer";
            case errc::timeout: return "QMP command timed out";
            case errc::cancelled: return "QMP command cancelled";
            case errc::not_connected: return "not connected to QMP";
            case errc::message_too_large: return "QMP message too large";
            case errc::nesting_too_deep: return "QMP message nested too deep";
        }
        return "unknown QMP error";
    }
};
}  // namespace

const std::error_category& qmp_category() {
    static Category c;
    return c;
}

std::error_code make_error_code(errc e) { return {int(e), qmp_category()}; }

}  // namespace qmp
