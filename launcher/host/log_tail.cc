#include "host/log_tail.h"

#include <fstream>
#include <vector>

namespace vmrun {

std::string log_tail(const std::string& path, size_t lines) {
    std::ifstream in(path);
    std::string line, out;
    std::vector<std::string> all;
    while (std::getline(in, line)) all.push_back(line);
    for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) out += "\n  " + all[i];
    return out;
}

}  // namespace vmrun
