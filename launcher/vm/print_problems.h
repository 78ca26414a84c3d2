#pragma once
// Failures as the CLI prints them: "vmrun: what", then "  fix: fix" when
// there is one.

#include <iostream>
#include <vector>

#include "base/failure.h"

namespace vmrun {

inline void print_problems(const std::vector<Failure>& problems) {
    for (const auto& p : problems) {
        std::cerr << "vmrun: " << p.what << "\n";
        if (!p.fix.empty()) std::cerr << "  fix: " << p.fix << "\n";
    }
}

}  // namespace vmrun
