#!/usr/bin/env bash
# The Linux guest zxvm's Linux tests and benchmark boot (idempotent; nothing is downloaded but
# Debian packages through apt):
#   - installs linux-image-cloud-amd64, busybox-static and lz4 if missing (versions not pinned);
#   - unpacks the uncompressed vmlinux (for the PVH path) from the newest installed cloud kernel's
#     bzImage payload into artifacts/linux/, once per kernel version;
#   - prints the paths it prepared: "bzImage=...", "vmlinux=...", "busybox=...", "modules=...".
# The initramfs is not built here: the tests build theirs at run time (tests/Zxvm.Tests/Linux).
set -euo pipefail
cd "$(dirname "$0")/.."

# Inside the KVM rig (scripts/kvm-rig) there is no package manager: the host prepared everything.
[ "${ZX_IN_KVM_RIG:-0}" = 1 ] && installed() { true; } ||
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
need=()
for package in linux-image-cloud-amd64 busybox-static lz4; do
    installed "$package" || need+=("$package")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}" >&2
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >&2
fi

bzimage=$(ls /boot/vmlinuz-*-cloud-amd64 | sort -V | tail -1)
version=${bzimage#/boot/vmlinuz-}
out=artifacts/linux
vmlinux=$out/vmlinux-$version
mkdir -p "$out"
if [ ! -s "$vmlinux" ]; then
    # The protected-mode kernel starts after (setup_sects + 1) sectors; its compressed payload is
    # payload_length bytes at payload_offset (setup header 0x248/0x24C, boot protocol 2.08+).
    setup_sects=$(od -An -tu1 -j $((0x1F1)) -N1 "$bzimage" | tr -d ' ')
    [ "$setup_sects" -eq 0 ] && setup_sects=4
    payload_offset=$(od -An -tu4 -j $((0x248)) -N4 "$bzimage" | tr -d ' ')
    payload_length=$(od -An -tu4 -j $((0x24C)) -N4 "$bzimage" | tr -d ' ')
    start=$(( (setup_sects + 1) * 512 + payload_offset ))
    magic=$(od -An -tx1 -j "$start" -N4 "$bzimage" | tr -d ' ')
    case "$magic" in
        02214c18) decompress="lz4 -dc" ;;      # LZ4 legacy frame (CONFIG_KERNEL_LZ4, Debian's choice)
        1f8b*)    decompress="gzip -dc" ;;
        fd377a58) decompress="xz -dc" ;;
        28b52ffd) decompress="zstd -dc" ;;
        *) echo "error: unknown kernel payload compression (magic $magic) in $bzimage" >&2; exit 1 ;;
    esac
    # The kernel appends its decompressed size after the stream: lz4 reports trailing garbage and
    # exits 1 although the output is complete, so the ELF magic decides.
    tail -c +$((start + 1)) "$bzimage" | head -c "$payload_length" | $decompress > "$vmlinux.tmp" 2>/dev/null || true
    if [ "$(od -An -tx1 -N4 "$vmlinux.tmp" | tr -d ' ')" != "7f454c46" ]; then
        echo "error: could not unpack vmlinux from $bzimage" >&2
        rm -f "$vmlinux.tmp"; exit 1
    fi
    mv "$vmlinux.tmp" "$vmlinux"
fi
echo "bzImage=$bzimage"
echo "vmlinux=$PWD/$vmlinux"
echo "busybox=/bin/busybox"
echo "modules=/lib/modules/$version"
