#!/usr/bin/env bash
# Installs what the build needs and is missing (idempotent): the .NET SDK is expected on the
# machine; gcc and make come from Debian's packages when absent.
set -euo pipefail

missing=()
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v script >/dev/null 2>&1 || missing+=(bsdutils)   # pseudo-terminal for the console tests
# The KVM rig (scripts/kvm-rig) for hosts without /dev/kvm: QEMU, Debian's kernel with KVM's
# modules, busybox, and the tools that build its root image.
command -v qemu-system-x86_64 >/dev/null 2>&1 || missing+=(qemu-system-x86)
command -v busybox >/dev/null 2>&1 || missing+=(busybox-static)
command -v mke2fs >/dev/null 2>&1 || missing+=(e2fsprogs)
command -v cpio >/dev/null 2>&1 || missing+=(cpio)
[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || missing+=(libc6-dev)  # the rig's static kvm-keeper
"$(dirname "$0")/kvm-rig/find-kernel.sh" >/dev/null 2>&1 || missing+=(linux-image-cloud-amd64)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkgconf)  # the C install test builds with pkg-config
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
fi

if ! command -v dotnet >/dev/null 2>&1; then
    echo "error: the .NET SDK (dotnet, version 10) is required and was not found on PATH" >&2
    exit 1
fi
