#pragma once
// vmrun(1), written in roff from the command table at build time (the
// vmrun_manpage tool), so the page says what the binary's --help says.

#include <string>

namespace vmrun::cli {

std::string vmrun_man_page(const std::string& version);

// Text as a roff line: backslashes and hyphens escaped, never a request.
std::string roff_text(const std::string& text);

}  // namespace vmrun::cli
