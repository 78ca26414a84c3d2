#pragma once
// swtpm, the guest's TPM 2.0, as a supervised child of the VM: its state
// folder prepared (created 0700 on the first start and kept — BitLocker's and
// Windows Hello's keys live there — or wiped when the profile says reset),
// started before QEMU, journaled (the journal's replay stops it on every exit
// path, and 'vmrun restore' after a killed supervisor), and ready — its
// control socket there — before QEMU connects.

#include <boost/process/child.hpp>
#include <optional>
#include <string>

#include "base/failure.h"
#include "host/journal.h"
#include "plan/launch_plan.h"

namespace vmrun {

// Returns nothing with `child` running, or the failure (what was journaled is
// undone by the caller's replay).
std::optional<Failure> start_swtpm(const LaunchPlan& plan, Journal& journal, boost::process::child& child);

}  // namespace vmrun
