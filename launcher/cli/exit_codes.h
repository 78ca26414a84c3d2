#pragma once
// Exit codes a script can act on. Input problems (sysexits' EX_USAGE /
// EX_DATAERR) are distinct from failures at run time.

namespace vmrun {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;          // the host or QEMU failed at run time
constexpr int kExitUsage = 64;           // bad command line
constexpr int kExitInvalidProfile = 65;  // the profile has errors; nothing was changed

}  // namespace vmrun
