#pragma once
// What a detached supervisor tells the process that started it, once, over a
// pipe: "READY PID", or "ERROR" and the failure as JSON (its text spans lines:
// QEMU's last words are among it). Written by the supervisor, read by
// detached_start; one place for both ends of the pipe.

#include <sys/types.h>

#include <optional>
#include <string>

#include "base/failure.h"

namespace vmrun {

std::string ready_report(pid_t supervisor);
std::string failed_report(const Failure& failure);

struct ReadinessReport {
    pid_t supervisor = 0;            // ready
    std::optional<Failure> failure;  // not ready (a report that is neither: the supervisor died)
};

// `text` is all that came through the pipe; nullopt when it is no report.
std::optional<ReadinessReport> parse_readiness_report(const std::string& text);

}  // namespace vmrun
