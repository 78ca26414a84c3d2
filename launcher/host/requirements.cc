#include "host/requirements.h"

namespace vmrun {

namespace {
std::string in_file(const std::string& file) { return file.empty() ? " in the profile" : " in " + file; }
}  // namespace

Failure qemu_missing(const std::string& binary) {
    return {"QEMU (" + binary + ") is not installed", "apt-get install qemu-system-x86 (dnf install qemu-kvm, pacman -S qemu-full)"};
}

Failure kvm_unusable(bool intel, const std::string& profile_file) {
    return {"/dev/kvm is not usable",
            std::string("enable VT-x/AMD-V in the firmware, modprobe ") + (intel ? "kvm_intel" : "kvm_amd") +
                ", and add your user to group kvm" + (profile_file.empty() ? "" : "; or set 'accelerator: tcg' (slow) in " + profile_file)};
}

Failure swtpm_missing(const std::string& binary, const std::string& profile_file) {
    return {"swtpm (" + binary + ") is not installed, and the profile asks for a TPM", "apt-get install swtpm, or remove 'tpm'" + in_file(profile_file)};
}

Failure ovmf_file_missing(const std::string& what, const std::string& path, const std::string& key, const std::string& profile_file) {
    return {what + " " + path + " does not exist", "apt-get install ovmf, or correct '" + key + "'" + in_file(profile_file), path};
}

std::vector<Failure> hugepage_shortfall(const HugepagePlan& h, const std::optional<HugepagePool>& pool, bool mount_exists,
                                            const std::string& profile_file) {
    std::vector<Failure> out;
    std::string size = page_size_name(h.page_kib);
    if (!pool) {
        out.push_back({"this kernel has no " + size + " huge pages, and the profile asks for them",
                       h.page_kib == 1048576 ? "1G pages need a CPU with pdpe1gb; set hugepages size: 2M" + in_file(profile_file)
                                             : "use a kernel with CONFIG_HUGETLBFS, or remove 'hugepages'" + in_file(profile_file)});
        return out;
    }
    if (!h.allocate && pool->available() < h.pages)
        out.push_back({"only " + std::to_string(pool->available()) + " " + size + " huge pages are free; the VM needs " + std::to_string(h.pages),
                       "set hugepages: {size: " + size + ", allocate: true}" + in_file(profile_file) + " to have vmrun add them at start, or echo " +
                           std::to_string(pool->total + h.pages - pool->available()) + " > /sys/kernel/mm/hugepages/hugepages-" +
                           std::to_string(h.page_kib) + "kB/nr_hugepages (or hugepagesz=" + size + " hugepages=" + std::to_string(h.pages) +
                           " on the kernel command line)"});
    if (!h.private_mount && !mount_exists)
        out.push_back({"no hugetlbfs is mounted at " + h.mem_path,
                       "mount -t hugetlbfs -o pagesize=" + size + " none " + h.mem_path + ", or set hugepages: {size: " + size +
                           ", allocate: true}" + in_file(profile_file) + " (vmrun then mounts its own)"});
    return out;
}

}  // namespace vmrun
