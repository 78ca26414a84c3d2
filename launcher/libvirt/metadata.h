#pragma once
// The <metadata> element 'vmrun export libvirt' writes and 'vmrun import
// libvirt' reads: what a profile says that libvirt has no element for
// (run_as, sandbox, headless, shutdown_timeout, serial, hugepages.allocate and
// path, reset_nvram, tpm.reset, display gtk, root_ports.hotplug, a NIC's
// create_bridge and forwards, the disks' order). libvirt keeps it as written
// and ignores it, so a domain that went through libvirt comes back whole.

namespace vmrun {

inline constexpr const char* kVmrunMetadataNamespace = "urn:vmrun:profile:1";

}  // namespace vmrun
