#pragma once
// A step's failure as the text a test compares and shows: "" when it did not fail.

#include <optional>
#include <string>
#include <vector>

#include "base/failure.h"

namespace vmrun::testing {

inline std::string failure_text(const std::optional<Failure>& f) { return f ? f->text() : ""; }

}  // namespace vmrun::testing

// Whether any of `failures` says `part` (with its fix).
inline bool mentions(const std::vector<vmrun::Failure>& failures, const std::string& part) {
    for (const auto& f : failures)
        if (f.text().find(part) != std::string::npos) return true;
    return false;
}
