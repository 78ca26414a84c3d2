// vmrun_generate: the files the build makes from vmrun's own tables, so that
// what gets installed says what the binary does. Run at build time; not installed.
//
//   vmrun_generate man VERSION OUT                 vmrun(1)
//   vmrun_generate unit VMRUN_BINARY PROFILE_DIR OUT  vmrun@.service
//   vmrun_generate reference README                  the key tables of profiles/README.md,
//                                                    rendered in place from profile/profile_schema.cc

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "cli/manual.h"
#include "plan/systemd_unit.h"
#include "profile/profile_schema.h"

namespace {

int write(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    if (!out.flush()) {
        std::cerr << "vmrun_generate: cannot write " << path << "\n";
        return 1;
    }
    return 0;
}

int rewrite_reference(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        std::cerr << "vmrun_generate: cannot read " << path << "\n";
        return 1;
    }
    std::stringstream text;
    text << in.rdbuf();
    std::vector<std::string> problems;
    auto updated = vmrun::with_key_tables(text.str(), problems);
    for (const auto& p : problems) std::cerr << path << ": " << p << "\n";
    if (!problems.empty()) return 1;
    return write(path, updated);
}

}  // namespace

int main(int argc, char** argv) {
    std::string what = argc > 1 ? argv[1] : "";
    if (what == "man" && argc == 4) return write(argv[3], vmrun::cli::vmrun_man_page(argv[2]));
    if (what == "unit" && argc == 5) return write(argv[4], vmrun::systemd_template_unit(argv[2], argv[3]));
    if (what == "reference" && argc == 3) return rewrite_reference(argv[2]);
    std::cerr << "usage: vmrun_generate man VERSION OUT | unit VMRUN_BINARY PROFILE_DIR OUT | reference README\n";
    return 64;
}
