#!/usr/bin/env bash
# The KVM rig: runs a command with a real /dev/kvm on a host that has none.
#
# It boots Debian's own kernel under QEMU's software emulation (TCG) on a CPU model with SVM
# ("-cpu max"), loads KVM's AMD module there, and runs the command in a chroot whose files are
# this host's (the repository at its own path, the .NET SDK, the libraries they need), so the
# command sees the same paths it would see here, plus a real KVM that runs stock SVM code paths
# (not PVM). Used by ./test.sh for every suite that needs KVM when /dev/kvm is absent.
#
# Usage: scripts/kvm-rig/rig.sh [--timeout SECONDS] [--memory MIB] [--cpus N] -- COMMAND [ARG...]
#   COMMAND runs inside the rig with the current directory unchanged; its standard output and
#   error come back on standard output when it ends; the rig exits with its exit code (124 on timeout, 125 when
#   the rig itself could not be built or booted, 123 when its emulated machine stopped responding:
#   see stall-watch.sh).
# Environment: ZX_RIG_KEEP=1 keeps the work folder (image, initramfs, console log) for a look;
#   ZX_RIG_STALL_SECONDS (default 180) is how long a silent heartbeat means a stopped machine.
# Variables named ZX_* and ZXVM_* are passed on to the command.
set -euo pipefail

timeout_s=1800
memory_mib=3072
cpus=2
while [ $# -gt 0 ]; do
    case "$1" in
        --timeout) timeout_s="$2"; shift 2 ;;
        --memory) memory_mib="$2"; shift 2 ;;
        --cpus) cpus="$2"; shift 2 ;;
        --) shift; break ;;
        *) echo "rig: unknown option $1" >&2; exit 125 ;;
    esac
