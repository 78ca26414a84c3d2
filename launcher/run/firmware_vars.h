#pragma once
// The per-VM copy of OVMF's VARS (the guest's NVRAM: boot entries, Secure Boot
// keys). Copied from the template on first start and never overwritten after,
// because Windows keeps its boot entry there; reset_nvram asks for a fresh copy.

#include <optional>
#include <string>

#include "base/failure.h"

#include "plan/launch_plan.h"

namespace vmrun {

struct VarsResult {
    bool copied = false;             // false: an existing copy was kept
    std::optional<Failure> failure;  // what failed and how to fix it
    bool ok() const { return !failure; }
};

VarsResult prepare_firmware_vars(const FirmwarePlan& firmware);

}  // namespace vmrun
