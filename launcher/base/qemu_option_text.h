#pragma once
// QEMU's option-string text rules, shared by what writes QEMU options
// (plan/qemu_option) and what reads them back (hotplug's --device, the
// libvirt import): a literal comma inside a value is written twice.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vmrun {

// QEMU's QemuOpts rule: a literal comma inside a value is written twice.
std::string escape_option_value(std::string_view value);

// The inverse of an option string: "driver,key=val,,ue" -> head + pairs.
// The first element is the head when it has no '='.
struct ParsedOption {
    std::string head;
    std::vector<std::pair<std::string, std::string>> props;
};
ParsedOption parse_option(std::string_view text);

}  // namespace vmrun
