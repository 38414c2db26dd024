#!/usr/bin/env bash
# Linux boot: zxvm against QEMU's microvm (Debian's qemu-system-x86) on the same vmlinux, command
# line and memory size, runs interleaved. For each run: time from process start to the kernel's
# "Linux version" line and to its "Command line:" line on the serial console, and the VMM
# process's peak RSS. Medians go into a section of bench/results.md.
#
#   bench/linux-boot.sh [RUNS]      (default 10 runs of each VMM)
#
# Needs /dev/kvm (both VMMs use KVM) and says so when it is missing. No initrd: the kernel panics
# at "VFS: Unable to mount root fs" and, with panic=-1, reboots at once, which ends both VMMs
# (QEMU: -no-reboot; zxvm: the ACPI reset register, exit 0), so every run ends by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}

if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
    echo "bench/linux-boot.sh: cannot run here: /dev/kvm is missing or not usable (both zxvm and QEMU need KVM)" >&2
    exit 2
fi
scripts/linux-guest.sh >/tmp/zxvm-linux-guest.$$ || exit 1
vmlinux=$(sed -n 's/^vmlinux=//p' /tmp/zxvm-linux-guest.$$); rm -f /tmp/zxvm-linux-guest.$$
if ! command -v qemu-system-x86_64 >/dev/null; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq qemu-system-x86 >/dev/null
fi
[ -x artifacts/bin/zxvm ] || ./build.sh >/dev/null
zxvm=$(readlink -f artifacts/bin/zxvm)
memory=256
cmdline="console=ttyS0 earlyprintk=serial,ttyS0,115200 panic=-1"

# Runs one VMM; prints "version_ms cmdline_ms peak_rss_kib". Timestamps come from bash's
# EPOCHREALTIME as each console line arrives (no fork per line); the peak RSS from GNU time.
measure() {
    local log rss start t_version="" t_cmdline="" line now
    log=$(mktemp); rss=$(mktemp)
    start=$EPOCHREALTIME
    while IFS= read -r line; do
        now=$EPOCHREALTIME
        if [ -z "$t_version" ] && [[ "$line" == *"Linux version"* ]]; then t_version=$now; fi
        if [ -z "$t_cmdline" ] && [[ "$line" == *"Command line:"* ]]; then t_cmdline=$now; fi
        printf '%s\n' "$line" >>"$log"
    done < <(/usr/bin/time -f %M -o "$rss" timeout 120 "$@" </dev/null 2>/dev/null)
    if [ -z "$t_version" ] || [ -z "$t_cmdline" ]; then
        echo "bench/linux-boot.sh: $1 printed no banner; its console:" >&2; tail -5 "$log" >&2
        rm -f "$log" "$rss"; return 1
    fi
    awk -v s="$start" -v v="$t_version" -v c="$t_cmdline" -v r="$(tail -1 "$rss")" \
        'BEGIN { printf "%.1f %.1f %d\n", (v - s) * 1000, (c - s) * 1000, r }'
    rm -f "$log" "$rss"
}

command -v /usr/bin/time >/dev/null || { echo "bench/linux-boot.sh: needs GNU time (apt-get install time)" >&2; exit 1; }
zx=(); qe=()
for i in $(seq "$runs"); do
    zx+=("$(measure "$zxvm" run --kernel "$vmlinux" --memory "${memory}M" --cmdline "$cmdline")")
    qe+=("$(measure qemu-system-x86_64 -M microvm,auto-kernel-cmdline=off -enable-kvm -cpu host -m "${memory}M" \
        -nodefaults -no-user-config -nographic -no-reboot -serial stdio -kernel "$vmlinux" -append "$cmdline")")
    echo "run $i: zxvm ${zx[-1]} | qemu ${qe[-1]}" >&2
done

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
column() { printf '%s\n' "${@:2}" | awk -v c="$1" '{ print $c }' | median; }
row() { printf '| %s | %s ms | %s ms | %s MiB |\n' "$1" "$(column 1 "${@:2}")" "$(column 2 "${@:2}")" \
    "$(column 3 "${@:2}" | awk '{ printf "%.1f", $1 / 1024 }')"; }

section=$(cat <<SECTION
## Linux boot: zxvm vs QEMU microvm

Debian's $(basename "$vmlinux") through PVH, ${memory} MiB, command line \`$cmdline\`, no initrd;
$runs runs of each, interleaved; medians. Times from process start; RSS is the VMM process's peak
(GNU time). Host: $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //').
Script: \`bench/linux-boot.sh\`.

| VMM | to "Linux version" | to "Command line:" | peak RSS |
|---|--:|--:|--:|
$(row "zxvm (NativeAOT)" "${zx[@]}")
$(row "qemu-system-x86_64 -M microvm" "${qe[@]}")
SECTION
)
echo "$section"
# Replace the section in bench/results.md (from its heading to the next "## " heading).
awk -v new="$section" '
    /^## Linux boot: zxvm vs QEMU microvm/ { print new; skip = 1; done = 1; next }
    skip && /^## / { skip = 0 }
    !skip { print }
    END { if (!done) print "\n" new }' bench/results.md > bench/results.md.tmp && mv bench/results.md.tmp bench/results.md
