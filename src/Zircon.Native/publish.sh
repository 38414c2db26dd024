#!/usr/bin/env bash
# Publishes the C ABI: builds libzircon.so with NativeAOT and lays out
#   <artifacts-dir>/native/libzircon.so          (+ libzircon.so.dbg, its symbols)
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
# Replace by rename, so a program that has the old library mapped keeps running.
for file in libzircon.so libzircon.so.dbg; do
  if [ -f "$out/$file" ]; then
    cp "$out/$file" "$dest/.$file.tmp"
    mv -f "$dest/.$file.tmp" "$dest/$file"
  fi
done

rm -rf "$dest/include"
mkdir -p "$dest/include"
cp -R "$repo/native/include/." "$dest/include/"

echo "libzircon: $dest/libzircon.so ($rid), headers: $dest/include"
