#include "run/supervisor.h"

// Boost 1.74's asio/awaitable.hpp uses std::exchange without <utility>.
#include <utility>
#include <boost/asio.hpp>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/posix.hpp>

#include <signal.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "host/child_process.h"
#include "host/cpu/cpu_pinning.h"
#include "host/fs/virtiofsd_process.h"
#include "qmp/agent_client.h"
#include "host/tpm/swtpm_process.h"
#include "host/memory/hugepage_setup.h"
#include "host/memory/shared_memory_file.h"
#include "qmp/client.h"
#include "base/exit_codes.h"
#include "run/firmware_vars.h"
#include "run/instance_lock.h"
#include "host/unix_listener.h"
#include "run/readiness_report.h"
#include "host/host_restore.h"
#include "host/journal.h"
#include "host/net/network_setup.h"
#include "host/pci/bind_functions.h"
#include "host/pci/option_rom.h"
#include "host/power/sleep_inhibitor.h"
#include "host/pci/passthrough_setup.h"
#include "host/net/vf_settings.h"
#include "host/pci/sriov.h"
#include "host/display/display_handoff.h"
#include "host/process_watch.h"
#include "host/run_command.h"
#include "host/sound/sound_server.h"
#include "plan/qemu_argv.h"
#include "run/input_replug.h"
#include "run/qemu_stderr.h"
#include "run/sd_notify.h"

namespace asio = boost::asio;
namespace bp = boost::process;
using namespace std::chrono_literals;

namespace vmrun {

namespace {


void report_ready(int fd, const std::string& msg) {
    if (fd < 0) return;
    [[maybe_unused]] auto n = ::write(fd, msg.data(), msg.size());
    ::close(fd);
}

qmp::Logger qmp_logger() {
    return [](qmp::LogLevel level, std::string_view msg) {
        if (level == qmp::LogLevel::warn) spdlog::warn("{}", msg);
        else spdlog::debug("{}", msg);
    };
}

class Supervisor {
public:
    Supervisor(const LaunchPlan& plan, const VmPaths& folder, const SuperviseOptions& options)
        : plan_(plan), folder_(folder), options_(options), journal_(folder.journal_file()),
          signals_(io_), stderr_(io_), pidfd_(io_), timer_(io_),
          input_replug_(io_, plan.facts.sysroot, journal_, [this] { return monitor_client(); }, folder.input_replug_file()) {
        // SIGUSR1 is 'vmrun stop --force': a signal of its own, because two
        // SIGTERMs sent back to back merge into one.
        for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) signals_.add(sig);
    }

    int run() {
        int code = start();
        if (code == kExitOk) code = wait();
        bool restored = teardown();
        // A failed start is reported only now: the caller's exit status must
        // mean the host is back as it was, not that it is being put back.
        if (start_failure_) {
            if (!restored) start_failure_->what += "; the host could not be fully restored, see " + folder_.log_file();
            report_ready(options_.ready_fd, failed_report(*start_failure_));
        }
        record_exit(code);
        return code;
    }

private:
    int fail_start(Failure failure) {
        std::cerr << "vmrun: " << failure.text() << "\n";
        start_failure_ = std::move(failure);
        return kExitFailure;
    }

    // Every function of the planned IOMMU groups to vfio-pci, journaled; the
    // teardown's replay gives them back, also after an error halfway.
    std::optional<Failure> bind_devices() {
        if (plan_.profile.passthrough.empty()) return std::nullopt;
        BindRequest request{plan_.facts.sysroot, passthrough_addresses(plan_.profile), plan_.sriov, plan_.vf_net,
                            options_.force_bind, std::nullopt};
        if (!plan_.profile.run_as.empty()) {
            auto* pw = ::getpwnam(plan_.profile.run_as.c_str());
            if (!pw) return Failure{"run_as user '" + plan_.profile.run_as + "' does not exist", "", ""};
            request.owner = DeviceOwner{pw->pw_uid, pw->pw_gid};
        }
        for (const auto& x : plan_.profile.passthrough)
            for (const auto& w : rom_warnings(plan_.facts.sysroot, x, plan_.firmware.type, plan_.profile.source_file))
                std::cerr << "vmrun: warning: " << w.text() << "\n";
        auto result = bind_functions(request, journal_);
        for (const auto& d : result.done) spdlog::info("{}", d);
        for (const auto& w : result.warnings) std::cerr << "vmrun: warning: " << w << "\n";
        // preflight refused these already; the host may have changed since.
        if (!result.refusals.empty()) return result.refusals.front();
        if (result.failure) return result.failure;
        for (const auto& f : result.bound) spdlog::info("{} (IOMMU group {}) is on vfio-pci", f.address.str(), f.group);
        return std::nullopt;
    }

