#pragma once
// Pins a paused QEMU's threads as the profile says, before 'cont': each vCPU
// thread (its thread-id from QMP query-cpus-fast) to its one host CPU, every
// other thread to the emulator set. Threads QEMU starts later inherit the
// mask of the thread that starts them — the main loop's or an I/O thread's,
// both in the emulator set — so the pinning holds for the VM's life.

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "base/failure.h"
#include "profile/profile.h"
#include "qmp/client.h"

namespace vmrun {

struct VcpuThread {
    int index = 0;
    pid_t thread = 0;
};

// query-cpus-fast's answer; `error` set when QEMU did not give one.
struct VcpuThreads {
    std::vector<VcpuThread> vcpus;
    std::string error;
};
VcpuThreads query_vcpu_threads(qmp::Client& client);
// The same from the answer's "return" value, whatever its shape.
VcpuThreads vcpu_threads_in(const qmp::Json& answer);

// Returns what could not be pinned, if anything (where: cpu.pin).
std::optional<Failure> pin_qemu_threads(qmp::Client& client, pid_t qemu, const CpuPinning& pin);

}  // namespace vmrun
