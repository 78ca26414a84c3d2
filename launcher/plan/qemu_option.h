#pragma once
// QEMU's "driver,key=value,key=value" option strings. Every value goes through
// escape_option_value, so a path like "/vm/a,b=c.img" cannot smuggle in a key.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/qemu_option_text.h"

namespace vmrun {

class QemuOption {
public:
    QemuOption() = default;
    // `head` is the driver or backend type ("vfio-pci", "socket"); vmrun's own
    // constants only, never user text.
    explicit QemuOption(std::string head) : head_(std::move(head)) {}

    QemuOption& set(const std::string& key, std::string_view value);
    QemuOption& set(const std::string& key, long long value) { return set(key, std::to_string(value)); }
    QemuOption& on_off(const std::string& key, bool value) { return set(key, value ? "on" : "off"); }
    // A bare flag as -cpu takes them: "host,kvm=off,+invtsc". Validated text only.
    QemuOption& flag(const std::string& text);

    std::string str() const;

private:
    std::string head_;
    std::vector<std::string> parts_;
};

}  // namespace vmrun