    int start() {
        std::error_code ec;
        if (auto jec = journal_.record({"runtime-folder", {{"path", folder_.runtime_dir}}}))
            return fail_start(journal_failure(journal_, jec));
        if (auto failure = set_up_hugepages(plan_, journal_, hugepage_lock_)) return fail_start(*failure);
        if (plan_.profile.block_host_sleep.value_or(false)) {
            sleep_inhibitor_ = SleepInhibitor::take(plan_.profile.name);
            if (sleep_inhibitor_.held()) spdlog::info("host sleep is blocked while the VM runs (logind inhibitor)");
            else std::cerr << "vmrun: warning: " << sleep_inhibitor_.problem() << "\n";
        }
        if (plan_.profile.host_display)
            if (auto failure = hand_over_display(plan_, journal_)) return fail_start(*failure);
        if (auto failure = bind_devices()) return fail_start(*failure);
        auto shared_memory = prepare_shared_memory(plan_, journal_);
        if (shared_memory.failure) return fail_start(*shared_memory.failure);
        network_ = set_up_taps(tap_requests(plan_), journal_);
        if (network_.failure) {
            close_taps(network_);
            return fail_start(*network_.failure);
        }
        InheritedFds fds;
        InheritFds inherit;
        for (const auto& t : network_.taps) {
            fds.tap_by_nic[t.nic_id] = t.fd;
            inherit.fds.push_back(t.fd);
            spdlog::info("tap {} is up on {}", t.name, t.nic_id);
        }
        if (shared_memory.fd) {
            fds.looking_glass_fd = shared_memory.fd.get();
            inherit.fds.push_back(shared_memory.fd.get());
        }
        if (plan_.audio && !plan_.audio->cookie.empty())
            if (auto failure = copy_pulse_cookie(plan_)) {
                close_taps(network_);
                return fail_start(*failure);
            }
        auto vars = prepare_firmware_vars(plan_.firmware);
        if (vars.failure) return fail_start(*vars.failure);
        if (vars.copied) spdlog::info("copied OVMF VARS template to {}", plan_.firmware.vars);
        if (plan_.profile.tpm) {
            auto& swtpm = helper("swtpm", "the guest's TPM no longer answers", plan_.paths().swtpm_log());
            if (auto failure = start_swtpm(plan_, journal_, swtpm.child)) {
                close_taps(network_);
                return fail_start(*failure);
            }
        }
        for (const auto& folder : plan_.shared_folders) {
            auto& virtiofsd = helper("virtiofsd for '" + folder.folder.tag + "'",
                                     "the guest's shared folder '" + folder.folder.tag + "' no longer answers", folder.log);
            if (auto failure = start_virtiofsd(plan_, folder, journal_, virtiofsd.child)) {
                close_taps(network_);
                return fail_start(*failure);
            }
        }

        // Sockets left by a QEMU that died must not be mistaken for the new ones.
        for (const auto& sock : plan_.sockets()) std::filesystem::remove(sock, ec);
        // Sockets QEMU (and vmrun, for it) creates are the owner's only.
        ::umask(077);
        auto monitor = listen_unix(plan_.paths().supervisor_socket());
        if (monitor.failure) {
            close_taps(network_);
            return fail_start(*monitor.failure);
        }
        fds.supervisor_monitor_fd = monitor.fd.get();
        inherit.fds.push_back(monitor.fd.get());
        auto argv = build_qemu_argv(plan_, fds);
        argv.push_back("-S");  // paused until vmrun has seen QMP come up
        spdlog::info("starting {}", argv[0]);
        auto exe = find_program(argv[0]);
        if (exe.empty()) exe = argv[0];  // the spawn then says why it cannot run
        std::vector<std::string> args(argv.begin() + 1, argv.end());
        bool stdio_serial = plan_.profile.serial == SerialMode::stdio;
        bp::environment env = boost::this_process::environment();
        for (const auto& [key, value] : qemu_environment(plan_)) env[key] = value;
        // Before the fork: a kill between the fork and the pid's entry must
        // not leave a QEMU the replay cannot find (its marker: this VM's QMP socket's path in its argv).
        if (auto jec = journal_.record({"spawn", {{"program", "qemu"}, {"marker", folder_.qmp_socket()}}})) {
            close_taps(network_);
            return fail_start(journal_failure(journal_, jec));
        }
        // vfork: a fork would copy this process's page tables, and every page
        // either side writes before the exec would be copied again (~15 µs a
        // page under some hypervisors) — milliseconds of a start, for nothing.
        if (stdio_serial)
            qemu_ = bp::child(bp::exe = exe, bp::args = args, env, bp::std_err > stderr_.pipe(), inherit, bp::posix::use_vfork, ec);
        else
            qemu_ = bp::child(bp::exe = exe, bp::args = args, env, bp::std_in < bp::null, bp::std_err > stderr_.pipe(), OwnProcessGroup{}, inherit,
                              bp::posix::use_vfork, ec);
        // QEMU holds the taps now (or failed to start): with vmrun's copies closed, they die with QEMU.
        close_taps(network_);
        shared_memory.fd.reset();
        // And the monitor's socket: a QEMU that dies before its greeting resets the connection.
        monitor.fd.reset();
        if (ec || !qemu_.valid()) return fail_start({"cannot start " + argv[0] + ": " + ec.message(), "", exe});
        pid_t pid = qemu_.id();
        auto started = process_start_time(pid);
        journal_.record({"qemu-process", {{"pid", pid}, {"start_time", started.value_or(0)}}});
        write_pid_file(folder_.qemu_pid_file(), pid);
        stderr_.start();

        // Connected at once (the socket listens already); the greeting comes
        // once QEMU's monitor runs. QEMU faults in the guest's huge pages, and
        // pins all guest memory for VFIO's DMA maps, before that: allow for a
        // big guest. QEMU's stderr is read on io_ meanwhile, by the client's wait.
        bool touches_all_memory = plan_.hugepages || !plan_.profile.passthrough.empty();
        auto wait = 60s + std::chrono::seconds(touches_all_memory ? plan_.profile.memory_mib / 1024 : 0);
        qmp::Timeouts greeting;
        greeting.connect = std::chrono::duration_cast<qmp::Duration>(wait);
        auto client = std::make_unique<qmp::Client>(io_, qmp_logger(), greeting);
        if (auto cec = client->connect_unix(plan_.paths().supervisor_socket())) {
            // A reset says QEMU is gone or going: give its exit a moment to be seen.
            if (cec != qmp::errc::no_greeting) wait_process_exit(pid, 1000ms);
            client.reset();
        }
        if (!client) {
            bool still_starting = process_alive(pid);
            kill_qemu();
            finish_qemu(3s);
            if (still_starting)
                return fail_start({"QEMU did not answer on its monitor within " + std::to_string(wait.count()) +
                                       " s and was stopped (a host too busy, or a device slow to open)" +
                                       (stderr_.last_lines(10).empty() ? "" : ":\n" + stderr_.last_lines(10)),
                                   "", ""});
            // How it ended, too: a QEMU killed (the OOM killer, a signal) says nothing on stderr.
            int status = qemu_.native_exit_code();
            std::string how = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")"
                                                  : "exit status " + std::to_string(WEXITSTATUS(status));
            auto said = stderr_.last_lines(10);
            return fail_start({"QEMU did not start (" + how + ")" + (said.empty() ? ", and printed nothing" : ":\n" + said), "", ""});
        }
        // QEMU holds its huge pages now: another VM may count what is left.
        hugepage_lock_.release();
        spdlog::info("QEMU {}.{}.{} ready (pid {})", client->version().major, client->version().minor, client->version().micro, pid);
        if (plan_.profile.cpu.pin)
            if (auto failure = pin_qemu_threads(*client, pid, *plan_.profile.cpu.pin)) {
                kill_qemu();
                finish_qemu(3s);
                return fail_start(*failure);
            }
        auto cont = client->execute("cont");
        if (!cont) {
            kill_qemu();
            finish_qemu(3s);
            return fail_start({"QEMU refused to run the guest: " + cont.describe(), "", ""});
        }
        client->close();
        for (const auto& sock : plan_.sockets()) ::chmod(sock.c_str(), 0600);
        sd_notify_state("READY=1\nMAINPID=" + std::to_string(::getpid()));
        report_ready(options_.ready_fd, ready_report(::getpid()));
        std::cerr << "vmrun: " << plan_.profile.name << " is running (QEMU pid " << pid << ")\n";
        return kExitOk;
    }

