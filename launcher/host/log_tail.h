#pragma once
// The last lines of a log: a helper's (swtpm, virtiofsd) for a start that
// failed, the VM's own for a report.

#include <string>

namespace vmrun {

// The file's last `lines` lines, each ending in a newline; all of it when
// `lines` is 0; "" for a missing file.
std::string read_last_lines(const std::string& path, size_t lines = 0);

// Each line indented on a line of its own: "\n  line1\n  line2"; "" for a missing or empty log.
std::string log_tail(const std::string& path, size_t lines = 5);

}  // namespace vmrun
