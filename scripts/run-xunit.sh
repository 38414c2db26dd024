#!/usr/bin/env bash
# Runs xunit test projects (already built, Release) and prints, for each, its failures and skips
# with their reasons and its summary; last, one line "N passed, N failed, N skipped" adding up all
# of them. A project that crashes or prints no summary counts as one failure.
#
# Usage: scripts/run-xunit.sh PROJECT.csproj...
# Environment: ZX_XUNIT_ARGS adds arguments to every 'dotnet test' (e.g. a --filter).
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0; failed=0; skipped=0
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

for project in "$@"; do
    name=$(basename "$project" .csproj)
    echo "== $name"
    log="$logs/$name.log"
    # A test that hangs is reported by name instead of stalling the whole run.
    # shellcheck disable=SC2086
    dotnet test "$project" -c Release --no-build -nologo --blame-hang-timeout 5m --blame-hang-dump-type none \
        --logger "console;verbosity=normal" ${ZX_XUNIT_ARGS:-} >"$log" 2>&1
    # Show failures and skips (with their reasons), then the summary.
    grep -E "^\s+(Failed|Skipped) |^Test Run|^\s*(Total tests|Passed|Failed|Skipped):|hang|Aborted" "$log" | grep -v "^\s\+Passed " || true
    # The message of each failure, up to its stack trace.
    awk '/^ +Error Message:/{show=1} /^ +Stack Trace:/{show=0} show' "$log" | head -60
    if ! grep -q "^Total tests:" "$log"; then
        echo "   $name: no test summary (crash, hang or build error); last lines:"
        tail -15 "$log" | sed 's/^/   | /'
        failed=$((failed + 1))
        continue
    fi
    count() { grep -E "^\s+$1:\s+[0-9]+" "$log" | tail -1 | grep -oE "[0-9]+" || echo 0; }
    passed=$((passed + $(count Passed))); failed=$((failed + $(count Failed))); skipped=$((skipped + $(count Skipped)))
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
