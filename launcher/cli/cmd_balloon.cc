// vmrun balloon NAME SIZE [--timeout S]: asks the guest's balloon driver to
// give the VM SIZE of memory, and waits until the guest says it has (QEMU's
// query-balloon 'actual'), so success means the memory really moved.

#include <chrono>
#include <iostream>
#include <thread>

#include "base/exit_codes.h"
#include "cli/command.h"
#include "plan/qmp_answers.h"
#include "vm/qmp_connect.h"
#include "cli/vm_target.h"
#include "profile/value_parsers.h"

namespace vmrun::cli {

int run_balloon(const ParsedArgs& args) {
    auto target = resolve_target(args);
    if (!target) return kExitUsage;
    auto size_text = args.positional("SIZE");
    auto size = parse_memory_mib(size_text);
    if (!size.value || *size.value == 0) {
        std::cerr << "vmrun: balloon: SIZE is the guest's memory with a unit, like 4G or 1536M; got '" << size_text << "'"
                  << (size.error.empty() ? "" : " (" + size.error + ")") << "\n";
        return kExitUsage;
    }
    double timeout = args.seconds_or("timeout", 30);
    auto client = connect_qmp(target->qmp_socket, target->folder.name);
    if (!client) return kExitFailure;
    auto& c = *client;
    auto before = c.execute("query-balloon");
    if (!before) {
        std::cerr << "vmrun: " << target->folder.name << " has no memory balloon (" << before.describe()
                  << "); set 'balloon: true' in its profile and start it again\n";
        return kExitFailure;
    }
    uint64_t want = *size.value << 20;
    auto asked = c.execute("balloon", {{"value", want}});
    if (!asked) {
        std::cerr << "vmrun: balloon: " << asked.describe() << "\n";
        return kExitFailure;
    }
    // The guest's driver moves pages a batch at a time and reports as it goes.
    uint64_t actual = balloon_bytes_in(before.value).value_or(0);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(long(timeout * 1000));
    while (actual != want && std::chrono::steady_clock::now() < deadline && c.connected()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (auto r = c.execute("query-balloon")) actual = balloon_bytes_in(r.value).value_or(actual);
    }
    std::cout << "balloon: the guest has " << (actual >> 20) << " MiB (asked " << *size.value << " MiB)\n";
    if (actual != want) {
        std::cerr << "vmrun: the guest did not reach " << *size.value << " MiB within " << timeout
                  << " s; QEMU keeps asking. A guest without the virtio_balloon driver (Windows: the\n"
                     "  virtio-win Balloon service) never moves; one under memory pressure cannot give more.\n";
        return kExitFailure;
    }
    return kExitOk;
}

}  // namespace vmrun::cli
