// Input that survives a replug, without a host: which objects wait when a
// node goes, which one a new node brings back; the sysfs identity and the
// inotify watch on a simulated /dev/input.

#include <doctest/doctest.h>

#include <filesystem>

#include "host/input/input_nodes.h"
#include "plan/input_reattach.h"
#include "temp_dir.h"

using namespace vmrun;
using vmrun::testing::TempDir;
using vmrun::testing::write_file;

namespace {
InputIdentity keyboard(std::string name, unsigned product = 0xc52b) {
    InputIdentity id;
    id.name = std::move(name);
    id.phys = "usb-0000:00:14.0-2/input0";
    id.bustype = 3;
    id.vendor = 0x046d;
    id.product = product;
    return id;
}
InputObject object(std::string id, std::string evdev) {
    InputObject o;
    o.id = std::move(id);
    o.evdev = std::move(evdev);
    return o;
}
}  // namespace

TEST_CASE("replug: the object reading a node that went waits, and the same device on a new node brings it back") {
    InputReattachBook book;
    book.node_seen("event3", keyboard("Logitech USB Receiver"));
    book.node_seen("event4", keyboard("Other Keyboard", 0x1111));
    auto objects = std::vector<InputObject>{object("vmrun-input0", "/dev/input/event3"), object("vmrun-input1", "/dev/input/event4")};

    auto waiting = book.node_removed("event3", objects);
    REQUIRE(waiting.size() == 1);
    CHECK(waiting[0].object.id == "vmrun-input0");
    CHECK(waiting[0].gone_node == "event3");
    CHECK(book.identity_of("event3") == nullptr);

    // Another device's node: nothing comes back.
    CHECK_FALSE(book.node_added("event5", keyboard("Something Else", 0x2222)));
    // The same device, under another number.
    auto back = book.node_added("event6", keyboard("Logitech USB Receiver"));
    REQUIRE(back);
    CHECK(back->object.id == "vmrun-input0");
    CHECK(book.waiting().empty());
    // Seen once: a second node of the same kind is nobody's.
    CHECK_FALSE(book.node_added("event7", keyboard("Logitech USB Receiver")));
}

TEST_CASE("replug: a profile's by-id link is followed to its node; a node never seen makes nothing wait") {
    InputReattachBook book;
    book.node_seen("event2", keyboard("Receiver"));
    book.path_resolved("/dev/input/by-id/usb-Logitech-event-kbd", "event2");
    book.path_resolved("/dev/input/event2", "event9");  // a node's own path is never overridden
    auto objects = std::vector<InputObject>{object("vmrun-input0", "/dev/input/by-id/usb-Logitech-event-kbd")};

    CHECK(book.node_removed("event8", objects).empty());  // unknown node
    auto waiting = book.node_removed("event2", objects);
    REQUIRE(waiting.size() == 1);
    CHECK(waiting[0].identity == keyboard("Receiver"));
    // Removed twice (a rename, then the delete): still one waiting.
    book.node_seen("event2", keyboard("Receiver"));
    CHECK(book.node_removed("event2", objects).empty());
    CHECK(book.waiting().size() == 1);

    // A re-attach that failed waits for the next replug.
    auto back = book.node_added("event2", keyboard("Receiver"));
    REQUIRE(back);
    book.wait_again(*back);
    CHECK(book.waiting().size() == 1);
}

TEST_CASE("replug: two identical keyboards unplugged come back one per new node") {
    InputReattachBook book;
    book.node_seen("event3", keyboard("Twin"));
    book.node_seen("event4", keyboard("Twin"));
    auto objects = std::vector<InputObject>{object("a", "/dev/input/event3"), object("b", "/dev/input/event4")};
    CHECK(book.node_removed("event3", objects).size() == 1);
    CHECK(book.node_removed("event4", objects).size() == 1);
    auto first = book.node_added("event3", keyboard("Twin"));
    auto second = book.node_added("event4", keyboard("Twin"));
    REQUIRE(first);
    REQUIRE(second);
    CHECK(first->object.id != second->object.id);
}

