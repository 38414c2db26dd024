#!/usr/bin/env bash
# Linux boot: zxvm against QEMU's microvm (Debian's qemu-system-x86) on the same vmlinux, command
# line and memory size, runs interleaved (the order alternates run by run). For each run: time from
# process start to the kernel's "Linux version" line and to its "Command line:" line on the serial
# console, and the VMM process's peak RSS up to that point (VmHWM); then the VMM is stopped.
# Medians become three rows of
# bench/results/linux-boot.json (the shared benchmark format) and the "Linux boot" section of
# bench/results.md.
#
#   bench/linux-boot.sh [RUNS]      (default 7 runs of each VMM)
#
# Both VMMs need /dev/kvm. Where it is missing (a PVM host that does not nest), the script runs
# itself in the KVM rig (scripts/kvm-rig, docs/kvm-rig.md): both VMMs then run on the rig's KVM,
# nested in QEMU's software emulation, in the same rig run, so only their ratios mean anything;
# the rows say so. zxvm is the NativeAOT binary users run (artifacts/bin/zxvm, from ./build.sh).
#
# No initrd and no disk: each run is stopped once the kernel has echoed its command line, so a run
# measures the VMM's own start-up (process, kernel loading, guest set-up) and the kernel's first
# steps, not a whole boot (which, nested in the rig's emulation, takes minutes per run).
#
# Internal: "bench/linux-boot.sh --measure RUNS" prints one line per VMM and run,
# "<vmm> <ms to Linux version> <ms to Command line:> <peak RSS KiB>"; the rest is aggregation.
set -euo pipefail
cd "$(dirname "$0")/.."

memory=256
cmdline="console=ttyS0 earlyprintk=serial,ttyS0,115200 panic=-1"
staged=artifacts/rig-bench   # QEMU and its firmware for the rig (whose root has neither)

kvm_usable() { [ -r /dev/kvm ] && [ -w /dev/kvm ]; }

vmlinux_path() {
    local out
    out=$(scripts/linux-guest.sh) || return 1
    sed -n 's/^vmlinux=//p' <<<"$out"
}

# Runs one VMM until its console shows "Command line:"; prints "version_ms cmdline_ms peak_rss_kib".
# Timestamps come from bash's EPOCHREALTIME as each console line arrives (no fork per line); the
# peak RSS is the VMM's VmHWM (/proc/PID/status, the high-water mark getrusage reports too), read
# when the command line has been printed, just before the VMM is stopped (SIGTERM, by its pid).
# Its console comes through a FIFO: the rig's root has no /dev/fd for a process substitution.
measure_one() {
    local log fifo start t_version="" t_cmdline="" hwm="" line now pid watchdog
    log=$(mktemp); fifo=$(mktemp -u); mkfifo "$fifo"
    start=$EPOCHREALTIME
    "$@" </dev/null >"$fifo" 2>/dev/null &
    pid=$!
    # The watchdog must not hold the caller's $(...) pipe open: its sleep outlives it.
    ( exec >/dev/null 2>&1 </dev/null; sleep 300; kill "$pid" ) &
    watchdog=$!
    while IFS= read -r line; do
        now=$EPOCHREALTIME
        if [ -z "$t_version" ] && [[ "$line" == *"Linux version"* ]]; then t_version=$now; fi
        if [ -z "$t_cmdline" ] && [[ "$line" == *"Command line:"* ]]; then
            t_cmdline=$now
            hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
            kill "$pid" 2>/dev/null || true
            break
        fi
        printf '%s\n' "$line" >>"$log"
    done <"$fifo"
    wait "$pid" 2>/dev/null || true
    kill "$watchdog" 2>/dev/null || true; wait "$watchdog" 2>/dev/null || true
    rm -f "$fifo"
    if [ -z "$t_version" ] || [ -z "$t_cmdline" ] || [ -z "$hwm" ]; then
        echo "bench/linux-boot.sh: $1 printed no banner and command line; its console ends with:" >&2; tail -5 "$log" >&2
        rm -f "$log"; return 1
    fi
    awk -v s="$start" -v v="$t_version" -v c="$t_cmdline" -v r="$hwm" \
        'BEGIN { printf "%.1f %.1f %d\n", (v - s) * 1000, (c - s) * 1000, r }'
    rm -f "$log"
}

