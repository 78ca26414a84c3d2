#pragma once
// vmrun report: one folder to attach to a bug report — versions, the profile
// and QEMU's argv, the VM's log, console, journal and last exit, 'vmrun check',
// each passed function's sysfs state, the kernel command line and the kernel
// log's passthrough lines. Secrets stay out: no cookie is copied, MAC
// addresses are masked unless asked for.

#include <optional>
#include <string>
#include <vector>

#include "base/failure.h"
#include "plan/vm_paths.h"

namespace vmrun {

struct ReportRequest {
    VmPaths vm;                 // the VM's folders (it need not be running)
    std::string profile_path;   // "" when none was given or found
    std::string output_dir;     // the report's folder is made in here
    std::string vmrun_version;
    bool keep_macs = false;
};

struct ReportFile {
    std::string name;  // in the report's folder
    std::string what;  // one line for README.txt
};

struct Report {
    std::string folder;
    std::vector<ReportFile> files;
    std::vector<std::string> left_out;  // what could not be had, and why
    std::optional<Failure> failure;     // the folder itself could not be made
};

Report write_report(const ReportRequest& request);

// The profile of VM `vm`: the one it runs from, else /etc/vmrun/NAME.yaml; "" when neither.
std::string profile_of(const VmPaths& vm);

}  // namespace vmrun
