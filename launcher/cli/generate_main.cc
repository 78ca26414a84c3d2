// vmrun_generate: the files the build makes from vmrun's own tables, so that
// what gets installed says what the binary does. Run at build time; not installed.
//
//   vmrun_generate man VERSION OUT                 vmrun(1)
//   vmrun_generate unit VMRUN_BINARY PROFILE_DIR OUT  vmrun@.service

#include <fstream>
#include <iostream>
#include <string>

#include "cli/manual.h"
#include "plan/systemd_unit.h"

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

}  // namespace

int main(int argc, char** argv) {
    std::string what = argc > 1 ? argv[1] : "";
    if (what == "man" && argc == 4) return write(argv[3], vmrun::cli::vmrun_man_page(argv[2]));
    if (what == "unit" && argc == 5) return write(argv[4], vmrun::systemd_template_unit(argv[2], argv[3]));
    std::cerr << "usage: vmrun_generate man VERSION OUT | unit VMRUN_BINARY PROFILE_DIR OUT\n";
    return 64;
}