    int wait() {
        pid_t pid = qemu_.id();
        int fd = open_pidfd(pid);
        if (fd >= 0) {
            pidfd_.assign(fd);
            pidfd_.async_wait(asio::posix::descriptor::wait_read, [this](const boost::system::error_code&) { on_qemu_exit(); });
        } else {
            return kExitQemuFailed;
        }
        for (auto& h : helpers_) watch_helper(h);
        std::vector<std::string> input_paths;
        if (plan_.input)
            for (const auto& d : plan_.input->devices) input_paths.push_back(d.evdev);
        input_replug_.start(pid, input_paths);
        on_signal();
        io_.run();
        finish_qemu(2s);
        return outcome_;
    }

    void on_signal() {
        signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
            if (ec) return;
            spdlog::info("signal {}", sig);
            if (sig == SIGUSR1 && stage_ < 1) {
                // vmrun stop --force: straight to quit, the guest is not asked.
                stage_ = 1;
                forced_by_request_ = true;
            }
            escalate();
            on_signal();
        });
    }

    // One step up the stop ladder per request or timeout: ACPI power-off,
    // then QMP quit, then SIGKILL.
    void escalate() {
        if (exited_) return;
        ++stage_;
        if (stage_ == 1) {
            std::cerr << "vmrun: asking the guest to power off (ACPI); again to force, or wait " << options_.grace.count() << " s\n";
            if (!qmp_command("system_powerdown")) { escalate(); return; }
            // With an agent, a guest that ignores ACPI (no acpid, a Windows
            // screen locked with a setting against it) is asked through it
            // after a third of the wait.
            if (plan_.agent_serial) {
                auto acpi_wait = std::max(options_.grace / 3, std::chrono::seconds(1));
                timer_.expires_after(acpi_wait);
                timer_.async_wait([this, acpi_wait](const boost::system::error_code& ec) {
                    if (ec || exited_ || stage_ != 1) return;
                    ask_agent_to_shut_down();
                    arm(options_.grace - acpi_wait);
                });
            } else {
                arm(options_.grace);
            }
        } else if (stage_ == 2) {
            std::cerr << "vmrun: quitting QEMU\n";
            forced_ = true;
            if (!qmp_command("quit")) { escalate(); return; }
            arm(10s);
        } else if (stage_ >= 3) {
            std::cerr << "vmrun: killing QEMU\n";
            forced_ = true;
            kill_qemu();
        }
    }

    void ask_agent_to_shut_down() {
        qmp::AgentClient agent(3s);
        if (auto ec = agent.connect_unix(plan_.paths().agent_socket())) {
            spdlog::warn("the guest ignored ACPI and its guest agent does not answer ({})", agent.failure_detail());
            std::cerr << "vmrun: the guest ignored ACPI, and its guest agent does not answer\n";
            return;
        }
        // It answers nothing when it works: the guest powering off is the answer.
        if (agent.send_without_reply("guest-shutdown", {{"mode", "powerdown"}})) return;
        spdlog::info("the guest ignored ACPI: asked its guest agent to power it off (guest-shutdown)");
        std::cerr << "vmrun: the guest ignored ACPI; asked its guest agent to power it off\n";
    }

    // A connection to the supervisor's own monitor, for one step; nullptr when it does not answer.
    std::unique_ptr<qmp::Client> monitor_client() {
        qmp::Timeouts t;
        t.connect = 3s;
        t.command = 3s;
        t.device = 3s;
        auto c = std::make_unique<qmp::Client>(qmp_logger(), t);
        if (c->connect_unix(plan_.paths().supervisor_socket())) return nullptr;
        return c;
    }

    bool qmp_command(const std::string& command) {
        auto c = monitor_client();
        return c && bool(c->execute(command));
    }

    void arm(std::chrono::seconds after) {
        timer_.expires_after(after);
        timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) escalate();
        });
    }

    // A process the guest depends on besides QEMU (swtpm, a virtiofsd per
    // shared folder): its end while the guest runs is reported in the VM's log.
    struct Helper {
        bp::child child;
        std::string name, consequence, log;
        std::unique_ptr<asio::posix::stream_descriptor> pidfd;
    };

    Helper& helper(std::string name, std::string consequence, std::string log) {
        helpers_.push_back(std::make_unique<Helper>(Helper{{}, std::move(name), std::move(consequence), std::move(log), nullptr}));
        return *helpers_.back();
    }

    void watch_helper(std::unique_ptr<Helper>& h) {
        if (!h->child.valid()) return;
        int fd = open_pidfd(h->child.id());
        if (fd < 0) return;
        h->pidfd = std::make_unique<asio::posix::stream_descriptor>(io_, fd);
        Helper* watched = h.get();
        h->pidfd->async_wait(asio::posix::descriptor::wait_read, [this, watched](const boost::system::error_code& ec) {
            if (ec || exited_) return;
            // QEMU closing its end as it exits ends these too (swtpm's
            // --terminate, virtiofsd's socket); that is no failure, and may be seen first.
            if (wait_process_exit(qemu_.id(), 500ms)) return;
            std::error_code wec;
            watched->child.wait(wec);
            int status = watched->child.native_exit_code();
            std::string how = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                                  : "exited with status " + std::to_string(WEXITSTATUS(status));
            spdlog::error("{} (pid {}) {} while the VM runs: {} (see {})", watched->name, watched->child.id(), how, watched->consequence,
                          watched->log);
            std::cerr << "vmrun: " << plan_.profile.name << ": " << watched->name << " " << how << " while the VM runs; "
                      << watched->consequence << "\n";
        });
    }

    void kill_qemu() {
        if (qemu_.valid()) ::kill(qemu_.id(), SIGKILL);
    }

    // Only marks the end: the drain of QEMU's stderr runs after io_.run()
    // returned (see QemuStderr::drain), so 'vmrun stop' returns as QEMU ends.
    void on_qemu_exit() {
        exited_ = true;
        boost::system::error_code ignored;
        for (auto& h : helpers_)
            if (h->pidfd && h->pidfd->is_open()) h->pidfd->cancel(ignored);
        timer_.cancel();
        signals_.cancel();
        input_replug_.stop();
        io_.stop();
    }

    // Reaps QEMU and turns its end into our outcome.
    void finish_qemu(std::chrono::seconds drain) {
        std::error_code ec;
        qemu_.wait(ec);
        // Let the last of stderr through before judging: EOF comes as QEMU
        // exits; the deadline only matters when a child of QEMU's holds the pipe.
        if (!stderr_.drain(std::chrono::steady_clock::now() + drain))
            spdlog::warn("QEMU's stderr was still open {} s after QEMU exited (a child of QEMU's holds it?)", drain.count());
        int status = qemu_.native_exit_code();
        if (WIFSIGNALED(status)) {
            int sig = WTERMSIG(status);
            outcome_ = forced_ ? kExitForcedStop : kExitQemuKilled;
            message_ = forced_ ? "the guest did not power off in time; QEMU was stopped by vmrun"
                               : "QEMU was killed by signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
        } else if (WEXITSTATUS(status) == 0) {
            outcome_ = forced_ ? kExitForcedStop : kExitOk;
            message_ = forced_by_request_ ? "stopped by force: vmrun quit QEMU without asking the guest"
                       : forced_          ? "the guest did not power off in time; vmrun quit QEMU"
                                          : "the guest powered off";
        } else {
            outcome_ = kExitQemuFailed;
            message_ = "QEMU exited with status " + std::to_string(WEXITSTATUS(status)) + ":\n" + stderr_.last_lines(10);
        }
    }

    bool teardown() {
        hugepage_lock_.release();  // the replay takes it again to give pages back
        auto report = make_restorer(folder_).restore(journal_);
        restored_ = report.undone;
        restore_errors_ = report.errors;
        for (const auto& u : report.undone) spdlog::info("restored: {}", u);
        for (const auto& l : report.left_alone) std::cerr << "vmrun: left alone: " << l << "\n";
        for (const auto& w : report.skipped) std::cerr << "vmrun: warning: " << w << "\n";
        for (const auto& e : report.errors) std::cerr << "vmrun: restore failed: " << e.text() << "\n";
        if (!report.ok())
            std::cerr << "vmrun: the journal " << journal_.path() << " is kept; run 'vmrun restore " << folder_.name
                      << "' once the problem is fixed\n";
        sleep_inhibitor_.release();  // the devices are the host's again: it may sleep
        return report.ok();
    }

    void record_exit(int code) {
        if (!message_.empty()) std::cerr << "vmrun: " << plan_.profile.name << ": " << message_ << "\n";
        // Signed with this supervisor's pid and start time: 'vmrun stop' must
        // never mistake an earlier run's ending for the one it waited for.
        auto errors = nlohmann::json::array();
        for (const auto& e : restore_errors_) errors.push_back({{"what", e.what}, {"fix", e.fix}, {"where", e.where}});
        nlohmann::json exit = {{"code", code},
                               {"message", message_},
                               {"restored", restored_},
                               {"restore_errors", errors},
                               {"supervisor", {{"pid", ::getpid()}, {"start_time", process_start_time(::getpid()).value_or(0)}}}};
        std::ofstream(folder_.last_exit_file()) << exit.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    }

    const LaunchPlan& plan_;
    const VmPaths& folder_;
    SuperviseOptions options_;
    Journal journal_;
    NetworkSetup network_;
    asio::io_context io_;
    asio::signal_set signals_;
    QemuStderr stderr_;
    asio::posix::stream_descriptor pidfd_;
    asio::steady_timer timer_;
    bp::child qemu_;
    std::vector<std::unique_ptr<Helper>> helpers_;  // swtpm, virtiofsd: started before QEMU
    InputReplug input_replug_;
    FileLock hugepage_lock_;
    SleepInhibitor sleep_inhibitor_;  // released with the supervisor, after the teardown
    int stage_ = 0;
    bool forced_ = false, forced_by_request_ = false, exited_ = false;
    int outcome_ = kExitOk;
    std::string message_;
    std::optional<Failure> start_failure_;
    std::vector<std::string> restored_;  // the teardown's, for 'vmrun stop' to show
    std::vector<Failure> restore_errors_;
};

}  // namespace

int supervise_vm(const LaunchPlan& plan, const VmPaths& folder, const SuperviseOptions& options) {
    close_inherited_fds();
    return Supervisor(plan, folder, options).run();
}

bool restore_stale_journal(const VmPaths& folder, bool quiet_if_none) {
    Journal journal(folder.journal_file());
    if (!journal.exists()) {
        if (!quiet_if_none) std::cerr << "vmrun: " << folder.name << ": nothing to restore\n";
        return true;
    }
    // Left by a run that did not end cleanly, or by 'vmrun bind'.
    std::cerr << "vmrun: " << folder.name << ": restoring the host from " << journal.path() << "\n";
    auto report = make_restorer(folder).restore(journal);
    for (const auto& line : report.lines()) std::cerr << "vmrun: " << line << "\n";
    return report.ok();
}

}  // namespace vmrun
