# Sourced by the guest builders: fetch a stock Debian kernel without
# installing it, and copy modules (with their dependencies) into an initramfs.
#
#   fetch_debian_kernel         sets KROOT, KVER, VMLINUZ, MODDIR
#   add_modules IRD MOD...      copies MODs and their deps into IRD, appends
#                               their paths, deps first, to IRD/etc/modules.order
#                               (IRD/etc/$MODULES_ORDER when that is set)

VMRUN_CACHE=${VMRUN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmrun}
BUSYBOX=${BUSYBOX:-/bin/busybox}

fetch_debian_kernel() {
  local flavour=${KFLAVOUR:-amd64} pkg ver deb
  pkg=$(apt-cache depends "linux-image-$flavour" 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
  if [ -z "$pkg" ]; then
    apt-get -qq update >/dev/null 2>&1 || true
    pkg=$(apt-cache depends "linux-image-$flavour" 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
  fi
  [ -n "$pkg" ] || { echo "cannot resolve linux-image-$flavour (is apt configured?)" >&2; return 1; }
  ver=$(apt-cache policy "$pkg" | awk '/Candidate:/{print $2}')
  KROOT="$VMRUN_CACHE/kernel/$pkg-$ver"
  if [ ! -f "$KROOT/.ready" ]; then
    rm -rf "$KROOT"; mkdir -p "$KROOT"
    ( cd "$VMRUN_CACHE/kernel" && apt-get download "$pkg=$ver" >/dev/null 2>&1 ) \
      || { echo "apt-get download $pkg=$ver failed" >&2; return 1; }
    deb=$(ls "$VMRUN_CACHE/kernel/${pkg}_"*.deb | head -1)
    dpkg-deb -x "$deb" "$KROOT"
    rm -f "$deb"
    # Debian's package ships no modules.dep (its postinst runs depmod).
    "$BUSYBOX" depmod -b "$KROOT" "$(ls "$KROOT/lib/modules" | head -1)"
    touch "$KROOT/.ready"
  fi
  KVER=$(ls "$KROOT/lib/modules" | head -1)
  VMLINUZ="$KROOT/boot/vmlinuz-$KVER"
  MODDIR="$KROOT/lib/modules/$KVER"
}

add_modules() {
  local ird=$1; shift
  local -A seen=()
  local order=()
  _resolve() {
    local p=$1 d
    [ -n "${seen[$p]:-}" ] && return 0
    seen[$p]=1
    for d in $(grep -m1 "^$p:" "$MODDIR/modules.dep" | cut -d: -f2); do _resolve "$d"; done
    order+=("$p")
  }
  local m p
  for m in "$@"; do
    p=$(grep -E "(^|/)${m//_/[-_]}\.ko(\.[a-z]+)?:" "$MODDIR/modules.dep" | head -1 | cut -d: -f1)
    if [ -n "$p" ]; then _resolve "$p"
    elif grep -qE "/${m//_/[-_]}\.ko" "$MODDIR/modules.builtin"; then :
    else echo "module $m not found in $KVER" >&2; return 1; fi
  done
  mkdir -p "$ird/etc"
  for p in "${order[@]}"; do
    mkdir -p "$ird/lib/modules/$KVER/$(dirname "$p")"
    case "$p" in
      *.ko.xz)  xz -dc "$MODDIR/$p" > "$ird/lib/modules/$KVER/${p%.xz}"; p=${p%.xz} ;;
      *.ko.zst) zstd -qdc "$MODDIR/$p" > "$ird/lib/modules/$KVER/${p%.zst}"; p=${p%.zst} ;;
      *)        cp "$MODDIR/$p" "$ird/lib/modules/$KVER/$p" ;;
    esac
    echo "/lib/modules/$KVER/$p" >> "$ird/etc/${MODULES_ORDER:-modules.order}"
  done
}
