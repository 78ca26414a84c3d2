#pragma once
// Problems ("what" and "fix") as the CLI prints them: "vmrun: what\n  fix: fix".

#include <iostream>

namespace vmrun {

template <typename Problems>
void print_problems(const Problems& problems) {
    for (const auto& p : problems) std::cerr << "vmrun: " << p.what << "\n  fix: " << p.fix << "\n";
}

}  // namespace vmrun
