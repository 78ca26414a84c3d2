#pragma once
// A profile's diagnostics as --json reports them: 'vmrun validate --json'
// prints this, and every other --json command prints it in place of its own
// report when the profile does not load.

#include <string>

#include <nlohmann/json.hpp>

#include "vm/load_plan.h"

namespace vmrun::cli {

// {file, valid, name?, read_error?, errors, warnings,
//  diagnostics: [{severity, file, line, column, message, hint?}]}
nlohmann::json diagnostics_json(const std::string& path, const LoadedPlan& loaded);

}  // namespace vmrun::cli
