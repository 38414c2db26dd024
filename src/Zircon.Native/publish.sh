#!/usr/bin/env bash
# Publishes the C ABI: builds libzircon.so with NativeAOT and lays out
#   <artifacts-dir>/native/libzircon.so.X.Y.Z    (SONAME libzircon.so.0; + libzircon.so.dbg, its symbols)
#   <artifacts-dir>/native/libzircon.so.0 -> libzircon.so.X.Y.Z, libzircon.so -> libzircon.so.0
#   <artifacts-dir>/native/include/zircon/...    (copied from native/include)
# Idempotent. Intermediate files go to <artifacts-dir>/obj/zircon-native, apart from the obj/
# and bin/ folders a normal `dotnet build` uses, so the two never step on each other.
#
# Usage: src/Zircon.Native/publish.sh <artifacts-dir>
# Environment: ZIRCON_NATIVE_RID overrides the runtime identifier (default: linux-x64, or
# linux-arm64 on aarch64 hosts).

set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 <artifacts-dir>" >&2
  exit 2
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
mkdir -p "$1"
artifacts="$(cd "$1" && pwd)"

case "$(uname -m)" in
  aarch64 | arm64) default_rid=linux-arm64 ;;
  *) default_rid=linux-x64 ;;
esac
rid="${ZIRCON_NATIVE_RID:-$default_rid}"

build="$artifacts/obj/zircon-native"
out="$build/publish"
dest="$artifacts/native"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
rm -rf "$out"

# The fault-tolerant user-copy routines (native/usercopy), linked statically into libzircon.so.
usercopy="$build/usercopy"
mkdir -p "$usercopy"
cc="${CC:-gcc}"
"$cc" -O2 -fPIC -Wall -Wextra -Werror -c "$repo/native/usercopy/usercopy.c" -o "$usercopy/usercopy.o"
objects=("$usercopy/usercopy.o")
case "$rid" in
  linux-x64)
    "$cc" -fPIC -c "$repo/native/usercopy/usercopy_x86_64.S" -o "$usercopy/usercopy_x86_64.o"
    objects+=("$usercopy/usercopy_x86_64.o")
    ;;
esac
rm -f "$usercopy/libzircon_usercopy.a"
ar rcs "$usercopy/libzircon_usercopy.a" "${objects[@]}"

dotnet publish "$here/Zircon.Native.csproj" -r "$rid" -c Release -nologo -v:q \
  --artifacts-path "$build" -o "$out" -p:ZirconUserCopyLibrary="$usercopy/libzircon_usercopy.a"

if [ ! -f "$out/libzircon.so" ]; then
  echo "error: dotnet publish produced no libzircon.so in $out" >&2
  exit 1
fi

mkdir -p "$dest"
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$repo/Directory.Build.props" | head -n 1)"
real="libzircon.so.${version:-0.0.0}"
# Replace by rename, so a program that has the old library mapped keeps running.
cp "$out/libzircon.so" "$dest/.$real.tmp"
mv -f "$dest/.$real.tmp" "$dest/$real"
if [ -f "$out/libzircon.so.dbg" ]; then
  cp "$out/libzircon.so.dbg" "$dest/.libzircon.so.dbg.tmp"
  mv -f "$dest/.libzircon.so.dbg.tmp" "$dest/libzircon.so.dbg"
fi
# The SONAME link (what programs load) and the development link (what -lzircon finds).
ln -sfn "$real" "$dest/libzircon.so.0"
ln -sfn libzircon.so.0 "$dest/libzircon.so"
# Older real files of other versions are left by earlier publishes: remove them.
find "$dest" -maxdepth 1 -name 'libzircon.so.*.*.*' ! -name "$real" -delete

rm -rf "$dest/include"
mkdir -p "$dest/include"
cp -R "$repo/native/include/." "$dest/include/"

echo "libzircon: $dest/libzircon.so ($rid), headers: $dest/include"
