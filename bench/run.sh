#!/usr/bin/env bash
# Runs every benchmark part and writes bench/results.json and bench/results.md (issue 9's format).
#
#   bench/run.sh [--quick]
#
# 1. Builds zircon-bench (Release, into a private artifacts path so concurrent builds of the
#    repository are not disturbed), the raw C baseline library (bench/c/kvm_*.c, gcc) and,
#    if missing, zxvm (./build.sh).
# 2. Part "host": ports, interrupts, handles (no KVM needed) → bench/results/host.json.
# 3. Part "vcpu": VCPU exits, interrupt injection, guest lifecycle and zxvm's own cost, each Zircon
#    path interleaved with raw C (and the C# KVM layer) in one process → bench/results/vcpu.json;
#    part "smp": two VCPUs on two threads (IPI round trip, device interrupt to VCPU 1) against raw C
#    → bench/results/smp.json. On /dev/kvm when it is usable; otherwise both in one boot of the KVM
#    rig (scripts/kvm-rig/rig.sh), where every row is labelled "measured in the KVM rig
#    (TCG-emulated SVM): ratio only".
# 4. Combines every bench/results/*.json (other tools' parts too, e.g. linux-boot.json) into
#    bench/results.json and bench/results.md.
# The host part takes under a minute; in the rig the vcpu part is capped at 330 s and the smp part
# at 100 s (sections not reached are listed as not measured), the rig itself at 540 s, so a whole
# run stays around 10 minutes even on a busy machine.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=()
[ "${1:-}" = "--quick" ] && quick=(--quick)
artifacts="${BENCH_ARTIFACTS:-$PWD/.tmp/bench-build}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
started=$SECONDS

echo "== build (Release, $artifacts)"
dotnet build bench/Zircon.Benchmarks -c Release --artifacts-path "$artifacts" -nologo -v:q -clp:ErrorsOnly
bench="$artifacts/bin/Zircon.Benchmarks/release/zircon-bench"
mkdir -p "$artifacts/c"
rawc="$artifacts/c/libkvmbaseline.so"
gcc -O2 -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden -o "$rawc" bench/c/kvm_common.c bench/c/kvm_baseline.c bench/c/kvm_smp.c
# zxvm as users run it: the NativeAOT binary ./build.sh installs (built here if missing, and
# re-published, as ./build.sh does, when a source file is newer than it).
if [ ! -x artifacts/bin/zxvm ]; then
    ./build.sh >/dev/null
elif [ -n "$(find src -name '*.cs' -newer artifacts/lib/zxvm/zxvm -print -quit)" ]; then
    echo "== zxvm (sources changed: NativeAOT publish)"
    dotnet publish src/Zxvm -f net9.0 -c Release -nologo -v:q -o artifacts/lib/zxvm >/dev/null
fi
zxvm=$(readlink -f artifacts/bin/zxvm)

mkdir -p bench/results
# Promote hot methods to optimized code right after 30 calls instead of after the 100 ms
# call-counting delay, so that every measured loop runs fully jitted after its warm-up.
export DOTNET_TC_CallCountingDelayMs=0

echo "== part host (ports, interrupts, handles)"
"$bench" --part host --only ports,interrupts,handles --json bench/results/host.json "${quick[@]}"

vcpu_args=(--part vcpu --only vcpu,vcpu-interrupts,lifecycle,vmm --raw-c "$rawc" --zxvm "$zxvm")
smp_args=(--part smp --only smp --raw-c "$rawc")
if [ -r /dev/kvm ] && [ -w /dev/kvm ] && "$bench" --probe-kvm; then
    echo "== part vcpu (on this host's KVM)"
    "$bench" "${vcpu_args[@]}" --json bench/results/vcpu.json "${quick[@]}"
    echo "== part smp (on this host's KVM)"
    "$bench" "${smp_args[@]}" --json bench/results/smp.json "${quick[@]}"
elif scripts/kvm-rig/available.sh >/dev/null 2>&1; then
    echo "== parts vcpu and smp (in the KVM rig: no usable /dev/kvm here)"
    # The rig loses the files its command writes, so each part comes back through its output.
    # It is emulated (slow): a tenth of the iterations keeps the whole run under 10 minutes, and
    # the JIT compiles fully optimized code at once (tiering would take most of a run to settle there).
    # One rig boot runs both parts, each under its own time limit (which ends it inside the rig,
    # keeping the sections it finished); the rig's limit is only a backstop.
    log=$(mktemp)
    export ZX_BENCH_PRINT_JSON=1
    # Arguments: the benchmark binary, the count of the vcpu part's arguments, those, the smp part's.
    rig_parts='
        bench=$1 n=$2; shift 2
        export DOTNET_TieredCompilation=0
        timeout -s KILL 330 "$bench" "${@:1:n}"
        echo "bench/run.sh: part vcpu exit $?"
        shift "$n"
        timeout -s KILL 100 "$bench" "$@"
        echo "bench/run.sh: part smp exit $?"'
    vcpu_cmd=("${vcpu_args[@]}" --json /tmp/vcpu.json --quick)
    set +e
    scripts/kvm-rig/rig.sh --timeout 540 --memory 3072 -- bash -c "$rig_parts" rig-parts "$bench" \
        "${#vcpu_cmd[@]}" "${vcpu_cmd[@]}" "${smp_args[@]}" --json /tmp/smp.json --quick | tee "$log"
    rc=${PIPESTATUS[0]}
    set -e
    if [ "$rc" -ne 0 ]; then
        echo "bench/run.sh: the KVM rig ended with exit $rc (124: its time limit); keeping the sections it finished" >&2
    fi
    for part in vcpu smp; do
        # The part's last complete block (one is printed after every section).
        tr -d '\r' <"$log" | awk -v want="\"part\": \"$part\"," '/^==== BEGIN PART JSON ====$/ { block = ""; inside = 1; next }
            /^==== END PART JSON ====$/ { if (index(block, want)) last = block; inside = 0; next }
            inside { block = block $0 "\n" } END { printf "%s", last }' >"bench/results/$part.json.new"
        if [ -s "bench/results/$part.json.new" ]; then
            mv "bench/results/$part.json.new" "bench/results/$part.json"
        else
            rm -f "bench/results/$part.json.new"
            echo "bench/run.sh: the rig printed no JSON for part $part; bench/results/$part.json left as it was" >&2
        fi
    done
    rm -f "$log"
else
    echo "== parts vcpu and smp skipped: no usable /dev/kvm and no KVM rig (scripts/kvm-rig/available.sh)" >&2
fi

echo "== combine"
"$bench" --combine bench/results --json bench/results.json --out bench/results.md
# Sections that other tools write beside their rows (bench/linux-boot.sh: bench/results/linux-boot.md).
for section in bench/results/*.md; do
    [ -f "$section" ] && { echo; cat "$section"; } >>bench/results.md
done
echo "bench/run.sh took $((SECONDS - started)) s"
