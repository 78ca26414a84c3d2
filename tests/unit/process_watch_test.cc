// /proc/PID/stat as process_watch reads it: the state and the start time
// that, with the pid, name one process. The command name in it is the
// process's to choose, spaces and parentheses included.

#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <fstream>

#include "host/process_watch.h"
#include "sleeper.h"
#include "temp_dir.h"

using namespace vmrun;

TEST_CASE("a stat line: fields resume after the last ')', whatever the command name holds") {
    auto s = parse_proc_stat("812 (my prog) (x) S 1 812 812 0 -1 4194560 1052 0 0 0 3 1 0 0 20 0 1 0 4571 12345678 456");
    REQUIRE(s);
    CHECK(s->state == 'S');
    CHECK(s->start_time == 4571);
    CHECK_FALSE(parse_proc_stat("812 (sleep) S 1 2 3"));
    CHECK_FALSE(parse_proc_stat("812 (sleep)"));
    CHECK(process_start_time(::getpid()).has_value());  // this process's own line reads
}

TEST_CASE("a stat line whose start time is not a number is no stat line, not an exception") {
    // fuzz_proc_sys: std::stoull threw std::invalid_argument out of process_alive.
    for (const char* field : {"start", "12ab", "99999999999999999999999", "-1"}) {
        CAPTURE(field);
        CHECK_FALSE(parse_proc_stat(std::string("812 (x) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 ") + field + " 1 2"));
    }
}

TEST_CASE("a process holds a file open only when one of its descriptors is that very file") {
    vmrun::testing::TempDir dir;
    std::string lock = dir / "vm.lock", other = dir / "other.lock";
    { std::ofstream(lock) << ""; std::ofstream(other) << ""; }
    int fd = ::open(lock.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    CHECK(process_has_open(::getpid(), lock));
    CHECK_FALSE(process_has_open(::getpid(), other));
    // Any other live process: it holds nothing of ours.
    vmrun::testing::Sleeper sleeper;
    CHECK_FALSE(process_has_open(sleeper.pid, lock));
    ::close(fd);
    CHECK_FALSE(process_has_open(::getpid(), lock));
    CHECK_FALSE(process_has_open(::getpid(), dir / "missing"));
}
