#pragma once
// Exit codes a script can act on. Input problems (sysexits' EX_USAGE /
// EX_DATAERR) are distinct from failures at run time.

namespace vmrun {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;          // could not start: host, lock, or QEMU refused the command
constexpr int kExitQemuFailed = 3;       // QEMU exited with an error while the VM ran
constexpr int kExitQemuKilled = 4;       // QEMU was killed by a signal vmrun did not send (crash, OOM, kill -9)
constexpr int kExitForcedStop = 5;       // the guest did not power off in time; vmrun quit or killed QEMU
constexpr int kExitUsage = 64;           // bad command line
constexpr int kExitInvalidProfile = 65;  // the profile has errors; nothing was changed

}  // namespace vmrun
