#!/usr/bin/env bash
# Builds the KVM rig's root folder: the repository at its own path, the .NET SDK, a shell and
# the few tools the test suites start, and every shared library they need (found with ldd).
# Files are hard links where the file system allows it, so building costs next to nothing.
#
# Usage: scripts/kvm-rig/build-root.sh ROOT REPO
set -euo pipefail
root="$1"
repo="$2"

link_tree() { # SRC DST: hard-link a tree, or copy it when SRC is on another file system
    mkdir -p "$(dirname "$2")"
    cp -al "$1" "$2" 2>/dev/null || { rm -rf "$2"; cp -a "$1" "$2"; }
}

mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,tmp,proc,sys,dev,root}
ln -s usr/bin "$root/bin"; ln -s usr/sbin "$root/sbin"
ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"

# The repository (without its history) at the same absolute path.
mkdir -p "$root$repo"
for entry in "$repo"/* "$repo"/.[!.]*; do
    [ -e "$entry" ] || continue
    case "${entry##*/}" in .git) continue ;; esac
    link_tree "$entry" "$root$repo/${entry##*/}"
done

# The .NET SDK and runtime, without the targeting packs and templates no test run needs.
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
mkdir -p "$root$dotnet_root"
for entry in "$dotnet_root"/*; do
    case "${entry##*/}" in packs|templates) continue ;; esac
    link_tree "$entry" "$root$dotnet_root/${entry##*/}"
done
ln -sf "$dotnet_root/dotnet" "$root/usr/bin/dotnet"

# Debian's kernels and their modules: the Linux guest tests boot them and build initramfs files
# from their virtio modules.
for kernel in /boot/vmlinuz-*; do
    [ -f "$kernel" ] || continue
    mkdir -p "$root/boot"
    ln "$kernel" "$root/boot/" 2>/dev/null || cp "$kernel" "$root/boot/"
    kver="${kernel##*/vmlinuz-}"
    [ -d "/lib/modules/$kver" ] && link_tree "/lib/modules/$kver" "$root/usr/lib/modules/$kver"
done

# Tools: busybox for the usual commands, bash for the repository's scripts, script(1) for the
# pseudo-terminal tests, perl (no modules) with which those tests start script(1) with default
# signal dispositions.
cp "$(command -v busybox)" "$root/usr/bin/busybox"
for applet in $("$root/usr/bin/busybox" --list); do
    [ -e "$root/usr/bin/$applet" ] || ln -s busybox "$root/usr/bin/$applet"
done
tools=()
for tool in bash script env timeout stty perl; do
    path="$(command -v "$tool" 2>/dev/null)" || continue
    path="$(readlink -f "$path")"
    rm -f "$root/usr/bin/${tool}"
    cp "$path" "$root/usr/bin/$tool"
    tools+=("$path")
done

# Shared libraries: everything ldd names for the ELF files above, plus what .NET opens by name.
libs="$(mktemp)"
{
    # The repository's artifacts/ exists only after ./build.sh; a missing folder is not an error.
    for dir in "$root$dotnet_root" "$root$repo/artifacts"; do
        [ -d "$dir" ] || continue
        find "$dir" -type f \( -name '*.so' -o -name '*.so.*' -o -perm -u+x \) 2>/dev/null || true
    done
    printf '%s\n' "${tools[@]}"
} | while read -r elf; do
    ldd "$elf" 2>/dev/null | grep -o '/[^ ]*' || true
done | sort -u >"$libs"
for extra in libssl.so.3 libcrypto.so.3 libz.so.1 libnss_files.so.2; do
    found="$(ldconfig -p | grep -m1 -o "/[^ ]*/$extra" || true)"
    [ -n "$found" ] && echo "$found" >>"$libs"
done
while read -r lib; do
    [ -f "$lib" ] || continue
    real="$(readlink -f "$lib")"
    case "$real" in "$root"*) continue ;; esac
    dest="$root$real"
    mkdir -p "$(dirname "$dest")"
    [ -e "$dest" ] || cp "$real" "$dest"
    # The name the loader looks for, when it is a symbolic link to the file itself.
    if [ "$lib" != "$real" ]; then
        canon="$(readlink -f "$(dirname "$lib")")/$(basename "$lib")"
        [ -e "$root$canon" ] || ln -s "$real" "$root$canon"
    fi
done <"$libs"
rm -f "$libs"

printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
printf '127.0.0.1 localhost\n' >"$root/etc/hosts"
