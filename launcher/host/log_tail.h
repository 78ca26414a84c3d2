#pragma once
// The last lines of a helper's log (swtpm, virtiofsd), for a start that failed.

#include <string>

namespace vmrun {

// Each line indented on a line of its own: "\n  line1\n  line2"; "" for a missing or empty log.
std::string log_tail(const std::string& path, size_t lines = 5);

}  // namespace vmrun
