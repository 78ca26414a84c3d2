#include "run/firmware_vars.h"

#include <filesystem>

#include "host/requirements.h"

namespace fs = std::filesystem;

namespace vmrun {


VarsResult prepare_firmware_vars(const FirmwarePlan& firmware) {
    VarsResult r;
    if (firmware.type != FirmwareType::ovmf) return r;
    std::error_code ec;
    if (!fs::exists(firmware.code, ec)) {
        // The preflight's refusal, for a file removed since.
        r.failure = ovmf_file_missing("OVMF code image", firmware.code, "firmware.code", "");
        return r;
    }
    if (fs::exists(firmware.vars, ec) && !firmware.reset_nvram) return r;
    if (!fs::exists(firmware.vars_template, ec)) {
        r.failure = ovmf_file_missing("OVMF VARS template", firmware.vars_template, "firmware.vars_template", "");
        return r;
    }
    fs::create_directories(fs::path(firmware.vars).parent_path(), ec);
    // Copy to a temporary name and rename: a crash mid-copy must not leave a
    // truncated NVRAM that the next start would keep.
    std::string tmp = firmware.vars + ".tmp";
    fs::copy_file(firmware.vars_template, tmp, fs::copy_options::overwrite_existing, ec);
    if (!ec) fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, ec);
    if (!ec) fs::rename(tmp, firmware.vars, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        r.failure = Failure{"cannot copy " + firmware.vars_template + " to " + firmware.vars + ": " + ec.message(), "", firmware.vars};
        return r;
    }
    r.copied = true;
    return r;
}

}  // namespace vmrun
