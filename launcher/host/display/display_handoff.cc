#include "host/display/display_handoff.h"

#include "host/display/boot_framebuffer.h"
#include "host/pci/device_return.h"
#include "base/join.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "host/journal_args.h"
#include "host/open_handles.h"
#include "host/pci/host_usage.h"
#include "host/pci/passthrough_setup.h"
#include "host/run_command.h"
#include "host/sysfs_io.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace vmrun {

namespace {

const char* const kFramebufferDrivers[] = {"efi-framebuffer", "simple-framebuffer", "vesa-framebuffer"};
constexpr auto kCommandLimit = 60s;

fs::path pci_dir(const std::string& sysroot, const PciAddress& a) { return fs::path(sysroot) / "sys/bus/pci/devices" / a.str(); }

bool is_word(const std::string& s) {
    return !s.empty() && s.size() < 64 && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.@") ==
                                              std::string::npos && s.front() != '-' && s.find("..") == std::string::npos;
}

// Modules that use `name` (its holders), theirs first: the order they can be unloaded in.
void unload_order(const fs::path& modules, const std::string& name, std::vector<std::string>& out, std::set<std::string>& seen) {
    if (!seen.insert(name).second) return;
    std::error_code ec;
    std::vector<std::string> holders;
    for (const auto& h : fs::directory_iterator(modules / name / "holders", ec)) holders.push_back(h.path().filename());
    std::sort(holders.begin(), holders.end());
    for (const auto& h : holders) unload_order(modules, h, out, seen);
    out.push_back(name);
}

// The entry names the GPU, so that the undo can see it back before it starts
// the display manager on it.
std::optional<Failure> stop_display_manager(const HostDisplay& hd, const std::string& sysroot, const PciAddress& gpu, Journal& journal) {
    nlohmann::json gpu_args = {{"sysroot", sysroot}, {"gpu", gpu.str()}};
    if (!hd.unit.empty()) {
        // A display manager that is not running is not started at the end either.
        if (!run_command({"systemctl", "is-active", "--quiet", hd.unit}, kCommandLimit).ok()) {
            spdlog::info("{} is not active: nothing to stop", hd.unit);
            return std::nullopt;
        }
        nlohmann::json args = {{"key", "display-manager"}, {"unit", hd.unit}};
        args.update(gpu_args);
        if (auto ec = journal.record({"display-manager", args}))
            return journal_failure(journal, ec);
        auto r = run_command({"systemctl", "stop", hd.unit}, kCommandLimit);
        if (!r.ok()) return Failure{"systemctl stop " + hd.unit + " failed (" + r.describe() + ")", "see journalctl -u " + hd.unit, hd.unit};
        spdlog::info("stopped {}", hd.unit);
        return std::nullopt;
    }
    nlohmann::json args = {{"key", "display-manager"}, {"start", hd.start}};
    args.update(gpu_args);
    if (auto ec = journal.record({"display-manager", args}))
        return journal_failure(journal, ec);
    auto r = run_command(hd.stop, kCommandLimit);
    if (!r.ok()) return Failure{"the display manager's stop command (" + join(hd.stop, " ") + ") failed (" + r.describe() + ")", "", ""};
    spdlog::info("ran the display manager's stop command: {}", join(hd.stop, " "));
    return std::nullopt;
}

// host_display.stop_units, each stopped when active and journaled first (started again at the end).
std::optional<Failure> stop_host_units(const HostDisplay& hd, Journal& journal) {
    for (const auto& unit : hd.stop_units) {
        if (!run_command({"systemctl", "is-active", "--quiet", unit}, kCommandLimit).ok()) continue;
        if (auto ec = journal.record({"host-unit", {{"key", "host-unit:" + unit}, {"unit", unit}}}))
            return journal_failure(journal, ec);
        auto r = run_command({"systemctl", "stop", unit}, kCommandLimit);
        if (!r.ok()) return Failure{"systemctl stop " + unit + " failed (" + r.describe() + ")", "see journalctl -u " + unit, unit};
        spdlog::info("stopped {}", unit);
    }
    return std::nullopt;
}

// The unit display-manager.service stands for on this host (its alias link), or `unit` itself.
std::string aliased_unit(const std::string& sysroot, const std::string& unit) {
    auto target = symlink_name(fs::path(sysroot) / "etc/systemd/system" / unit);
    return target.empty() ? unit : target;
}

// A login session's kind from logind's record: a graphical one ends with the display manager.
bool graphical_session(const std::string& sysroot, const std::string& scope) {
    auto id = scope.substr(8, scope.size() - 8 - 6);  // session-ID.scope
    std::ifstream in(fs::path(sysroot) / "run/systemd/sessions" / id);
    if (!in) return true;  // logind's record is gone or unreadable: the wait decides
    for (std::string line; std::getline(in, line);)
        if (line.rfind("TYPE=", 0) == 0) return line == "TYPE=x11" || line == "TYPE=wayland" || line == "TYPE=mir";
    return true;
}

std::optional<Failure> wait_for_nodes_released(const std::string& sysroot, const PciAddress& gpu, const HostDisplay& hd) {
    auto nodes = display_nodes_of(sysroot, gpu);
    auto holders = [&] { return OpenHandles::read(sysroot).holding([&](const std::string& n) { return nodes.matches(n); }); };
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(hd.timeout);
    auto held = holders();
    while (!held.empty() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(100ms);
        held = holders();
    }
    if (held.empty()) return std::nullopt;
    std::string list;
    for (const auto& h : held) list += (list.empty() ? "" : "; ") + h;
    return Failure{"the GPU " + gpu.str() + " is still in use " + std::to_string(hd.timeout) + " s after the display manager was stopped: " + list,
                   "stop those programs, or give host_display.timeout more time", gpu.str()};
}

std::optional<Failure> unbind_consoles(const std::string& sysroot, Journal& journal) {
    std::error_code ec;
    std::vector<fs::path> consoles;
    for (const auto& vt : fs::directory_iterator(fs::path(sysroot) / "sys/class/vtconsole", ec)) consoles.push_back(vt.path());
    std::sort(consoles.begin(), consoles.end());
    for (const auto& vt : consoles) {
        auto name = read_first_line(vt / "name");
        if (read_first_line(vt / "bind") != "1" || name.find("dummy") != std::string::npos) continue;
        auto vtcon = vt.filename().string();
        if (auto jec = journal.record({"vtconsole", {{"sysroot", sysroot}, {"vtcon", vtcon}, {"name", name}, {"left", {{"bind", "0"}}}}}))
            return journal_failure(journal, jec);
        if (auto err = write_attribute(vt / "bind", "0"); !err.empty())
            return Failure{"cannot release the console " + vtcon + ": " + err, "", (vt / "bind").string()};
        spdlog::info("released {} ({})", vtcon, name);
    }
    return std::nullopt;
}

std::optional<Failure> unbind_framebuffers(const std::string& sysroot, const PciAddress& gpu, Journal& journal) {
    for (const char* driver : kFramebufferDrivers) {
        auto dir = fs::path(sysroot) / "sys/bus/platform/drivers" / driver;
        std::error_code ec;
        std::vector<std::string> devices;
        for (const auto& e : fs::directory_iterator(dir, ec))
            if (e.path().filename().string().rfind(std::string(driver) + ".", 0) == 0) devices.push_back(e.path().filename());
        for (const auto& device : devices) {
            if (auto jec = journal.record({"framebuffer", {{"sysroot", sysroot}, {"driver", driver}, {"device", device},
                                                           {"gpu", gpu.str()}, {"left", {{"driver", ""}}}}}))
                return journal_failure(journal, jec);
            if (auto err = write_attribute(dir / "unbind", device); !err.empty())
                return Failure{"cannot release the framebuffer " + device + ": " + err, "", (dir / device).string()};
            spdlog::info("released the firmware framebuffer {}", device);
        }
    }
    return std::nullopt;
}

std::optional<Failure> unload_modules(const std::string& sysroot, const std::vector<std::string>& modules, Journal& journal) {
    for (const auto& m : modules) {
        if (auto ec = journal.record({"kernel-module", {{"sysroot", sysroot}, {"name", m}, {"left", {{"loaded", false}}}}}))
            return journal_failure(journal, ec);
        if (::syscall(SYS_delete_module, m.c_str(), O_NONBLOCK) != 0 && errno != ENOENT) {
            int err = errno;
            return Failure{"cannot unload the kernel module " + m + ": " + std::strerror(err),
                           err == EWOULDBLOCK || err == EBUSY ? "something still uses it: see lsmod, and fuser -v /dev/dri/* /dev/nvidia*" : "",
                           m};
        }
        spdlog::info("unloaded the kernel module {}", m);
    }
    return std::nullopt;
}

}  // namespace

