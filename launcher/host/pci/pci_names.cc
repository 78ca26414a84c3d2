#include "host/pci/pci_names.h"

#include <cstdio>
#include <fstream>
#include <map>

namespace vmrun {

namespace {
// vendor -> name, vendor<<16|device -> name; read once.
struct PciIds {
    std::map<uint32_t, std::string> names;
    PciIds() {
        for (const char* path : {"/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids"}) {
            std::ifstream in(path);
            if (!in) continue;
            std::string line;
            uint32_t vendor = 0;
            while (std::getline(in, line)) {
                if (line.empty() || line[0] == '#') continue;
                if (line.rfind("C ", 0) == 0) break;  // device classes follow; not needed
                unsigned id = 0;
                if (line[0] != '\t' && std::sscanf(line.c_str(), "%4x", &id) == 1 && line.size() > 6) {
                    vendor = id;
                    names[vendor] = line.substr(6);
                } else if (line.size() > 7 && line[0] == '\t' && line[1] != '\t' && std::sscanf(line.c_str() + 1, "%4x", &id) == 1) {
                    names[(vendor << 16) | id] = line.substr(7);
                }
            }
            return;
        }
    }
};
}  // namespace

std::string pci_name(uint16_t vendor, uint16_t device) {
    static const PciIds ids;
    auto v = ids.names.find(vendor);
    auto d = ids.names.find((uint32_t(vendor) << 16) | device);
    if (v == ids.names.end()) return "";
    return v->second + (d == ids.names.end() ? "" : " " + d->second);
}

}  // namespace vmrun
