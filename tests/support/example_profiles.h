#pragma once
// The example profiles shipped in profiles/: every test that walks "each
// example" takes this list, so a new example is tested without being named.

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace vmrun::testing {

// Names without ".yaml", sorted.
inline std::vector<std::string> example_profiles() {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(std::string(VMRUN_SOURCE_DIR) + "/profiles"))
        if (e.path().extension() == ".yaml") names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace vmrun::testing