std::optional<PciAddress> passed_boot_gpu(const std::string& sysroot, const Profile& profile) {
    for (const auto& x : profile.passthrough)
        if (read_first_line(pci_dir(sysroot, x.host) / "boot_vga") == "1") return x.host;
    return std::nullopt;
}

std::vector<std::string> modules_to_unload(const std::string& sysroot, const PciAddress& gpu, const std::vector<PciAddress>& passed,
                                           std::string& why_not) {
    auto dev = pci_dir(sysroot, gpu);
    auto driver = symlink_name(dev / "driver");
    if (driver.empty()) {
        why_not = gpu.str() + " has no driver";
        return {};
    }
    auto module = symlink_name(dev / "driver/module");
    if (module.empty()) {
        why_not = driver + " is built into the kernel";
        return {};
    }
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(fs::path(sysroot) / "sys/bus/pci/devices", ec)) {
        auto other = parse_pci_address(e.path().filename().string());
        if (other && symlink_name(e.path() / "driver") == driver && std::find(passed.begin(), passed.end(), *other) == passed.end()) {
            why_not = driver + " also drives " + other->str() + ", which stays with the host";
            return {};
        }
    }
    std::vector<std::string> out;
    std::set<std::string> seen;
    unload_order(fs::path(sysroot) / "sys/module", module, out, seen);
    return out;
}

