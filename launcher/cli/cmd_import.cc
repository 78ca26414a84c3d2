// vmrun import libvirt DOMAIN.xml: a profile on stdout, what it does not
// carry over as warnings on stderr.

#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "base/exit_codes.h"
#include "cli/command.h"
#include "libvirt/domain_import.h"

namespace vmrun::cli {

int run_import(const ParsedArgs& args) {
    auto format = args.positional("FORMAT");
    auto path = args.positional("XML");
    if (format != "libvirt") {
        std::cerr << "vmrun: import knows one format, 'libvirt' (vmrun import libvirt vm.xml > vm.yaml)\n";
        return kExitUsage;
    }
    std::ifstream in(path);
    if (!in) {
        std::cerr << "vmrun: cannot read " << path << " (virsh dumpxml NAME > " << path << " writes one)\n";
        return kExitUsage;
    }
    // Past the limit is enough for the importer to refuse the file, without
    // holding all of a file of any size first.
    std::string text;
    std::vector<char> chunk(64 << 10);
    while (text.size() <= kLibvirtXmlMaxBytes) {
        in.read(chunk.data(), std::streamsize(chunk.size()));
        text.append(chunk.data(), size_t(in.gcount()));
        if (!in) break;
    }
    if (in.bad()) {
        std::cerr << "vmrun: cannot read " << path << "\n";
        return kExitUsage;
    }
    auto imported = import_libvirt_domain(text, path);
    if (!imported.error.empty()) {
        std::cerr << "vmrun: " << imported.error << "\n";
        return kExitInvalidProfile;
    }
    for (const auto& w : imported.warnings) std::cerr << "vmrun: import: " << w << "\n";
    std::cout << imported.yaml;
    return kExitOk;
}

}  // namespace vmrun::cli
