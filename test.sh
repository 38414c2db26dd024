#!/usr/bin/env bash
# Installs what is missing, builds, runs every suite (xunit projects, C ABI tests, the NuGet
# consumer test) and prints one closing line "N passed, N failed, N skipped". Exits non-zero on
# any failure.
set -uo pipefail
cd "$(dirname "$0")"

if ! ./build.sh; then
    echo "build failed"
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
fi

# Debian's kernel for the Linux tests (apt, idempotent); without it those tests skip with the reason.
scripts/linux-guest.sh >/dev/null || echo "scripts/linux-guest.sh failed: the Linux tests will skip"

passed=0; failed=0; skipped=0
results=$(mktemp -d)
add_summary() { # LOG: adds the log's last "N passed, N failed[, N skipped]" line to the totals
    local line
    line=$(grep -aE "^[0-9]+ passed, [0-9]+ failed" "$1" | tail -1)
    if [ -z "$line" ]; then
        echo "   no summary line: counted as one failure"
        failed=$((failed + 1))
        return
    fi
    passed=$((passed + $(awk '{print $1}' <<<"$line")))
    failed=$((failed + $(awk '{print $3}' <<<"$line")))
    skipped=$((skipped + $(grep -oE "[0-9]+ skipped" <<<"$line" | grep -oE "[0-9]+" || echo 0)))
}

