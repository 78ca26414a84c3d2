// vmrun stop's operation (vm/stop.h).
//
// The supervisor owns the stop ladder (ACPI power-off, QMP quit, SIGKILL);
// each SIGTERM moves it one step, so this only signals and waits — on a
// pidfd, not in a polling loop.

#include "vm/stop.h"

#include <signal.h>

#include <fstream>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/exit_codes.h"
#include "base/failure.h"
#include "host/process_watch.h"
#include "run/instance_lock.h"

namespace vmrun {

namespace {

struct LastExit {
    int code = 0;
    std::string message;
    std::vector<std::string> restored, restore_errors;  // what the teardown gave back, and could not
};

// A list of text from the record: strings, or failures ({what, fix, where})
// shown with their fix; anything else in it is left out.
std::vector<std::string> texts(const nlohmann::json& j, const char* key) {
    std::vector<std::string> out;
    auto it = j.find(key);
    if (it == j.end() || !it->is_array()) return out;
    auto field = [](const nlohmann::json& o, const char* name) {
        auto f = o.find(name);
        return f != o.end() && f->is_string() ? f->get<std::string>() : std::string();
    };
    for (const auto& v : *it) {
        if (out.size() >= 256) break;
        if (v.is_string()) out.push_back(v.get<std::string>());
        else if (v.is_object() && !field(v, "what").empty()) out.push_back(Failure{field(v, "what"), field(v, "fix"), field(v, "where")}.text());
    }
    return out;
}

// How the run of `supervisor` (started at `start_time`) ended, if that run
// recorded it; an earlier run's record, or a damaged file, is no answer.
std::optional<LastExit> read_last_exit(const std::string& path, pid_t supervisor, uint64_t start_time) {
    std::ifstream in(path);
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    auto by = j.find("supervisor");
    if (by == j.end() || !by->is_object()) return std::nullopt;
    auto pid = by->find("pid"), started = by->find("start_time");
    if (pid == by->end() || started == by->end() || !pid->is_number_integer() || !started->is_number_unsigned()) return std::nullopt;
    if (pid->get<int64_t>() != supervisor || started->get<uint64_t>() != start_time) return std::nullopt;
    auto code = j.find("code");
    auto message = j.find("message");
    if (code == j.end() || !code->is_number_integer() || code->get<int64_t>() < 0 || code->get<int64_t>() > 255) return std::nullopt;
    return LastExit{int(code->get<int64_t>()), message != j.end() && message->is_string() ? message->get<std::string>() : "",
                    texts(j, "restored"), texts(j, "restore_errors")};
}

}  // namespace

int stop_vm(const VmPaths& f, bool force, double timeout) {
    pid_t supervisor = 0;
    if (!vm_running(f, supervisor)) {
        std::cerr << "vmrun: " << f.name << " is not running\n";
        return kExitFailure;
    }
    // A start holds the lock a moment before its supervisor writes its pid;
    // a stop that comes in between waits for it rather than miss the VM.
    for (int i = 0; i < 200 && supervisor <= 0 && vm_running(f, supervisor); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    // The pid file matched a live process's start time (read_live_pid); it must
    // also hold the VM's lock (which only the supervisor has open: QEMU does
    // not inherit it), or this would signal whatever the file names.
    if (supervisor <= 0 || !process_has_open(supervisor, f.lock_file())) {
        std::cerr << "vmrun: " << f.name << " is locked, but its supervisor's pid file names no running vmrun; "
                  << "if it is still starting, try again in a moment\n";
        return kExitFailure;
    }
    auto started = process_start_time(supervisor);
    ::kill(supervisor, force ? SIGUSR1 : SIGTERM);  // quit at once, or ACPI power-off first
    std::chrono::milliseconds step(long(timeout * 1000));
    for (int escalations = 0; !wait_process_exit(supervisor, step); ++escalations) {
        if (escalations == 2) {
            std::cerr << "vmrun: the supervisor (pid " << supervisor << ") does not exit; try 'kill -9 " << supervisor
                      << "' and then 'vmrun restore " << f.name << "'\n";
            return kExitFailure;
        }
        std::cerr << "vmrun: " << f.name << " is still running; escalating\n";
        ::kill(supervisor, SIGTERM);
        step = std::chrono::milliseconds(15000);
    }
    auto outcome = read_last_exit(f.last_exit_file(), supervisor, started.value_or(0));
    if (!outcome) {
        std::cerr << "vmrun: the supervisor of " << f.name << " (pid " << supervisor
                  << ") ended without recording how the VM ended: it was killed or crashed, and its host changes may "
                     "still be in place; run 'vmrun restore "
                  << f.name << "'\n";
        return kExitFailure;
    }
    std::cout << "vmrun: " << f.name << ": " << outcome->message << "\n";
    // What came back to the host — a GPU with its driver and node, the
    // display manager — and what did not, for the user at the terminal.
    for (const auto& r : outcome->restored) std::cout << "vmrun: restored: " << r << "\n";
    for (const auto& e : outcome->restore_errors) std::cerr << "vmrun: restore failed: " << e << "\n";
    if (!outcome->restore_errors.empty()) {
        std::cerr << "vmrun: the host is not fully restored; the journal is kept: run 'vmrun restore " << f.name
                  << "' once the problem is fixed\n";
        return kExitFailure;
    }
    return outcome->code;
}

}  // namespace vmrun
