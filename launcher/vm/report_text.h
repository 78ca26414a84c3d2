#pragma once
// What a bug report keeps of the host's text, decided without a host: the
// kernel log lines that speak of passthrough, and MAC addresses left out.
// Pure.

#include <string>
#include <vector>

namespace vmrun {

// The lines of `dmesg` that matter for passthrough: vfio, the IOMMU (DMAR,
// AMD-Vi), resets and D3, firmware framebuffers, and any line naming one of
// `addresses` ("0000:01:00.0"), at most `most` of them (the newest).
std::vector<std::string> relevant_kernel_lines(const std::string& dmesg, const std::vector<std::string>& addresses,
                                               size_t most = 2000);

// `text` with every MAC address (six hex pairs joined by ':' or '-') shown
// as xx:xx:xx:xx:xx:xx.
std::string without_macs(const std::string& text);

}  // namespace vmrun
