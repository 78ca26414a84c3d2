// libFuzzer target: any bytes as the domain XML 'vmrun import' reads — a
// file from another machine or another person. Invariants: nothing aborts or
// throws; an import gives a profile or an error, never both; the profile is
// YAML that reads back as a mapping with only keys vmrun knows, so no value
// from the XML has become a key of its own.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "libvirt/domain_import.h"
#include "profile/profile_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string xml(reinterpret_cast<const char*>(data), size);
    auto imported = vmrun::import_libvirt_domain(xml, "fuzz.xml");
    if (imported.yaml.empty() == imported.error.empty()) std::abort();
    if (imported.yaml.empty()) return 0;
    try {
        if (!YAML::Load(imported.yaml).IsMap()) std::abort();
    } catch (const YAML::Exception&) {
        std::abort();  // vmrun wrote text that is not YAML
    }
    auto loaded = vmrun::load_profile(imported.yaml, "fuzz.yaml", "/vm");
    for (const auto& d : loaded.diagnostics.all())
        if (d.severity == vmrun::Severity::error &&
            (d.message.rfind("unknown key '", 0) == 0 ||
             (d.message.rfind("key '", 0) == 0 && d.message.find("' appears twice in ") != std::string::npos)))
            std::abort();
    return 0;
}
