#include "run/input_replug.h"

#include <sys/stat.h>

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "host/input/evdev_devices.h"
#include "host/input/input_nodes.h"
#include "run/input_objects.h"

namespace fs = std::filesystem;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace vmrun {

namespace {
// udev makes a node's links and sets its group and mode just after the
// kernel made it: the object is added once that is done.
constexpr auto kSettle = 300ms;
}  // namespace

InputReplug::InputReplug(asio::io_context& io, std::string sysroot, Journal& journal, Connect connect, std::string away_file)
    : io_(io), sysroot_(std::move(sysroot)), journal_(journal), connect_(std::move(connect)), away_file_(std::move(away_file)), settle_(io) {}

// Written whole and renamed into place: a reader never sees half a list.
void InputReplug::write_away_file() const {
    auto away = nlohmann::json::array();
    for (const auto& w : book_.waiting())
        away.push_back({{"id", w.object.id}, {"device", w.identity.describe()}, {"evdev", w.object.evdev}});
    auto part = away_file_ + ".part";
    std::ofstream(part) << nlohmann::json{{"away", away}, {"dead", book_.dead()}}.dump() << "\n";
    std::error_code ec;
    fs::rename(part, away_file_, ec);
}

void InputReplug::start(pid_t qemu_pid, const std::vector<std::string>& paths) {
    qemu_pid_ = qemu_pid;
    std::string error;
    auto fd = watch_input_nodes(sysroot_, error);
    if (!fd) {
        spdlog::debug("input devices are not watched for replugs: {}", error);
        return;
    }
    // Watching first, then reading: a node made in between is seen twice, not missed.
    for (const auto& node : list_event_nodes(sysroot_))
        if (auto id = read_input_identity(sysroot_, node)) book_.node_seen(node, *id);
    for (const auto& path : paths) {
        std::error_code ec;
        auto real = fs::canonical(fs::path(sysroot_) / fs::path(path).relative_path(), ec);
        if (!ec) book_.path_resolved(path, real.filename().string());
    }
    watch_ = std::make_unique<asio::posix::stream_descriptor>(io_, fd.get());
    fd.release();
    wait_for_changes();
}

void InputReplug::stop() {
    boost::system::error_code ignored;
    settle_.cancel();
    if (watch_) watch_->close(ignored);
}

void InputReplug::wait_for_changes() {
    watch_->async_wait(asio::posix::descriptor::wait_read, [this](const boost::system::error_code& ec) {
        if (ec) return;
        for (const auto& change : read_input_node_changes(watch_->native_handle())) {
            if (change.kind == InputNodeChange::Kind::removed) {
                arrived_.erase(change.node);
                on_removed(change.node);
            } else {
                arrived_.insert(change.node);
            }
        }
        if (!arrived_.empty()) settle_then_add();
        wait_for_changes();
    });
}

void InputReplug::on_removed(const std::string& node) {
    // Not a node seen before: nothing the VM could have read.
    if (!book_.identity_of(node)) return;
    auto client = connect_();
    auto objects = client ? read_input_objects(*client) : std::vector<InputObject>{};
    auto went = book_.node_removed(node, objects);
    if (!went.empty()) write_away_file();
    for (const auto& w : went) {
        spdlog::warn("input '{}' ({}, {}) went away; it is attached again when that device comes back", w.object.id, w.identity.describe(),
                     w.object.evdev);
        std::cerr << "vmrun: input '" << w.object.id << "' " << w.identity.describe()
                  << " went away; it is attached again when it comes back\n";
    }
}

void InputReplug::settle_then_add() {
    settle_.expires_after(kSettle);
    settle_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        auto nodes = std::exchange(arrived_, {});
        for (const auto& node : nodes) on_added(node);
    });
}

void InputReplug::on_added(const std::string& node) {
    auto identity = read_input_identity(sysroot_, node);
    if (!identity) {
        spdlog::debug("input node {} came and went", node);
        return;
    }
    spdlog::info("input node {} came: {}{}", node, identity->describe(), book_.waiting().empty() ? "" : "; an input waits for its device");
    if (auto back = book_.node_added(node, *identity)) {
        reattach(std::move(*back), node);
        write_away_file();
    }
}

void InputReplug::reattach(WaitingInput input, const std::string& node) {
    auto in_host = "/dev/input/" + node;
    auto path = (fs::path(sysroot_) / "dev/input" / node).string();
    auto give_up = [&](const std::string& why, bool lent) {
        if (lent) give_back_evdev_access(journal_, node);
        spdlog::error("input '{}' {} is back as {} but was not attached again: {}", input.object.id, input.identity.describe(), in_host, why);
        std::cerr << "vmrun: input '" << input.object.id << "' is back as " << in_host << " but was not attached again: " << why << "\n";
        book_.wait_again(std::move(input));
    };
    // A QEMU that dropped to a run_as user opens the new node as that user.
    bool lent = false;
    struct stat st {};
    if (::stat(("/proc/" + std::to_string(qemu_pid_)).c_str(), &st) == 0 && st.st_uid != 0) {
        auto granted = grant_evdev_access(sysroot_, in_host, st.st_uid, st.st_gid, journal_);
        if (granted.failure) return give_up(granted.failure->text(), false);
        lent = !granted.done.empty();
        if (lent) spdlog::info("{}", granted.done);
    }
    auto client = connect_();
    if (!client) return give_up("QEMU's monitor does not answer", lent);
    // A new object under a new id; the old one stays, dead (input_reattach.h says why).
    auto object = input.object;
    object.id = book_.next_id(input);
    auto added = client->execute("object-add", input_object_add_arguments(object, path));
    if (!added) return give_up("QEMU refused it: " + added.describe(), lent);
    book_.came_back(input);
    spdlog::info("input '{}' {} is back as {}: attached again as '{}'", input.object.id, input.identity.describe(), in_host, object.id);
    std::cerr << "vmrun: input '" << input.object.id << "' " << input.identity.describe() << " is back as " << in_host
              << ": attached again as '" << object.id << "'\n";
}

}  // namespace vmrun
