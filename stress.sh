#!/usr/bin/env bash
# The reliability suite: ./stress.sh SECONDS (default 30). Builds what it needs (libzircon.so and
# zxvm via ./build.sh if missing, the C ABI fuzzer, tools/Zircon.Stress), then runs the syscall
# fuzzer, port and interrupt stress, guest faults and soak (KVM only; skipped with the reason
# otherwise), the C ABI fuzzer and bad zxvm inputs within about SECONDS seconds. Ends with
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
timeout --kill-after=10 $((seconds * 3 + 120)) \
    dotnet tools/Zircon.Stress/bin/Release/net10.0/zircon-stress.dll "$seconds" \
    --zxvm "$(readlink -f artifacts/bin/zxvm)" --abi-fuzz "$work/abi_fuzz"
status=$?
if [ $status -ge 124 ]; then
    echo "stress: zircon-stress did not finish (status $status: hang or crash)"
    echo "0 passed, 1 failed, 0 skipped"
fi
exit $status