ProcessUnit unit_of_process(const std::string& sysroot, const std::string& pid) {
    std::ifstream in(fs::path(sysroot) / "proc" / pid / "cgroup");
    std::ostringstream text;
    text << in.rdbuf();
    return parse_process_unit(text.str());
}

ProcessUnit parse_process_unit(std::string_view cgroup) {
    std::istringstream in{std::string(cgroup)};
    std::string path;
    for (std::string line; std::getline(in, line);) {
        // cgroup v2's single line "0::PATH", or v1's systemd hierarchy "N:name=systemd:PATH".
        if (line.rfind("0::", 0) == 0 || line.find(":name=systemd:") != std::string::npos) {
            path = line.substr(line.find(':', line.find(':') + 1) + 1);
            if (line.rfind("0::", 0) != 0) break;  // v1's systemd line wins over a hybrid's v2 line
        }
    }
    ProcessUnit out;
    for (size_t start = 0; start < path.size();) {
        auto slash = path.find('/', start);
        auto part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        auto ends = [&](const char* suffix) {
            std::string s(suffix);
            return part.size() > s.size() && part.compare(part.size() - s.size(), s.size(), s) == 0;
        };
        if (part.rfind("user@", 0) == 0 && ends(".service")) out.user_manager = part;
        else if (ends(".service") || ends(".scope")) out.unit = part;
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    if (out.unit.empty() && !out.user_manager.empty()) std::swap(out.unit, out.user_manager);
    return out;
}

std::vector<Failure> unexpected_gpu_holders(const std::string& sysroot, const PciAddress& gpu, const HostDisplay& hd,
                                                const std::string& profile_file) {
    std::vector<Failure> out;
    auto nodes = display_nodes_of(sysroot, gpu);
    auto dm = hd.unit.empty() ? std::string() : aliased_unit(sysroot, hd.unit);
    auto held = OpenHandles::read(sysroot).holders([&](const std::string& n) { return nodes.matches(n); });
    std::sort(held.begin(), held.end(), [](const auto& x, const auto& y) { return std::stoll(x.pid) < std::stoll(y.pid); });
    for (const auto& h : held) {
        auto pu = unit_of_process(sysroot, h.pid);
        if (pu.unit.empty()) continue;
        bool in_list = std::find(hd.stop_units.begin(), hd.stop_units.end(), pu.unit) != hd.stop_units.end() ||
                       (!pu.user_manager.empty() && std::find(hd.stop_units.begin(), hd.stop_units.end(), pu.user_manager) != hd.stop_units.end());
        bool session = pu.user_manager.empty() && pu.unit.rfind("session-", 0) == 0 && pu.unit.size() > 14 &&
                       pu.unit.compare(pu.unit.size() - 6, 6, ".scope") == 0;
        if (in_list || (pu.user_manager.empty() && (pu.unit == hd.unit || pu.unit == dm)) || (session && graphical_session(sysroot, pu.unit)))
            continue;
        std::string where = pu.unit + (pu.user_manager.empty() ? "" : " of " + pu.user_manager);
        std::string ender = hd.unit.empty() ? "the display manager's stop command" : "stopping " + hd.unit;
        out.push_back({"the GPU " + gpu.str() + " is held by a process " + ender + " will not end: " + h.describe() + " in " + where,
                       session ? "end that login session's program first (it is not a graphical session)"
                               : "stop it first (" + std::string(pu.user_manager.empty() ? "" : "as its user: ") + "systemctl " +
                                     (pu.user_manager.empty() ? "" : "--user ") + "stop " + pu.unit +
                                     "), or list " + (pu.user_manager.empty() ? pu.unit : pu.user_manager) +
                                     " under host_display.stop_units in " + profile_file + " so vmrun stops it and starts it again"});
    }
    return out;
}

std::vector<Failure> display_handoff_problems(const LaunchPlan& plan) {
    std::vector<Failure> out;
    const auto& hd = *plan.profile.host_display;
    const auto& file = plan.profile.source_file;
    if (!hd.unit.empty()) {
        if (find_program("systemctl").empty())
            out.push_back({"host_display stops the unit " + hd.unit + " with systemctl, and this host has no systemctl",
                           "give the display manager's own commands in " + file +
                               ": host_display: {stop: [service, lightdm, stop], start: [service, lightdm, start]}"});
    } else {
        for (const auto* command : {&hd.stop, &hd.start})
            if (find_program(command->front()).empty())
                out.push_back({"host_display's " + std::string(command == &hd.stop ? "stop" : "start") + " command " +
                                   command->front() + " is not an installed program",
                               "correct host_display." + std::string(command == &hd.stop ? "stop" : "start") + " in " + file +
                                   " (a program's path or a name found in PATH, /usr/sbin or /sbin)"});
    }
    auto gpu = passed_boot_gpu(plan.facts.sysroot, plan.profile);
    if (gpu) {
        auto held = unexpected_gpu_holders(plan.facts.sysroot, *gpu, hd, file);
        out.insert(out.end(), held.begin(), held.end());
    }
    if (gpu && plan.facts.sysroot == "/") {
        std::string why_not;
        auto modules = modules_to_unload(plan.facts.sysroot, *gpu, passthrough_addresses(plan.profile), why_not);
        if (!modules.empty() && find_program("modprobe").empty())
            out.push_back({"the GPU's driver modules (" + join(modules, " ") + ") would be unloaded, and there is no modprobe to load them again",
                           "apt-get install kmod"});
    }
    return out;
}

std::string describe_handoff(const LaunchPlan& plan) {
    const auto& hd = *plan.profile.host_display;
    auto gpu = passed_boot_gpu(plan.facts.sysroot, plan.profile);
    if (!gpu) return "none of the passed devices is the boot GPU: the host's display is left as it is";
    std::string out = "start " + (hd.stop_units.empty() ? "" : "stops " + join(hd.stop_units, " ") + " (when active), ") +
                      (hd.unit.empty() ? "runs " + join(hd.stop, " ") : "stops " + hd.unit + " (when active)") +
                      ", waits up to " + std::to_string(hd.timeout) + " s for " + gpu->str() +
                      "'s device nodes, releases the consoles and firmware framebuffers, ";
    std::string why_not;
    auto modules = modules_to_unload(plan.facts.sysroot, *gpu, passthrough_addresses(plan.profile), why_not);
    out += modules.empty() ? "unloads no module (" + why_not + ")" : "unloads " + join(modules, " ");
    return out + "; all of it back when the VM ends";
}

std::optional<Failure> hand_over_display(const LaunchPlan& plan, Journal& journal) {
    const auto& hd = *plan.profile.host_display;
    const auto& sysroot = plan.facts.sysroot;
    auto gpu = passed_boot_gpu(sysroot, plan.profile);
    if (!gpu) {
        spdlog::warn("host_display: none of the passed devices is the boot GPU; the host's display is left as it is");
        return std::nullopt;
    }
    // The host may have changed since preflight: nothing is stopped for a holder that would not go.
    if (auto held = unexpected_gpu_holders(sysroot, *gpu, hd, plan.profile.source_file); !held.empty())
        return held.front();
    // Every step's failure names the display handover, and the GPU unless it names a place of its own.
    auto failed = [&](Failure f) {
        f.what = "handing the display over failed: " + f.what;
        if (f.where.empty()) f.where = gpu->str();
        return f;
    };
    if (auto f = stop_host_units(hd, journal)) return failed(*f);
    if (auto f = stop_display_manager(hd, sysroot, *gpu, journal)) return failed(*f);
    if (auto f = wait_for_nodes_released(sysroot, *gpu, hd)) return failed(*f);
    if (auto f = unbind_consoles(sysroot, journal)) return failed(*f);
    if (auto f = unbind_framebuffers(sysroot, *gpu, journal)) return failed(*f);
    std::string why_not;
    auto modules = modules_to_unload(sysroot, *gpu, passthrough_addresses(plan.profile), why_not);
    if (modules.empty()) {
        spdlog::info("no kernel module to unload ({}); the GPU is unbound from its driver", why_not);
    } else if (sysroot != "/") {
        // A simulated sysfs has no kernel behind it to unload modules from.
        spdlog::info("simulated sysfs at {}: the modules {} are not unloaded", sysroot, join(modules, " "));
    } else if (auto f = unload_modules(sysroot, modules, journal)) {
        return failed(*f);
    }
    // Released, and seen to be: vfio-pci must be able to reserve every BAR.
    if (auto claims = read_framebuffer_claims(sysroot, *gpu); !claims.empty())
        return failed(framebuffer_still_in_bar(*gpu, claims));
    return std::nullopt;
}

std::string check_display_manager_entry(const nlohmann::json& json) {
    JournalArgs args(json);
    if (args.text("key") != "display-manager") return "no display-manager key";
    // Entries written before vmrun recorded the GPU have neither.
    if (auto gpu = args.text("gpu")) {
        if (!parse_pci_address(*gpu)) return "no valid GPU address";
        if (!args.has_sysroot()) return "no absolute sysfs root";
    }
    if (auto unit = args.text("unit")) return is_word(*unit) ? "" : "no valid unit name";
    if (!json.is_object() || !json.contains("start") || !json["start"].is_array() || json["start"].empty()) return "no start command";
    for (const auto& w : json["start"])
        if (!w.is_string()) return "a start command word that is not text";
    return "";
}

UndoOutcome start_display_manager(const nlohmann::json& json) {
    JournalArgs args(json);
    // The GPU first: the display manager is started only on one that answers
    // (the consoles, given back before this, show what happened), and once
    // its driver's node is there — a display manager started before udev made
    // it finds no GPU and gives up.
    std::string gpu_back;
    if (auto gpu = args.text("gpu"); gpu && !gpu->empty()) {
        auto address = *parse_pci_address(*gpu);
        auto sysroot = *args.text("sysroot");
        auto revived = bring_back_if_dead(sysroot, address);
        if (!revived.answers)
            return UndoOutcome::failed({"the GPU " + revived.text + "; the display manager is not started on a missing GPU "
                                        "(the consoles are back on what is there)",
                                        "reboot, then start the display manager", *gpu});
        auto on_host = gpu_on_host(sysroot, address);
        gpu_back = "; " + (revived.rescanned ? revived.text + "; " : std::string()) + on_host.describe(address);
    }
    if (auto unit = args.text("unit")) {
        // Started meanwhile (by the user, or a restart policy): nothing to do.
        if (run_command({"systemctl", "is-active", "--quiet", *unit}, kCommandLimit).ok()) return UndoOutcome::nothing();
        auto r = run_command({"systemctl", "start", *unit}, kCommandLimit);
        // Not asked again by every later restore, each waiting out the limit.
        if (r.timed_out)
            return UndoOutcome::left_alone("systemctl start " + *unit + " had not returned after " +
                                           std::to_string(kCommandLimit.count()) +
                                           " s; systemd may still be starting it (see systemctl status " + *unit + ")" + gpu_back);
        if (!r.ok())
            return UndoOutcome::failed({"systemctl start " + *unit + " failed (" + r.describe() + ")" + gpu_back,
                                        "see journalctl -u " + *unit + ", then systemctl start " + *unit, *unit});
        bool active = run_command({"systemctl", "is-active", "--quiet", *unit}, kCommandLimit).ok();
        return UndoOutcome::done("started " + *unit + " again (" + (active ? "active" : "not active: see journalctl -u " + *unit) + ")" + gpu_back);
    }
    auto start = json["start"].get<std::vector<std::string>>();
    auto r = run_command(start, kCommandLimit);
    if (r.timed_out)
        return UndoOutcome::left_alone("the display manager's start command (" + join(start, " ") + ") was still running after " +
                                       std::to_string(kCommandLimit.count()) +
                                       " s and was stopped with what it started; start the display manager by hand" + gpu_back);
    if (!r.ok())
        return UndoOutcome::failed({"the display manager's start command (" + join(start, " ") + ") failed (" + r.describe() + ")" + gpu_back,
                                    "start the display manager by hand", ""});
    return UndoOutcome::done("ran the display manager's start command (" + join(start, " ") + ")" + gpu_back);
}

std::string check_host_unit_entry(const nlohmann::json& json) {
    JournalArgs args(json);
    auto unit = args.text("unit");
    if (!unit || !is_word(*unit)) return "no valid unit name";
    if (args.text("key") != "host-unit:" + *unit) return "its key does not name its unit";
    return "";
}

std::string check_console_entry(const nlohmann::json& json) {
    JournalArgs args(json);
    if (!args.has_sysroot()) return "no absolute sysfs root";
    auto vtcon = args.text("vtcon");
    if (!vtcon || vtcon->rfind("vtcon", 0) != 0 || vtcon->size() > 10 || vtcon->find_first_not_of("0123456789", 5) != std::string::npos)
        return "no valid vtcon name";
    return "";
}

UndoOutcome rebind_console(const nlohmann::json& json) {
    JournalArgs args(json);
    auto vtcon = *args.text("vtcon");
    auto vt = fs::path(*args.text("sysroot")) / "sys/class/vtconsole" / vtcon;
    std::error_code ec;
    if (!fs::exists(vt, ec)) return UndoOutcome::left_alone("the console " + vtcon + " is gone (its driver was unloaded): not touched");
    if (read_first_line(vt / "bind") == "1") return UndoOutcome::nothing();
    auto name = read_first_line(vt / "name");
    // Entries from before names were recorded have none: the bind state decides.
    if (auto released = args.text("name"); released && *released != name)
        return UndoOutcome::left_alone(vtcon + " is " + name + " now, not the " + *released + " vmrun released: not touched");
    if (auto err = write_attribute(vt / "bind", "1"); !err.empty())
        return UndoOutcome::failed({"cannot give the console back: " + err, "echo 1 > /sys/class/vtconsole/" + vtcon + "/bind", vt.string()});
    return UndoOutcome::done("console " + vtcon + " back on " + name);
}

std::string check_framebuffer_entry(const nlohmann::json& json) {
    JournalArgs args(json);
    if (!args.has_sysroot()) return "no absolute sysfs root";
    auto driver = args.text("driver");
    if (!driver || std::find(std::begin(kFramebufferDrivers), std::end(kFramebufferDrivers), *driver) == std::end(kFramebufferDrivers))
        return "not a firmware framebuffer driver";
    auto device = args.text("device");
    if (!device || device->rfind(*driver + ".", 0) != 0 || !is_word(*device)) return "no valid framebuffer device";
    // Entries written before vmrun recorded the GPU have none.
    if (auto gpu = args.text("gpu"); gpu && !parse_pci_address(*gpu)) return "no valid GPU address";
    return "";
}

UndoOutcome rebind_framebuffer(const nlohmann::json& json) {
    JournalArgs args(json);
    auto sysroot = fs::path(*args.text("sysroot"));
    auto dir = sysroot / "sys/bus/platform/drivers" / *args.text("driver");
    auto device = *args.text("device");
    auto node = sysroot / "sys/bus/platform/devices" / device;
    std::error_code ec;
    if (fs::exists(dir / device, ec)) return UndoOutcome::nothing();
    if (!fs::exists(node, ec)) return UndoOutcome::left_alone("the firmware framebuffer " + device + " is gone: not touched");
    // vmrun left it on no driver; on another one now (simpledrm took it), it is the host's.
    if (auto holder = symlink_name(node / "driver"); !holder.empty())
        return UndoOutcome::left_alone("the firmware framebuffer " + device + " is on " + holder + " now, not unbound as vmrun left it: not touched");
    // The GPU's own driver, loaded again before this undo, drives the display
    // now; a firmware framebuffer bound on top would be a second card on the
    // same memory (a ghost card0 the desktop may pick, and a black screen).
    if (auto gpu = args.text("gpu"); gpu && !gpu->empty())
        if (auto address = parse_pci_address(*gpu)) {
            auto driver = symlink_name(sysroot / "sys/bus/pci/devices" / address->str() / "driver");
            if (!driver.empty() && driver != "vfio-pci")
                return UndoOutcome::done("left the firmware framebuffer " + device + " unbound: " + driver + " drives " +
                                         address->str() + " again (bound on top it would make a ghost card)");
        }
    if (auto err = write_attribute(dir / "bind", device); !err.empty()) {
        // The GPU's own driver, back first, may hold the aperture now: its console is the host's again anyway.
        spdlog::warn("the firmware framebuffer {} was not bound again: {}", device, err);
        return UndoOutcome::done("left the firmware framebuffer " + device + " unbound (" + err + ")");
    }
    return UndoOutcome::done("firmware framebuffer " + device + " bound again");
}

std::string check_module_entry(const nlohmann::json& json) {
    JournalArgs args(json);
    auto name = args.text("name");
    if (!name || !is_word(*name)) return "no valid module name";
    // Entries from before the sysroot was recorded speak of this host.
    if (args.text("sysroot") && !args.has_sysroot()) return "no absolute sysfs root";
    return "";
}

UndoOutcome reload_module(const nlohmann::json& json) {
    JournalArgs args(json);
    auto name = *args.text("name");
    auto sysroot = fs::path(args.text("sysroot").value_or("/"));
    std::error_code ec;
    // Loaded again meanwhile (by the user, or as another module's dependency): it is where vmrun found it.
    if (fs::exists(sysroot / "sys/module" / name, ec)) return UndoOutcome::nothing();
    if (sysroot != "/") return UndoOutcome::left_alone("simulated sysfs " + sysroot.string() + ": the module " + name + " is not loaded by modprobe");
    auto r = run_command({"modprobe", name}, kCommandLimit);
    if (!r.ok()) return UndoOutcome::failed({"modprobe " + name + " failed (" + r.describe() + ")", "see dmesg, then modprobe " + name, name});
    return UndoOutcome::done("kernel module " + name + " loaded again");
}

}  // namespace vmrun
