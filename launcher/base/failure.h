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

    // "where: what; fix", each part only when it is there.
    std::string text() const;
};

}  // namespace vmrun
