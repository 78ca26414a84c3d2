#include "base/failure.h"

namespace vmrun {

std::string Failure::text() const {
    return fix.empty() ? what : what + "; " + fix;
}

}  // namespace vmrun
