#pragma once
// --force-bind[=KINDS] as vmrun start and vmrun bind take it.

#include <optional>

#include "cli/command.h"
#include "plan/force_bind.h"

namespace vmrun::cli {

// Nothing forced without the option; every kind for a bare --force-bind
// (said on stderr, with how to force one kind only); nullopt after printing
// the error for a bad value.
std::optional<ForceBind> force_bind_option(const ParsedArgs& args);

}  // namespace vmrun::cli
