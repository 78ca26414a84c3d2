#pragma once
// The firmware's framebuffer inside a passed GPU's BARs. The boot picture
// lives in the boot GPU's memory BAR; the kernel registers it as a resource
// in /proc/iomem — BOOTFB (the sysfb platform device) and the name of the
// driver that took it: efifb, vesafb, simplefb or, on kernels with
// CONFIG_SYSFB_SIMPLEFB (Debian 13, Fedora, Arch, Ubuntu 24.04), simpledrm.
// While any of them sits in a BAR, vfio-pci cannot reserve that BAR ("BAR N:
// can't reserve"): the guest gets Code 43 or a black screen. Unbinding efifb
// frees its range; the BOOTFB range of a simpledrm kernel stays until a
// native GPU driver removes it — never when the GPU went to vfio-pci at boot,
// nor under NVIDIA without nvidia_drm.fbdev=1. Then only the kernel
// parameter initcall_blacklist=sysfb_init (no sysfb at all) helps.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.h"
#include "base/pci_address.h"
#include "host/pci/pci_bars.h"

namespace vmrun {

struct IomemRange {
    uint64_t start = 0, end = 0;
    std::string name;
};

// Every line of /proc/iomem, nested ones included ("  e0000000-e07fffff : BOOTFB").
std::vector<IomemRange> parse_iomem(std::string_view text);

struct FramebufferClaim {
    std::string name;  // BOOTFB, efifb, simpledrm, vesafb, simplefb
    uint64_t start = 0, end = 0;
    int bar = 0;       // the BAR it lies in
};

// The firmware framebuffer's ranges that overlap these BARs.
std::vector<FramebufferClaim> framebuffer_claims(const std::vector<IomemRange>& iomem, const std::vector<PciBar>& bars);

// The same for a function on this host (SYSROOT/proc/iomem, its resource
// file). Empty when unreadable; as non-root /proc/iomem shows only zeros.
std::vector<FramebufferClaim> read_framebuffer_claims(const std::string& sysroot, const PciAddress& gpu);

// "BOOTFB 0xe0000000-0xe07fffff, simpledrm 0xe0000000-0xe07fffff in BAR 1"
std::string describe_claims(const std::vector<FramebufferClaim>& claims);

// The refusal before a start without host_display, and the failure of a
// handover that released the framebuffer drivers and still finds a claim.
Failure framebuffer_in_bar(const PciAddress& gpu, const std::vector<FramebufferClaim>& claims, const std::string& profile_file);
Failure framebuffer_still_in_bar(const PciAddress& gpu, const std::vector<FramebufferClaim>& claims);

}  // namespace vmrun
