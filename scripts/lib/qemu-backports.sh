# Sourced by tests/guest/boot.sh: QEMU from Debian's bookworm-backports,
# unpacked into the cache and never installed, for emulated hardware QEMU 7.2
# lacks (igb, an SR-IOV NIC, arrived in QEMU 8.0). Only the outer, emulated
# host runs it; vmrun inside still drives Debian 12's own QEMU.
#
#   fetch_backports_qemu    sets BPO_QEMU: a wrapper running it with its own firmware

fetch_backports_qemu() {
  local apt="$VMRUN_CACHE/apt-backports" ver dir p deps missing=()
  local opts=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$apt/lists"
              -o "Dir::Cache=$apt/cache" -o APT::Get::List-Cleanup=0)
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main" > "$apt/sources.list"
  ver=$(apt-cache "${opts[@]}" madison qemu-system-x86 2>/dev/null | awk '/bookworm-backports/{print $3; exit}')
  if [ -z "$ver" ]; then
    apt-get "${opts[@]}" -qq update >/dev/null 2>&1 || { echo "cannot read bookworm-backports' package lists" >&2; return 1; }
    ver=$(apt-cache "${opts[@]}" madison qemu-system-x86 2>/dev/null | awk '/bookworm-backports/{print $3; exit}')
  fi
  [ -n "$ver" ] || { echo "bookworm-backports has no qemu-system-x86" >&2; return 1; }
  dir="$VMRUN_CACHE/qemu-backports/${ver//[:~+]/_}"
  if [ ! -f "$dir/.ready" ]; then
    rm -rf "$dir"; mkdir -p "$dir/debs"
    ( cd "$dir/debs" && apt-get "${opts[@]}" download "qemu-system-x86=$ver" "qemu-system-common=$ver" "qemu-system-data=$ver" >/dev/null 2>&1 ) \
      || { echo "apt-get download qemu-system-x86=$ver failed" >&2; return 1; }
    for p in "$dir"/debs/*.deb; do dpkg-deb -x "$p" "$dir/root"; done
    # The libraries it links are Debian 12's own; install any the host lacks.
    deps=$(dpkg-deb -f "$dir"/debs/qemu-system-x86_*.deb Depends | tr ',' '\n' | awk '{print $1}' | grep '^lib')
    for p in $deps; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
    if [ ${#missing[@]} -gt 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}" >/dev/null \
        || { echo "cannot install ${missing[*]}" >&2; return 1; }
    fi
    rm -rf "$dir/debs"
    # Its own firmware first; Debian 12's SeaBIOS for the symlinks into /usr/share/seabios.
    # Its own modules too: Debian 12's QEMU 7.2 modules refuse to load into it.
    printf '#!/bin/sh\nQEMU_MODULE_DIR="%s/root/usr/lib/x86_64-linux-gnu/qemu" exec "%s/root/usr/bin/qemu-system-x86_64" -L "%s/root/usr/share/qemu" -L /usr/share/seabios "$@"\n' "$dir" "$dir" "$dir" > "$dir/qemu"
    chmod +x "$dir/qemu"
    "$dir/qemu" -device igb,help 2>/dev/null | grep -q 'igb options' || { echo "QEMU $ver from backports does not run here, or has no igb" >&2; return 1; }
    touch "$dir/.ready"
  fi
  BPO_QEMU="$dir/qemu"
}
