#!/usr/bin/env bash
# The reliability suite: ./stress.sh SECONDS (default 30). Builds what it needs (libzircon.so and
# zxvm via ./build.sh if missing, the C ABI fuzzer, tools/Zircon.Stress), then runs the syscall
# fuzzer, port and interrupt stress, guest faults and soak, the C ABI fuzzer and bad zxvm inputs
# within about SECONDS seconds. The guest parts need KVM: without /dev/kvm they run in the KVM rig
# (ZX_KVM_RIG=0: not), else they are skipped with the reason. Ends with
# "N passed, N failed, N skipped"; exits non-zero on any failure. Longer runs by hand, e.g.
# ./stress.sh 300. See docs/RELIABILITY.md.
set -uo pipefail
cd "$(dirname "$0")"
seconds="${1:-30}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [ ! -f artifacts/native/libzircon.so ] || [ ! -x artifacts/bin/zxvm ]; then
    ./build.sh >/dev/null || { echo "stress: build failed"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
lib="$PWD/artifacts/native"
if ! gcc -std=c11 -O1 -Wall -Wextra -Werror -I"$lib/include" -o "$work/abi_fuzz" tests/c/stress/abi_fuzz.c \
        -L"$lib" -lzircon -lpthread -Wl,-rpath,"$lib"; then
    echo "stress: the C ABI fuzzer does not compile"; echo "0 passed, 1 failed, 0 skipped"; exit 1
fi
if ! dotnet build tools/Zircon.Stress -c Release -nologo -v:q -clp:ErrorsOnly >/dev/null; then
    echo "stress: tools/Zircon.Stress does not build"; echo "0 passed, 1 failed, 0 skipped"; exit 1
fi
stress=(dotnet tools/Zircon.Stress/bin/Release/net10.0/zircon-stress.dll)
host_args=(--zxvm "$(readlink -f artifacts/bin/zxvm)" --abi-fuzz "$work/abi_fuzz")

# Where the guest faults and soak run: here when /dev/kvm exists; else in the KVM rig
# (scripts/kvm-rig, docs/kvm-rig.md) when it is available and ZX_KVM_RIG is not 0; else they are
# reported as skipped, with the reason, by zircon-stress itself.
guests_in_rig=0
if [ ! -c /dev/kvm ]; then
    if [ "${ZX_KVM_RIG:-1}" = 0 ]; then
        echo "stress: no /dev/kvm and ZX_KVM_RIG=0: the guest parts are skipped"
    elif scripts/kvm-rig/available.sh; then
        guests_in_rig=1
    else
        echo "stress: no /dev/kvm and no KVM rig: the guest parts are skipped"
    fi
fi

if [ $guests_in_rig = 0 ]; then
    timeout --kill-after=10 $((seconds * 3 + 120)) "${stress[@]}" "$seconds" "${host_args[@]}"
    status=$?
    if [ $status -ge 124 ]; then
        echo "stress: zircon-stress did not finish (status $status: hang or crash)"
        echo "0 passed, 1 failed, 0 skipped"
    fi
    exit $status
fi

# Host parts here, then the guest parts in the rig: they get 30% of SECONDS there (at least 5 s),
# most of it the soak; booting the rig adds about half a minute.
timeout --kill-after=10 $((seconds * 3 + 120)) "${stress[@]}" "$seconds" "${host_args[@]}" --parts host | tee "$work/host.log"
host_status=${PIPESTATUS[0]}
guest_seconds=$((seconds * 3 / 10 < 5 ? 5 : seconds * 3 / 10))
echo "== guest faults and soak in the KVM rig (this host has no /dev/kvm): $guest_seconds s"
# The rig's whole emulated machine sometimes stops (docs/kvm-rig.md): run-retrying.sh then runs
# the guest parts once more, visibly, and reports a second stop as a visible skip.
scripts/kvm-rig/run-retrying.sh "$work/rig.log" "guest faults and soak" --timeout $((guest_seconds * 4 + 300)) -- \
    "${stress[@]}" "$guest_seconds" --parts guests --zxvm "$(readlink -f artifacts/bin/zxvm)"
rig_status=$?

passed=0; failed=0; skipped=0
for part in host rig; do
    line=$(grep -E "^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped" "$work/$part.log" | tail -1)
    if [ -z "$line" ]; then
        status=$host_status; [ $part = rig ] && status=$rig_status
        echo "stress: the $part part did not finish (status $status: hang, crash or rig failure)"
        failed=$((failed + 1))
        continue
    fi
    passed=$((passed + $(awk '{print $1}' <<<"$line")))
    failed=$((failed + $(awk '{print $3}' <<<"$line")))
    skipped=$((skipped + $(awk '{print $5}' <<<"$line")))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