# --measure RUNS: the runs themselves, where /dev/kvm is usable (this host or the rig).
measure_all() {
    local runs=$1 vmlinux zxvm qemu=(qemu-system-x86_64) i
    kvm_usable || { echo "bench/linux-boot.sh: /dev/kvm is missing or not usable here" >&2; exit 2; }
    vmlinux=$(vmlinux_path)
    zxvm=$(readlink -f artifacts/bin/zxvm)
    if [ -x "$staged/bin/qemu-system-x86_64" ] && ! command -v qemu-system-x86_64 >/dev/null; then
        qemu=("$staged/bin/qemu-system-x86_64" -L "$staged/share/qemu")
    fi
    zxvm_run() { measure_one "$zxvm" run --kernel "$vmlinux" --memory "${memory}M" --cmdline "$cmdline"; }
    qemu_run() {
        measure_one "${qemu[@]}" -M microvm,auto-kernel-cmdline=off -enable-kvm -cpu host -m "${memory}M" \
            -nodefaults -no-user-config -nographic -no-reboot -serial stdio -kernel "$vmlinux" -append "$cmdline"
    }
    # One untimed run of each first: the kernel file and both VMMs' binaries then come from the
    # page cache in every measured run.
    zxvm_run >/dev/null || exit 1; qemu_run >/dev/null || exit 1
    for i in $(seq "$runs"); do
        # Alternate the order so that neither VMM always runs on a warmer page cache.
        local zx qe
        if [ $((i % 2)) -eq 1 ]; then
            zx=$(zxvm_run) || exit 1; qe=$(qemu_run) || exit 1
        else
            qe=$(qemu_run) || exit 1; zx=$(zxvm_run) || exit 1
        fi
        echo "zxvm $zx"; echo "qemu $qe"
        echo "run $i done" >&2
    done
}

if [ "${1:-}" = "--measure" ]; then
    measure_all "${2:-7}"
    exit 0
fi

runs=${1:-7}
# What both runs need, prepared on this host (the rig installs nothing).
vmlinux=$(vmlinux_path)
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! command -v qemu-system-x86_64 >/dev/null; then
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq qemu-system-x86 >/dev/null
fi
[ -x artifacts/bin/zxvm ] || ./build.sh >/dev/null

lines=$(mktemp)
trap 'rm -f "$lines"' EXIT
if kvm_usable; then
    where="measured on this host's KVM ($(uname -r))"
    measure_all "$runs" >"$lines"
elif scripts/kvm-rig/available.sh; then
    where="measured in the KVM rig (TCG-emulated SVM); ratios only"
    rm -rf "$staged"
    mkdir -p "$staged/bin" "$staged/share"
    cp "$(readlink -f "$(command -v qemu-system-x86_64)")" "$staged/bin/qemu-system-x86_64"
    cp -rL /usr/share/qemu "$staged/share/qemu"
    echo "bench/linux-boot.sh: no /dev/kvm here; running $runs interleaved runs of each VMM in the KVM rig" >&2
    scripts/kvm-rig/rig.sh --timeout $((600 + runs * 240)) -- bench/linux-boot.sh --measure "$runs" >"$lines" ||
        { echo "bench/linux-boot.sh: the run in the KVM rig failed:" >&2; cat "$lines" >&2; exit 1; }
else
    echo "bench/linux-boot.sh: cannot run here: no usable /dev/kvm and no KVM rig (both zxvm and QEMU need KVM)" >&2
    exit 2
fi

