#!/usr/bin/env bash
# Installs the C ABI under a prefix, the usual Unix layout:
#   PREFIX/lib/libzircon.so.X.Y.Z, libzircon.so.0 -> it, libzircon.so -> libzircon.so.0
#   PREFIX/include/zircon/...
#   PREFIX/lib/pkgconfig/zircon.pc
# Then `PKG_CONFIG_PATH=PREFIX/lib/pkgconfig pkg-config --cflags --libs zircon` gives the flags
# to build a program against it.
#
# Usage: scripts/install-c.sh --prefix DIR [--from DIR]
#   --prefix DIR  where to install (created if missing); DESTDIR is honoured for staging
#   --from DIR    a published libzircon (default: <repo>/artifacts/native, made by ./build.sh or
#                 src/Zircon.Native/publish.sh)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix=""
from="$repo/artifacts/native"

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || usage; prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#--prefix=}"; shift ;;
    --from) [ $# -ge 2 ] || usage; from="$2"; shift 2 ;;
    --from=*) from="${1#--from=}"; shift ;;
    -h | --help) usage ;;
    *) echo "install-c.sh: unknown argument: $1" >&2; usage ;;
  esac
done
if [ -z "$prefix" ]; then
  echo "install-c.sh: --prefix DIR is required" >&2
  usage
fi
case "$prefix" in
  /*) ;;
  *) prefix="$(pwd)/$prefix" ;;
esac

real="$(cd "$from" 2>/dev/null && find . -maxdepth 1 -name 'libzircon.so.*.*.*' -type f | sed 's|^\./||' | head -n 1)"
if [ -z "$real" ] || [ ! -f "$from/include/zircon/syscalls.h" ]; then
  echo "install-c.sh: no published libzircon in $from (run ./build.sh first)" >&2
  exit 1
fi
version="${real#libzircon.so.}"

dest="${DESTDIR:-}$prefix"
mkdir -p "$dest/lib/pkgconfig" "$dest/include"
install -m 0755 "$from/$real" "$dest/lib/$real"
ln -sfn "$real" "$dest/lib/libzircon.so.0"
ln -sfn libzircon.so.0 "$dest/lib/libzircon.so"
rm -rf "$dest/include/zircon"
cp -R "$from/include/zircon" "$dest/include/zircon"
# In a .pc file a space inside a value must be escaped, or pkg-config splits the flag there.
# (The backslash is doubled once more for sed's replacement text.)
pc_prefix="${prefix// /\\ }"
sed -e "s|@PREFIX@|${pc_prefix//\\/\\\\}|g" -e "s|@VERSION@|$version|g" "$repo/native/zircon.pc.in" \
  >"$dest/lib/pkgconfig/zircon.pc"

echo "installed libzircon $version under $dest"
