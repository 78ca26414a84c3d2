#!/usr/bin/env bash
# The Debian package as a user meets it: built by scripts/package.sh, installed
# with apt on this machine, used (vmrun --version, man vmrun and
# vmrun-profile(5) rendered without a warning, bash completion, the systemd
# template verified), then purged, leaving none of its files behind.
# One PASS:/FAIL: line per check; exit 0 only when all pass.
#
# It installs into /usr on this machine: run it where that is fine (CI, a VM).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
failed=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failed=1; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
[ "$(id -u)" = 0 ] || { echo "FAIL: installing a package needs root"; exit 1; }
if dpkg -s vmrun >/dev/null 2>&1; then
  echo "FAIL: a vmrun package is installed here already ($(dpkg-query -W -f='${Version}' vmrun)); this test installs and purges its own"
  exit 1
fi

work=$(mktemp -d /tmp/vmrun-package.XXXXXX)
trap 'dpkg -s vmrun >/dev/null 2>&1 && apt-get -qq purge -y vmrun >/dev/null 2>&1; rm -rf "$work"' EXIT
deb=$("$top/scripts/package.sh" "$work/build" | tail -1)
check "scripts/package.sh built $(basename "$deb")" [ -f "$deb" ]
[ -f "$deb" ] || exit 1
version=$(sed -n 's/^project(vmrun VERSION \([0-9.]*\).*/\1/p' "$top/CMakeLists.txt")
depends=$(dpkg-deb -f "$deb" Depends)
echo "  Depends: $depends"
for d in qemu-system-x86 ovmf libyaml-cpp libc6; do
  check "Depends names $d" grep -q "$d" <<< "$depends"
done
recommends=$(dpkg-deb -f "$deb" Recommends | tr -s ', ' '\n\n')
for r in swtpm qemu-system-gui; do
  check "Recommends $r" grep -qx "$r" <<< "$recommends"
done

export DEBIAN_FRONTEND=noninteractive
apt-get -qq -o DPkg::Lock::Timeout=300 install -y "$deb" > "$work/install.log" 2>&1
check "apt install ./$(basename "$deb")" dpkg -s vmrun
dpkg -L vmrun > "$work/files"

check "vmrun --version says $version" [ "$(vmrun --version)" = "vmrun $version" ]
for page in "1 vmrun" "5 vmrun-profile"; do
  set -- $page
  MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings "$1" "$2" > "$work/$2.txt" 2> "$work/$2.err"
  check "man $1 $2 renders ($(wc -l < "$work/$2.txt") lines)" [ -s "$work/$2.txt" ]
  check "man $1 $2 renders without a warning" [ ! -s "$work/$2.err" ]
  [ -s "$work/$2.err" ] && sed 's/^/  /' "$work/$2.err" | head -5
done
check "man vmrun has the hotplug command" grep -q "vmrun hotplug NAME" "$work/vmrun.txt"

# Bash's completion as bash-completion loads it, driven on a line.
complete_line() {
  bash -c 'source /usr/share/bash-completion/completions/vmrun
    COMP_LINE=$1; COMP_POINT=${#1}; read -r -a COMP_WORDS <<< "$1"
    [[ $1 == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    _vmrun; printf "%s\n" "${COMPREPLY[@]}"' _ "$1"
}
check "bash completion: 'vmrun hotp' offers hotplug" [ "$(complete_line "vmrun hotp")" = hotplug ]
check "bash completion: 'vmrun stop --f' offers --force" [ "$(complete_line "vmrun stop --f")" = --force ]
check "zsh completion is where Debian's zsh finds it" [ -f /usr/share/zsh/vendor-completions/_vmrun ]

unit=/usr/lib/systemd/system/vmrun@.service
check "vmrun@.service is installed" [ -f "$unit" ]
check "vmrun@.service runs the installed binary" grep -qx 'ExecStart=/usr/bin/vmrun start --foreground /etc/vmrun/%i.yaml' "$unit"
SYSTEMD_LOG_LEVEL=notice systemd-analyze verify vmrun@win11.service > "$work/verify.out" 2>&1
verify_rc=$?
check "systemd-analyze verify vmrun@win11.service: no complaint" [ "$verify_rc" = 0 ] && [ ! -s "$work/verify.out" ]
sed 's/^/  /' "$work/verify.out" | head -5
check "the example profiles are installed" [ -f /usr/share/doc/vmrun/examples/win10-gaming.yaml ]

apt-get -qq purge -y vmrun > "$work/purge.log" 2>&1
check "apt purge vmrun" eval '! dpkg -s vmrun >/dev/null 2>&1'
left=""
while read -r f; do
  # Folders it shares with other packages (/usr/bin, /usr/share/man/man1) stay; its files must not.
  if [ -f "$f" ] || [ -L "$f" ]; then left="$left $f"; fi
done < "$work/files"
for d in /usr/share/doc/vmrun /usr/share/doc/vmrun/examples; do [ -e "$d" ] && left="$left $d"; done
check "nothing of the package is left after purge${left:+:$left}" [ -z "$left" ]
hash -r
command -v vmrun >/dev/null && fail "vmrun is still on PATH after purge"

[ "$failed" = 0 ] && { echo "RESULT: PASS"; exit 0; }
echo "RESULT: FAIL"
exit 1
