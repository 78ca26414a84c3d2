#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vmrun {

// `parts` with `separator` between each two (none before the first or after
// the last; an empty part still gets its separators).
std::string join(const std::vector<std::string>& parts, std::string_view separator);

}  // namespace vmrun
