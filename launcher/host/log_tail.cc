#include "host/log_tail.h"

#include <fstream>
#include <vector>

namespace vmrun {

namespace {
std::vector<std::string> last_of(const std::string& path, size_t lines) {
    std::ifstream in(path);
    std::vector<std::string> all;
    for (std::string line; std::getline(in, line);) all.push_back(line);
    if (lines && all.size() > lines) all.erase(all.begin(), all.end() - lines);
    return all;
}
}  // namespace

std::string read_last_lines(const std::string& path, size_t lines) {
    std::string out;
    for (const auto& l : last_of(path, lines)) out += l + "\n";
    return out;
}

std::string log_tail(const std::string& path, size_t lines) {
    std::string out;
    for (const auto& l : last_of(path, lines)) out += "\n  " + l;
    return out;
}

}  // namespace vmrun
