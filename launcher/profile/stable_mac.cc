#include "profile/stable_mac.h"

#include <cstdint>
#include <cstdio>

namespace vmrun {

namespace {
uint32_t fnv1a32(const std::string& text) {
    uint32_t h = 2166136261u;
    for (unsigned char c : text) {
        h ^= c;
        h *= 16777619u;
    }
    return h;
}
}  // namespace

std::string stable_mac(const std::string& vm_name, const std::string& nic_id) {
    uint32_t h = fnv1a32(vm_name + "/" + nic_id);
    char buf[18];
    std::snprintf(buf, sizeof buf, "52:54:00:%02x:%02x:%02x", (h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff);
    return buf;
}

std::string short_hash_hex(const std::string& text, int digits) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08x", fnv1a32(text));
    return std::string(buf).substr(0, size_t(digits));
}

}  // namespace vmrun