# Suites whose tests mostly run guests. Where this host has no /dev/kvm they run in the KVM rig
# (scripts/kvm-rig: Debian's kernel under QEMU's software emulation, with KVM on an emulated SVM
# CPU) so that they are really run; ZX_KVM_RIG=0 turns the rig off (they are then skipped, each
# test saying why). Of zxvm's own suite the rig runs the guest boots (zxos and Linux end to end),
# and of the .NET API's suite its guest tests; their other tests, which need no guest, stay on
# the host. The C ABI's guest tests (hypervisor.c, the guest part of bad_pointers.c) are built
# here and run in the rig too.
kvm_projects=(tests/Zircon.Hypervisor.Tests/*.csproj tests/Zircon.Linux.Tests/*.csproj
              tests/Zircon.Vmm.Tests/*.csproj)
split_projects=(tests/Zxvm.Tests/Zxvm.Tests.csproj tests/Zircon.Tests/Zircon.Tests.csproj)
guest_tests=(Zxvm.Tests.RunTests Zxvm.Tests.Linux.LinuxBootTests Zircon.Tests.GuestVcpuTests Zircon.Tests.VcpuCancellationTests)
c_guest_tests="hypervisor bad_pointers:hypervisor_calls"
where_kvm=host
if [ ! -c /dev/kvm ]; then
    if [ "${ZX_KVM_RIG:-1}" != 0 ] && scripts/kvm-rig/available.sh; then
        where_kvm=rig
    else
        echo "== no /dev/kvm and no KVM rig: tests that run guests are skipped (each says why)"
    fi
fi
host_projects=()
for project in tests/*/*.csproj; do
    if [ "$where_kvm" = rig ] && [[ " ${kvm_projects[*]} ${split_projects[*]} " == *" $project "* ]]; then continue; fi
    host_projects+=("$project")
done

scripts/run-xunit.sh "${host_projects[@]}" 2>&1 | tee "$results/host.log"
add_summary "$results/host.log"

if [ "$where_kvm" = rig ]; then
    not_guest=""; only_guest=""
    for t in "${guest_tests[@]}"; do
        not_guest+="${not_guest:+&}FullyQualifiedName!~$t"; only_guest+="${only_guest:+|}FullyQualifiedName~$t"
    done
    ZX_XUNIT_ARGS="--filter $not_guest" scripts/run-xunit.sh "${split_projects[@]}" 2>&1 | tee "$results/split-host.log"
    add_summary "$results/split-host.log"
    echo "== KVM rig: this host has no /dev/kvm; running ${kvm_projects[*]} under KVM in QEMU (TCG, SVM)"
    scripts/kvm-rig/run-retrying.sh "$results/rig.log" "the rig's test projects" \
        --timeout 2400 -- scripts/run-xunit.sh "${kvm_projects[@]}"
    add_summary "$results/rig.log"
    echo "== KVM rig: the guest tests of ${split_projects[*]}"
    ZX_XUNIT_ARGS="--filter $only_guest" \
        scripts/kvm-rig/run-retrying.sh "$results/rig-split.log" "the guest tests of ${split_projects[*]}" \
        --timeout 1800 -- scripts/run-xunit.sh "${split_projects[@]}"
    add_summary "$results/rig-split.log"
    echo "== KVM rig: the C ABI's guest tests ($c_guest_tests), built here"
    c_bin=artifacts/c-guest-tests
    if ZX_C_TESTS="$c_guest_tests" ZX_C_STEP=build ZX_C_BUILD_DIR="$c_bin" \
            tests/c/run.sh artifacts/native artifacts/native/include >"$results/c-build.log" 2>&1; then
        ZX_C_TESTS="$c_guest_tests" ZX_C_STEP=run ZX_C_BUILD_DIR="$c_bin" \
            scripts/kvm-rig/run-retrying.sh "$results/rig-c.log" "the C ABI's guest tests" \
            --timeout 900 -- tests/c/run.sh artifacts/native artifacts/native/include
        add_summary "$results/rig-c.log"
    else
        cat "$results/c-build.log"
        echo "   the C guest tests do not build: counted as one failure"
        failed=$((failed + 1))
    fi
fi

echo "== C ABI tests"
log="$results/c.log"
tests/c/run.sh artifacts/native artifacts/native/include 2>&1 | tee "$log"
add_summary "$log"

echo "== reliability suite (./stress.sh 30; longer runs by hand, see docs/RELIABILITY.md)"
log="$results/stress.log"
./stress.sh 30 >"$log" 2>&1
# Failures and skips with their reasons, then the figures.
grep -E "^\[(FAIL|SKIP)\]|^figures:|^zircon-stress: done|^stress:" "$log" || true
s_summary=$(grep -E "^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped" "$log" | tail -1)
if [ -z "$s_summary" ]; then
    echo "   stress: no summary; last lines:"
    tail -15 "$log" | sed 's/^/   | /'
    failed=$((failed + 1))
else
    passed=$((passed + $(awk '{print $1}' <<<"$s_summary")))
    failed=$((failed + $(awk '{print $3}' <<<"$s_summary")))
    skipped=$((skipped + $(awk '{print $5}' <<<"$s_summary")))
fi

echo "== docs stand alone"
log="$results/docs.log"
tests/docs/run.sh 2>&1 | tee "$log"
docs_summary=$(grep -E "^docs: [0-9]+ passed, [0-9]+ failed" "$log" | tail -1)
if [ -z "$docs_summary" ]; then
    echo "   docs: no summary"
    failed=$((failed + 1))
else
    passed=$((passed + $(awk '{print $2}' <<<"$docs_summary")))
    failed=$((failed + $(awk '{print $4}' <<<"$docs_summary")))
fi

echo "== NuGet packages (pack, restore into a project outside the tree, run)"
log="$results/packaging.log"
tests/packaging/run.sh --no-build 2>&1 | tee "$log"
pkg_summary=$(grep -E "^packaging: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped" "$log" | tail -1)
if [ -z "$pkg_summary" ]; then
    echo "   packaging: no summary"
    failed=$((failed + 1))
else
    passed=$((passed + $(awk '{print $2}' <<<"$pkg_summary")))
    failed=$((failed + $(awk '{print $4}' <<<"$pkg_summary")))
    skipped=$((skipped + $(awk '{print $6}' <<<"$pkg_summary")))
fi

rm -rf "$results"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
