#!/usr/bin/env bash
# Builds the benchmarks and zxvm in Release (into a private artifacts path, so concurrent builds of
# the repository are not disturbed), runs every section, prints the tables and writes
# bench/results.md. Extra arguments go to zircon-bench, e.g. --quick (a tenth of the iterations)
# or --only ports,interrupts,handles,vcpu,lifecycle. A full run takes about two minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

artifacts="${BENCH_ARTIFACTS:-$PWD/.tmp/bench-build}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "== build (Release, $artifacts)"
dotnet build bench/Zircon.Benchmarks -c Release --artifacts-path "$artifacts" -nologo -v:q -clp:ErrorsOnly
# zxvm as users run it: the NativeAOT binary ./build.sh installs (built here if missing).
if [ ! -x artifacts/bin/zxvm ]; then
    ./build.sh >/dev/null
fi
zxvm=$(readlink -f artifacts/bin/zxvm)
if [ -z "$zxvm" ]; then
    echo "artifacts/bin/zxvm not found after ./build.sh" >&2
    exit 1
fi

# Promote hot methods to optimized code right after 30 calls instead of after the 100 ms
# call-counting delay, so that every measured loop runs fully jitted after its warm-up.
export DOTNET_TC_CallCountingDelayMs=0
exec "$artifacts/bin/Zircon.Benchmarks/release/zircon-bench" --out bench/results.md --zxvm "$zxvm" "$@"