TEST_CASE("replug: an input comes back under a new id; the dead object never waits again, the new one does") {
    CHECK(replugged_input_id("vmrun-input0", 1) == "vmrun-input0-r1");
    CHECK(replugged_input_id("vmrun-input0-r1", 2) == "vmrun-input0-r2");
    CHECK(replugged_input_id("kbd-rx", 1) == "kbd-rx-r1");  // "-rx" is no replug suffix

    InputReattachBook book;
    book.node_seen("event1", keyboard("Receiver"));
    auto gone = book.node_removed("event1", {object("vmrun-input0", "/dev/input/event1")});
    REQUIRE(gone.size() == 1);
    auto back = book.node_added("event1", keyboard("Receiver"));
    REQUIRE(back);
    auto id = book.next_id(*back);
    CHECK(id == "vmrun-input0-r1");
    book.came_back(*back);
    CHECK(book.dead() == std::vector<std::string>{"vmrun-input0"});
    // Unplugged again: the dead object (same node path) stays dead; the new one waits.
    auto again = book.node_removed("event1", {object("vmrun-input0", "/dev/input/event1"), object(id, "/dev/input/event1")});
    REQUIRE(again.size() == 1);
    CHECK(again[0].object.id == "vmrun-input0-r1");
    auto back2 = book.node_added("event4", keyboard("Receiver"));
    REQUIRE(back2);
    CHECK(book.next_id(*back2) == "vmrun-input0-r2");
}

TEST_CASE("replug: object-add keeps grab_all, repeat and grab-toggle, on the new node") {
    InputObject o = object("vmrun-input0", "/dev/input/by-id/kbd");
    o.grab_all = true;
    o.repeat = true;
    o.grab_toggle = "scrolllock";
    auto args = input_object_add_arguments(o, "/dev/input/event6");
    CHECK(args == nlohmann::json{{"qom-type", "input-linux"}, {"id", "vmrun-input0"}, {"evdev", "/dev/input/event6"},
                                 {"grab_all", true}, {"repeat", true}, {"grab-toggle", "scrolllock"}});
    CHECK_FALSE(input_object_add_arguments(object("x", "/dev/input/event1"), "/dev/input/event1").contains("grab_all"));
    CHECK(event_node_of_path("/dev/input/event12") == "event12");
    CHECK(event_node_of_path("/dev/input/by-id/usb-x-event-kbd").empty());
    CHECK(event_node_of_path("/dev/input/mouse0").empty());
    CHECK(event_node_of_path("/dev/input/eventx").empty());
}

TEST_CASE("replug: a node's identity from sysfs, and the watch sees event nodes made and removed (nothing else)") {
    TempDir root;
    auto dev = root.path / "sys/class/input/event5/device";
    std::filesystem::create_directories(dev / "id");
    std::filesystem::create_directories(root.path / "dev/input/by-id");
    write_file(dev / "name", "vmrun-test-keyboard\n");
    write_file(dev / "phys", "\n");
    write_file(dev / "id/bustype", "0003\n");
    write_file(dev / "id/vendor", "1209\n");
    write_file(dev / "id/product", "0001\n");
    write_file(dev / "id/version", "0001\n");
    auto id = read_input_identity(root.path.string(), "event5");
    REQUIRE(id);
    CHECK(id->name == "vmrun-test-keyboard");
    CHECK(id->vendor == 0x1209);
    CHECK(id->product == 1);
    CHECK(id->bustype == 3);
    CHECK(id->describe() == "'vmrun-test-keyboard' (1209:0001)");
    CHECK_FALSE(read_input_identity(root.path.string(), "event6"));
    CHECK_FALSE(read_input_identity(root.path.string(), "../event5"));

    std::string error;
    auto watch = watch_input_nodes(root.path.string(), error);
    REQUIRE_MESSAGE(bool(watch), error);
    CHECK(read_input_node_changes(watch.get()).empty());
    write_file(root.path / "dev/input/event5", "");
    write_file(root.path / "dev/input/mouse0", "");
    std::filesystem::remove(root.path / "dev/input/event5");
    auto changes = read_input_node_changes(watch.get());
    REQUIRE(changes.size() == 2);
    CHECK((changes[0].kind == InputNodeChange::Kind::added && changes[0].node == "event5"));
    CHECK((changes[1].kind == InputNodeChange::Kind::removed && changes[1].node == "event5"));
    CHECK(list_event_nodes(root.path.string()).empty());

    TempDir no_input;
    CHECK_FALSE(watch_input_nodes(no_input.path.string(), error));
    CHECK(error.find("dev/input") != std::string::npos);
}
