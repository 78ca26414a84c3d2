#pragma once
// Profiles that between them open every mapping the loader has. The loader
// asks a mapping for each of its keys as it reads it, so reading these tells a
// test (through set_key_observer) every key the loader knows.

namespace vmrun::testing {

inline const char* kEveryMapping = R"(name: every-mapping
memory: 1G
smp: {sockets: 1, cores: 2, threads: 1}
cpu: {model: host, pin: {vcpus: [0, 1]}}
boot: {order: [disk]}
firmware: {type: ovmf}
tpm: {version: "2.0"}
hugepages: {size: 2M}
smbios: {type0: {vendor: a}, type1: {product: b}, type2: {product: c}, type3: {serial: d}, type17: {speed: 3200}}
kernel: {image: /boot/vmlinuz}
disks: [{path: /x.img}]
network: [{type: user}]
passthrough: [{pf: 01:00.0, vf: 1}]
usb: [{host: 046d:c52b}]
shared_folders: [{path: /srv/share}]
root_ports: {model: ioh3420}
display: {type: vnc}
looking_glass: {owner: root}
audio: {backend: pulseaudio}
host_display: {unit: gdm}
input: [{evdev: /dev/input/event0}]
)";

}  // namespace vmrun::testing
