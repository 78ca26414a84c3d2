#pragma once
#include <string>

namespace vmrun {

// A locally administered-looking QEMU MAC (52:54:00:xx:xx:xx) derived from the
// VM name and NIC id, so the guest keeps its address (and Windows its network
// profile) across restarts without the user writing one down. FNV-1a: fixed by
// definition, so the address never changes between vmrun versions.
std::string stable_mac(const std::string& vm_name, const std::string& nic_id);

// A short hash of a text as hex digits, for names that must fit a limit.
std::string short_hash_hex(const std::string& text, int digits);

}  // namespace vmrun
