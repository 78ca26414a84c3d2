// libFuzzer target: any bytes as a VM's journal — what a crash, a full disk
// or a hand edit can leave — read and walked by the real restorer's checks,
// boot rule, "settled" and "left" entries (Restorer::rehearse: no undo runs,
// so no input can reach this machine's drivers, processes or files).
// Invariants: nothing aborts or throws; every line is an entry or a reported
// problem; an entry handed to an undo passed its action's check.

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "host/host_restore.h"
#include "host/journal.h"

namespace {

struct Scratch {
    std::filesystem::path dir;
    Scratch() {
        char tmpl[] = "/tmp/vmrun-fuzz-journal-XXXXXX";
        dir = ::mkdtemp(tmpl);
        // A boot id of its own, so the boot rule meets both answers.
        std::filesystem::create_directories(dir / "root/proc/sys/kernel/random");
        std::ofstream(dir / "root/proc/sys/kernel/random/boot_id") << "11111111-2222-3333-4444-555555555555\n";
    }
    ~Scratch() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Scratch scratch;
    static const vmrun::VmPaths vm{"fuzz", (scratch.dir / "run/fuzz").string(), (scratch.dir / "state").string()};
    static const vmrun::Restorer restorer = vmrun::make_restorer(vm);
    auto path = scratch.dir / "journal";
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), std::streamsize(size));
    vmrun::Journal journal(path.string(), (scratch.dir / "root").string());
    auto contents = journal.read();
    size_t lines = 0;
    for (size_t i = 0; i < size; ++i) lines += data[i] == '\n';
    if (contents.entries.size() + contents.problems.size() > lines + 1) std::abort();
    auto report = restorer.rehearse(journal);
    if (!report.errors.empty()) std::abort();  // a rehearsal undoes nothing, so nothing can fail
    for (const auto& line : report.lines()) (void)line;
    return 0;
}
