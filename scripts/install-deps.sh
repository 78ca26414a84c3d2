#!/usr/bin/env bash
# Installs what vmrun builds and tests with, from Debian 12's packages.
# Quiet, and a no-op when everything is already there.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libboost-dev libboost-system-dev libboost-filesystem-dev libboost-program-options-dev
  libyaml-cpp-dev nlohmann-json3-dev libspdlog-dev doctest-dev
  qemu-system-x86 qemu-system-gui qemu-utils ovmf swtpm swtpm-tools pulseaudio pulseaudio-utils
  libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
  busybox-static cpio iproute2 dmsetup e2fsprogs kmod zsh man-db systemd
  python3 clang libclang-rt-14-dev
  python3-dbusmock dbus-daemon
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -qq -o DPkg::Lock::Timeout=300 update >/dev/null
$SUDO apt-get -qq -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}" >/dev/null
