#pragma once
// A step's failure as the text a test compares and shows: "" when it did not fail.

#include <optional>
#include <string>

#include "base/failure.h"

namespace vmrun::testing {

inline std::string failure_text(const std::optional<Failure>& f) { return f ? f->text() : ""; }

}  // namespace vmrun::testing
