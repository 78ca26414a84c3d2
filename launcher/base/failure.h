#pragma once
// Why vmrun will not (or could not) do something, and how to put it right:
// the one shape every host check, preflight refusal and problem found on the
// host takes, so 'vmrun check', the start's refusals and --json print them
// alike.

#include <string>

namespace vmrun {

struct Failure {
    std::string what;   // what is wrong, as a sentence without its fix
    std::string fix;    // how to put it right; "" when nothing the user does would
    std::string where;  // the one place to look when there is one: a device's address, a path; else ""

    // "what; fix" (the fix only when there is one). `where` is left out: the
    // sentence names its device or file already; --json and callers that
    // group failures by place read it.
    std::string text() const;
};

}  // namespace vmrun
