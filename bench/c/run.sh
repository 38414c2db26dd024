#!/usr/bin/env bash
# Builds and runs the C ABI micro benchmark against a libzircon.so (default: artifacts/native).
# Usage: bench/c/run.sh [LIB_DIR] [ITERATIONS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
lib="$(cd "${1:-$repo/artifacts/native}" && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
gcc -O2 -Wall -Wextra -Werror -I"$repo/native/include" -o "$out/abi_bench" "$here/abi_bench.c" \
  -L"$lib" -lzircon -Wl,-rpath,"$lib"
"$out/abi_bench" "${2:-200000}"
