#!/usr/bin/env bash
# Exits 0 when this host can run the KVM rig (scripts/kvm-rig/rig.sh): QEMU, busybox, mke2fs,
# cpio and a Debian kernel with KVM's modules. Otherwise says what is missing and exits 1.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
missing=()
for tool in qemu-system-x86_64 busybox mke2fs debugfs cpio gcc; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
"$here/find-kernel.sh" >/dev/null || missing+=("a kernel with kvm-amd.ko (linux-image-cloud-amd64)")
if [ ${#missing[@]} -gt 0 ]; then
    echo "KVM rig unavailable: missing ${missing[*]}" >&2
    exit 1
fi