# Medians of one column (2: to "Linux version", 3: to "Command line:", 4: peak RSS) of one VMM.
median() {
    awk -v vmm="$1" -v col="$2" '$1 == vmm && NF == 4 { print $col }' "$lines" | sort -n |
        awk '{ a[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
count=$(awk '$1 == "zxvm" && NF == 4' "$lines" | wc -l)
[ "$count" -gt 0 ] && [ "$count" -eq "$(awk '$1 == "qemu" && NF == 4' "$lines" | wc -l)" ] ||
    { echo "bench/linux-boot.sh: incomplete measurements:" >&2; cat "$lines" >&2; exit 1; }
zx_v=$(median zxvm 2); zx_c=$(median zxvm 3); zx_r=$(median zxvm 4)
qe_v=$(median qemu 2); qe_c=$(median qemu 3); qe_r=$(median qemu 4)
zx_mib=$(awk -v k="$zx_r" 'BEGIN { printf "%.1f", k / 1024 }'); qe_mib=$(awk -v k="$qe_r" 'BEGIN { printf "%.1f", k / 1024 }')

# A row: name ours baseline unit target-ratio target-text. PASS when ours/baseline is below the target.
row() {
    awk -v name="$1" -v ours="$2" -v base="$3" -v unit="$4" -v limit="$5" -v target="$6" -v note="$where; $count interleaved runs of each, medians" '
        BEGIN { ratio = ours / base
                printf "{\"name\": \"%s\", \"ours\": %s, \"baseline\": %s, \"unit\": \"%s\", \"ratio\": %.3f, \"target\": \"%s\", \"verdict\": \"%s\", \"note\": \"%s\"}",
                    name, ours, base, unit, ratio, target, (ratio < limit) ? "PASS" : "MISS", note }'
}
mkdir -p bench/results
{
    echo '{"rows": ['
    echo "  $(row "Linux boot (PVH vmlinux, ${memory} MiB): process start to 'Linux version', zxvm vs QEMU microvm" "$zx_v" "$qe_v" ms 1 "ratio < 1 (zxvm ahead)"),"
    echo "  $(row "Linux boot (PVH vmlinux, ${memory} MiB): process start to 'Command line:', zxvm vs QEMU microvm" "$zx_c" "$qe_c" ms 1 "ratio < 1 (zxvm ahead)"),"
    echo "  $(row "Linux boot (PVH vmlinux, ${memory} MiB): VMM peak RSS, zxvm vs QEMU microvm" "$zx_mib" "$qe_mib" MiB 0.5 "ratio < 0.5 (far below QEMU)")"
    echo ']}'
} >bench/results/linux-boot.json

# What the numbers mean, whatever they are this time (measured 2026-12-03 in the KVM rig).
READING='Reading: at the command-line line both processes hold the kernel image the guest runs from
(45 MB of PT_LOAD segments) plus what the kernel touched so far; QEMU also keeps a second copy of
the segments as ROM blobs for reset, zxvm does not, and zxvm itself (NativeAOT) starts at about
12 MB. Most of the time to the banner is the same in both: creating the VM, faulting 45 MB of guest
RAM in on the host and again through nested paging, and the kernel'"'"'s first steps. zxvm used to
read the whole 53 MB file into a buffer before copying the segments (seconds in the rig); it now
reads the segments straight into guest RAM. Its phase log (--verbose) in the rig put 0.8-1.3 s of
~2.4 s in creating guest RAM and reading the segments into it: a memfd (a VMO must be shareable)
filled 4 KiB page by page, where QEMU'"'"'s anonymous RAM can use transparent huge pages; the likely
remaining gap (not verified).'

verdict() { awk -v a="$1" -v b="$2" -v l="$3" 'BEGIN { r = a / b; printf "%.2f (%s)", r, (r < l) ? "PASS" : "MISS" }'; }
section=$(cat <<SECTION
## Linux boot: zxvm vs QEMU microvm

Debian's $(basename "$vmlinux") through PVH, ${memory} MiB, command line \`$cmdline\`, no initrd;
$count runs of each after one untimed run of each, interleaved (order alternating); medians. Times
from process start; RSS is the VMM process's peak (VmHWM) when the kernel has printed its command
line, at which point the run is stopped.
zxvm is the NativeAOT binary (\`artifacts/bin/zxvm\`); QEMU is Debian's $(qemu-system-x86_64 --version | head -1 | sed 's/QEMU emulator version //'),
\`-M microvm -enable-kvm -cpu host\`. **Where: $where.** Script: \`bench/linux-boot.sh\`;
rows in \`bench/results/linux-boot.json\`.

| | zxvm | QEMU microvm | ratio (target) |
|---|--:|--:|--:|
| to "Linux version" | $zx_v ms | $qe_v ms | $(verdict "$zx_v" "$qe_v" 1) (< 1) |
| to "Command line:" | $zx_c ms | $qe_c ms | $(verdict "$zx_c" "$qe_c" 1) (< 1) |
| peak RSS | $zx_mib MiB | $qe_mib MiB | $(verdict "$zx_r" "$qe_r" 0.5) (< 0.5) |

$READING

Runs (VMM, ms to "Linux version", ms to "Command line:", VmHWM KiB):

\`\`\`
$(awk 'NF == 4 && ($1 == "zxvm" || $1 == "qemu")' "$lines")
\`\`\`
SECTION
)
echo "$section"
# Kept beside the rows, so that bench/run.sh's combine (which rewrites bench/results.md) adds it back.
printf '%s\n' "$section" >bench/results/linux-boot.md
# Replace the section in bench/results.md (from its heading to the next "## " heading).
awk -v new="$section" '
    /^## Linux boot: zxvm vs QEMU microvm/ { print new; skip = 1; done = 1; next }
    skip && /^## / { skip = 0 }
    !skip { print }
    END { if (!done) print "\n" new }' bench/results.md >bench/results.md.tmp && mv bench/results.md.tmp bench/results.md
