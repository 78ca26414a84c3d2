#include "vm/snapshot_rules.h"

#include <cctype>

namespace vmrun {

SnapshotDisks snapshot_disks(const Profile& profile) {
    SnapshotDisks out;
    for (const auto& d : profile.disks) {
        if (d.media == DiskMedia::cdrom || d.readonly) continue;
        if (d.format != DiskFormat::qcow2) {
            out.failure = Failure{"disk '" + d.id + "' (" + d.path + ") is raw: an internal snapshot lives inside a qcow2 image",
                                  "convert it (qemu-img convert -O qcow2 " + d.path + " NEW.qcow2) and point the profile's 'path' at it, "
                                  "or make it 'readonly: true' if the guest never writes to it",
                                  d.path};
            return out;
        }
        out.disks.push_back(d);
    }
    if (out.disks.empty())
        out.failure = Failure{"the VM has no writable disk to take a snapshot of", "add a qcow2 disk to its profile", profile.source_file};
    return out;
}

std::vector<std::string> vfio_devices_in(const nlohmann::json& qom_list) {
    std::vector<std::string> out;
    if (!qom_list.is_array()) return out;
    for (const auto& child : qom_list)
        if (child.is_object() && child.value("type", std::string()) == "child<vfio-pci>" && child.contains("name") &&
            child["name"].is_string())
            out.push_back(child["name"].get<std::string>());
    return out;
}

bool is_snapshot_tag(const std::string& tag) {
    if (tag.empty() || tag.size() > 64 || std::isdigit((unsigned char)tag[0])) return false;  // qemu-img reads a number as an id
    for (char c : tag)
        if (!std::isalnum((unsigned char)c) && c != '-' && c != '_' && c != '.') return false;
    return true;
}

}  // namespace vmrun
