#pragma once
// Parsers for the scalar formats a profile uses. Pure: each returns the value or
// an error text that says what a correct value looks like.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace vmrun {

template <typename T>
struct Parsed {
    std::optional<T> value;
    std::string error;  // set when !value
    static Parsed ok(T v) { return {std::move(v), {}}; }
    static Parsed fail(std::string e) { return {std::nullopt, std::move(e)}; }
};

// "8G", "1024M", "512MiB", "2GiB" -> MiB. A bare number is refused: it is too
// easy to mean GiB and get MiB.
// One word of [A-Za-z0-9._-]: what may stand where QEMU does not escape commas.
bool is_token(std::string_view s);
// "+name", "-name" or "name=value", each part a token.
bool is_cpu_flag(std::string_view s);
// `s` for a message: control bytes and non-UTF-8 shown as \xNN, long text cut.
std::string printable(std::string_view s);

// 16 TiB, far past any host vmrun is for; larger sizes are refused instead of
// multiplied into a number that wraps around to a small one.
constexpr uint64_t kMaxMemoryMib = uint64_t(16) << 20;

Parsed<uint64_t> parse_memory_mib(std::string_view text);

// "52:54:00:12:34:56" -> normalised lower case; refuses multicast and all-zero.
Parsed<std::string> parse_mac(std::string_view text);

struct UsbId { uint16_t vendor = 0, product = 0; };
// "046d:c52b"
Parsed<UsbId> parse_usb_id(std::string_view text);

struct Resolution { unsigned width = 0, height = 0; };
// "2560x1440": a display mode, each side 1-16384 pixels.
Parsed<Resolution> parse_resolution(std::string_view text);

// Looking Glass's rule for its shared memory: two frames of 32-bit pixels
// plus 10 MiB, rounded up to a power of two (IVSHMEM's BAR must be one), in MiB.
uint64_t looking_glass_size_mib(unsigned width, unsigned height);

struct UsbBusAddr { int bus = 0, addr = 0; };
// "3.4" (bus 3, device address 4, as lsusb prints them)
Parsed<UsbBusAddr> parse_usb_bus_addr(std::string_view text);

struct Forward { std::string protocol, host_address; int host_port = 0, guest_port = 0; };
// "2222:22", "tcp:2222:22", "udp:127.0.0.1:5353:53"
Parsed<Forward> parse_port_forward(std::string_view text);

// Names that end up in file paths and QEMU ids: letters, digits, '-', '_', '.'.
bool is_safe_name(std::string_view text);
// A virtiofs tag vmrun also names files and QEMU ids by: a safe name of at
// most 36 bytes (virtio-fs's config field).
bool is_virtiofs_tag(std::string_view text);

}  // namespace vmrun
