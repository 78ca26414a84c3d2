#pragma once
#include <string>
#include <vector>

namespace vmrun {

// POSIX-shell quoting for display only (--dry-run): vmrun itself never runs a
// shell. Plain words stay bare; anything else is single-quoted.
std::string shell_quote(const std::string& word);
std::string shell_join(const std::vector<std::string>& argv);

}  // namespace vmrun
