#include "base/failure.h"

namespace vmrun {

std::string Failure::text() const {
    std::string out = where.empty() ? what : where + ": " + what;
    if (!fix.empty()) out += "; " + fix;
    return out;
}

}  // namespace vmrun
