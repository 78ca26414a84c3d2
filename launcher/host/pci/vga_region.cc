#include "host/pci/vga_region.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace fs = std::filesystem;

namespace vmrun {

namespace {

bool yes(std::string value) {
    while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
    return value == "1" || value == "Y" || value == "y";
}

// "disable_vga=1" among a modprobe "options vfio-pci ..." line's words, or a
// "vfio-pci.disable_vga=1" kernel parameter; the module's name with - or _.
bool sets_disable_vga(const std::string& word, bool with_module) {
    std::string w = word;
    std::replace(w.begin(), w.end(), '-', '_');
    std::string key = with_module ? "vfio_pci.disable_vga=" : "disable_vga=";
    return w.rfind(key, 0) == 0 && yes(w.substr(key.size()));
}

std::optional<std::string> configured_in_modprobe(const fs::path& dir) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".conf") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        std::ifstream in(f);
        for (std::string line; std::getline(in, line);) {
            std::istringstream words(line);
            std::string options, module;
            words >> options >> module;
            std::replace(module.begin(), module.end(), '-', '_');
            if (options != "options" || module != "vfio_pci") continue;
            for (std::string w; words >> w;)
                if (sets_disable_vga(w, false)) return f.string();
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<Failure> vga_region_problem(const std::string& sysroot, const PciAddress& gpu, const std::string& profile_file) {
    const std::string refused = "QEMU refuses x_vga for " + gpu.str() + " (\"device does not support requested feature\")";
    const std::string drop_x_vga = "remove x_vga from " + profile_file + " (OVMF needs none; it is for SeaBIOS)";
    auto params = fs::path(sysroot) / "sys/module/vfio_pci/parameters";
    std::error_code ec;
    if (fs::is_directory(params, ec)) {
        auto param = params / "disable_vga";
        if (!fs::exists(param, ec))
            return Failure{"this kernel's vfio-pci is built without CONFIG_VFIO_PCI_VGA: it gives no device a VGA region, so " + refused,
                           drop_x_vga, params.string()};
        std::ifstream in(param);
        std::string value;
        std::getline(in, value);
        if (yes(value))
            return Failure{"vfio-pci runs with disable_vga=1: it gives no device a VGA region, so " + refused,
                           drop_x_vga + ", or take disable_vga=1 out of /etc/modprobe.d and load vfio-pci again "
                                        "(modprobe -r vfio-pci; modprobe vfio-pci)",
                           param.string()};
        return std::nullopt;
    }
    // Not loaded yet: it will be at the bind, with what is configured for it.
    std::ifstream cmdline(fs::path(sysroot) / "proc/cmdline");
    for (std::string w; cmdline >> w;)
        if (sets_disable_vga(w, true))
            return Failure{"the kernel's command line loads vfio-pci with disable_vga=1: it will give no device a VGA region, so " + refused,
                           drop_x_vga + ", or take vfio-pci.disable_vga=1 off the kernel's command line",
                           (fs::path(sysroot) / "proc/cmdline").string()};
    if (auto file = configured_in_modprobe(fs::path(sysroot) / "etc/modprobe.d"))
        return Failure{*file + " loads vfio-pci with disable_vga=1: it will give no device a VGA region, so " + refused,
                       drop_x_vga + ", or take disable_vga=1 out of " + *file, *file};
    return std::nullopt;
}

}  // namespace vmrun