done
[ $# -gt 0 ] || { echo "rig: no command given" >&2; exit 125; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cwd="$(pwd)"

# What the rig needs from the host; install-prereqs.sh installs it.
kernel="$("$here/find-kernel.sh")" || { echo "rig: no Debian kernel with KVM modules (linux-image-cloud-amd64)" >&2; exit 125; }
kver="${kernel##*/vmlinuz-}"
moddir="/lib/modules/$kver/kernel"
for tool in qemu-system-x86_64 mke2fs debugfs cpio busybox gcc; do
    command -v "$tool" >/dev/null 2>&1 || { echo "rig: $tool is missing" >&2; exit 125; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/zx-kvm-rig.XXXXXX")"
cleanup() { [ "${ZX_RIG_KEEP:-0}" = 1 ] && echo "rig: kept $work" >&2 || rm -rf "$work"; }
trap cleanup EXIT

# 1. The initramfs: busybox, the modules for KVM (AMD, since QEMU emulates SVM and not VMX) and
#    for the virtio disk that carries the root, and an /init that runs the command.
init_root="$work/initramfs"
mkdir -p "$init_root"/{bin,proc,sys,dev,rig,modules}
cp "$(command -v busybox)" "$init_root/bin/busybox"
for module in virt/lib/irqbypass arch/x86/kvm/kvm arch/x86/kvm/kvm-amd \
              drivers/virtio/virtio_ring drivers/virtio/virtio \
              drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci_modern_dev \
              drivers/virtio/virtio_pci drivers/block/virtio_blk; do
    if [ -f "$moddir/$module.ko" ]; then
        cp "$moddir/$module.ko" "$init_root/modules/"
        echo "${module##*/}" >>"$init_root/modules/order"
    fi
done
# kvm-keeper (see its source) keeps KVM's static keys from flipping while the tests run.
gcc -O2 -static -o "$init_root/bin/kvm-keeper" "$here/kvm-keeper.c" ||
    { echo "rig: could not build kvm-keeper (gcc with static libc, libc6-dev)" >&2; exit 125; }
cp "$here/init.sh" "$init_root/init"
chmod +x "$init_root/init"
(cd "$init_root" && find . | cpio -o -H newc --quiet | gzip -1 >"$work/initramfs.gz")

# 2. The root the command sees: hard links (no copies) of the repository, the .NET SDK and the
#    shared libraries every ELF file among them needs, in a fresh ext4 image.
"$here/build-root.sh" "$work/root" "$repo"
cat >"$work/root/rig-command.sh" <<EOF
#!/bin/sh
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin:\$PATH HOME=/tmp/home TMPDIR=/tmp
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_HOME=/tmp/home ZX_IN_KVM_RIG=1
mkdir -p /tmp/home
$(for name in $(compgen -e | grep -E '^ZX(VM)?_' || true); do printf 'export %s=%q\n' "$name" "${!name}"; done)
cd $(printf '%q' "$cwd") || exit 125
exec $(printf '%q ' "$@")
EOF
chmod +x "$work/root/rig-command.sh"
size_mib=$(( $(du -sm --apparent-size "$work/root" | cut -f1) * 13 / 10 + 3072 ))  # room for what the tests write in /tmp
mke2fs -q -t ext4 -O ^has_journal -E root_owner=0:0 -d "$work/root" "$work/root.img" "${size_mib}M" >/dev/null 2>&1 ||
    { echo "rig: could not build the root image" >&2; exit 125; }

# 3. Boot. The console carries the kernel's messages, the command's output between two markers,
#    and its exit code.
#    The console also carries /init's heartbeat; the monitor socket lets stall-watch.sh ask QEMU
#    where a stopped machine's CPUs are.
console="$work/console.log"
set +e
timeout --kill-after=10 "$timeout_s" qemu-system-x86_64 \
    -accel tcg,thread=multi -cpu max -smp "$cpus" -m "$memory_mib" \
    -nographic -no-reboot -nodefaults -serial stdio \
    -monitor "unix:$work/monitor.sock,server=on,wait=off" \
    -kernel "$kernel" -initrd "$work/initramfs.gz" \
    -append "console=ttyS0 quiet loglevel=4 panic=-1 nokaslr rdinit=/init" \
    -drive "file=$work/root.img,if=virtio,format=raw,cache=unsafe" \
    </dev/null >"$console" 2>&1 &
qemu=$!
"$here/stall-watch.sh" "$qemu" "$console" "$work/monitor.sock" \
    "${ZX_RIG_STALL_SECONDS:-180}" "$work/stall-report" &
watcher=$!
wait $qemu
qemu_rc=$?
kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null
# The command's output and status, from the root image (debugfs reads ext4 without mounting it).
debugfs -R "cat /rig-output.log" "$work/root.img" 2>/dev/null
set -e

code=$(debugfs -R "cat /rig-exit" "$work/root.img" 2>/dev/null | tr -dc '0-9' || true)
if [ -n "$code" ]; then
    exit "$code"
fi
if [ -s "$work/stall-report" ]; then
    cat "$work/stall-report" >&2
    # Name the kernel function at each CPU's RIP from the symbols /init saved.
    debugfs -R "cat /rig-kallsyms" "$work/root.img" 2>/dev/null >"$work/kallsyms"
    for rip in $(grep -oE "^RIP=ffffffff[0-9a-f]+" "$work/stall-report.registers" | cut -d= -f2); do
        echo "rig|   RIP $rip: $(perl -e 'my $rip = hex($ARGV[0]); my ($best, $name) = (0, "?");
            while (<STDIN>) { my ($a, $t, $n, $m) = split; $a = hex($a);
                ($best, $name) = ($a, $n . ($m ? " $m" : "")) if $a <= $rip && $a > $best }
            printf "%s+0x%x\n", $name, $rip - $best' "$rip" <"$work/kallsyms")" >&2
    done
    echo "rig: last console lines:" >&2
    tr -d '\r' <"$console" | grep -v zx-rig-heartbeat | tail -20 | sed 's/^/rig| /' >&2
    exit 123
fi
if [ "$qemu_rc" -eq 124 ]; then
    echo "rig: timed out after $timeout_s s; last console lines:" >&2
    tr -d '\r' <"$console" | grep -v zx-rig-heartbeat | tail -20 | sed 's/^/rig| /' >&2
    exit 124
fi
echo "rig: the command did not report an exit code; last console lines:" >&2
tr -d '\r' <"$console" | grep -v zx-rig-heartbeat | tail -20 | sed 's/^/rig| /' >&2
exit 125
