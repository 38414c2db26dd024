#!/usr/bin/env bash
# Prints the path of an installed Debian kernel whose modules include KVM's AMD module (the
# kernel the KVM rig boots); exits 1 if there is none. Newest first.
set -euo pipefail
for kernel in $(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -rV); do
    kver="${kernel##*/vmlinuz-}"
    if [ -f "/lib/modules/$kver/kernel/arch/x86/kvm/kvm-amd.ko" ]; then
        echo "$kernel"
        exit 0
    fi
done
exit 1
