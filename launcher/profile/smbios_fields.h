#pragma once
// The SMBIOS strings a profile may set, per structure type, with QEMU's own
// -smbios key names (what licence checks and anti-cheat read in the guest),
// and where each one lives in the host's /sys/class/dmi/id for 'smbios: host'.

#include <string>
#include <vector>

namespace vmrun {

struct SmbiosField {
    int type;           // 0 BIOS, 1 system, 2 baseboard, 3 chassis, 17 memory device
    const char* key;    // QEMU's -smbios key
    const char* dmi;    // the file in /sys/class/dmi/id copied by 'smbios: host'; nullptr when none
};

const std::vector<SmbiosField>& smbios_fields();
// The types a profile may name, as "type0", "type1", ...
const std::vector<int>& smbios_types();

}  // namespace vmrun
