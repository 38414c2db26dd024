#!/usr/bin/env bash
# Installs what is missing, builds, runs every suite (xunit projects, C ABI tests) and prints one
# closing line "N passed, N failed, N skipped". Exits non-zero on any failure.
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

for project in tests/*/*.csproj; do
    name=$(basename "$project" .csproj)
    echo "== $name"
    log="$results/$name.log"
    dotnet test "$project" -c Release --no-build -nologo --logger "console;verbosity=normal" >"$log" 2>&1
    # Show failures and skips (with their reasons), then the summary.
    grep -E "^\s+(Failed|Skipped) |^Test Run|^\s*(Total tests|Passed|Failed|Skipped):" "$log" | grep -v "^\s\+Passed " || true
    # The message of each failure, up to its stack trace.
    awk '/^ +Error Message:/{show=1} /^ +Stack Trace:/{show=0} show' "$log" | head -60
    if ! grep -q "^Total tests:" "$log"; then
        echo "   $name: no test summary (crash or build error); last lines:"
        tail -15 "$log" | sed 's/^/   | /'
        failed=$((failed + 1))
        continue
    fi
    count() { grep -E "^\s+$1:\s+[0-9]+" "$log" | tail -1 | grep -oE "[0-9]+" || echo 0; }
    passed=$((passed + $(count Passed))); failed=$((failed + $(count Failed))); skipped=$((skipped + $(count Skipped)))
done

echo "== C ABI tests"
log="$results/c.log"
tests/c/run.sh artifacts/native artifacts/native/include 2>&1 | tee "$log"
c_summary=$(grep -E "^[0-9]+ passed, [0-9]+ failed" "$log" | tail -1)
if [ -z "$c_summary" ]; then
    echo "   C tests: no summary"
    failed=$((failed + 1))
else
    passed=$((passed + $(awk '{print $1}' <<<"$c_summary")))
    failed=$((failed + $(awk '{print $3}' <<<"$c_summary")))
fi

rm -rf "$results"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
