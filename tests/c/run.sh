#!/usr/bin/env bash
# Builds and runs the C ABI tests: C (and one C++) programs compiled against the project's
# headers and linked with libzircon.so.
#
# Usage: tests/c/run.sh [LIB_DIR [INCLUDE_DIR]]
#   LIB_DIR      directory holding libzircon.so
#                (default: $ZIRCON_NATIVE_DIR, else <repo>/artifacts/native)
#   INCLUDE_DIR  directory holding zircon/*.h
#                (default: $ZIRCON_INCLUDE_DIR, else <repo>/artifacts/native/include)
# Environment: CC (gcc), CXX (g++), ZIRCON_TEST_TIMEOUT (seconds per test binary, 60).
#   For the KVM rig (docs/kvm-rig.md), which has no compiler: ZX_C_TESTS="NAME[:ONLY] ..." runs
#   just these programs (ONLY: only their tests whose name contains it, see ZT_ONLY in ztest.h),
#   without the header and install checks; ZX_C_STEP=build compiles them into ZX_C_BUILD_DIR and
#   stops, ZX_C_STEP=run runs them from there without compiling. test.sh builds the guest tests
#   here and runs them in the rig. (ZX_* variables reach the command the rig runs.)
#
# Prints each suite's results and, last, exactly one line "N passed, N failed" that adds up every
# check (compile-time layout checks, header self-containment, behavioural checks). A compile
# error, a crash or a hang counts as one failure. Exits non-zero if anything failed.

set -u

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
lib_dir="${1:-${ZIRCON_NATIVE_DIR:-$repo/artifacts/native}}"
include_dir="${2:-${ZIRCON_INCLUDE_DIR:-$repo/artifacts/native/include}}"
cc="${CC:-gcc}"
cxx="${CXX:-g++}"
timeout_s="${ZIRCON_TEST_TIMEOUT:-60}"

passed=0
failed=0

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

if [ ! -f "$lib_dir/libzircon.so" ]; then
  echo "error: $lib_dir/libzircon.so not found (publish it with src/Zircon.Native/publish.sh)" >&2
  failed=1
  finish
fi
if [ ! -f "$include_dir/zircon/syscalls.h" ]; then
  echo "error: $include_dir/zircon/syscalls.h not found" >&2
  failed=1
  finish
fi
lib_dir="$(cd "$lib_dir" && pwd)"
include_dir="$(cd "$include_dir" && pwd)"

build="$(mktemp -d "${TMPDIR:-/tmp}/zircon-ctests.XXXXXX")"
trap 'rm -rf "$build"' EXIT

cflags=(-std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -O1 -g -I"$include_dir" -I"$here")
cxxflags=(-std=c++17 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -O1 -g -I"$include_dir" -I"$here")
ldflags=(-L"$lib_dir" -lzircon -lpthread -Wl,-rpath,"$lib_dir")

echo "== libzircon: $lib_dir/libzircon.so"
echo "== headers:   $include_dir"

# Runs one test binary and adds its ztest-summary to the counts; a crash or hang is one failure.
run_one() {
  local name="$1" exe="$2"
  local out="$build/$name.out"
  timeout --kill-after=5 "$timeout_s" "$exe" >"$out" 2>&1
  local rc=$?
  grep -v '^ztest-summary:' "$out"
  local summary
  summary="$(grep '^ztest-summary:' "$out" | tail -n 1)"
  if [ -z "$summary" ]; then
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
      echo "[FAIL] $name: timed out after ${timeout_s}s"
    else
      echo "[FAIL] $name: exited with status $rc before reporting"
    fi
    failed=$((failed + 1))
    return
  fi
  local p f
  p="$(sed -n 's/.*passed=\([0-9]*\).*/\1/p' <<<"$summary")"
  f="$(sed -n 's/.*failed=\([0-9]*\).*/\1/p' <<<"$summary")"
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "[FAIL] $name: exited with status $rc"
    failed=$((failed + 1))
  fi
}

# A subset for the KVM rig: build here, run there.
if [ -n "${ZX_C_TESTS:-}" ]; then
  step="${ZX_C_STEP:-both}"
  bin_dir="${ZX_C_BUILD_DIR:-$build}"
  mkdir -p "$bin_dir"
  for entry in $ZX_C_TESTS; do
    name="${entry%%:*}"
    only=""; [ "$entry" != "$name" ] && only="${entry#*:}"
    echo "== $name${only:+ (tests matching $only)}"
    if [ "$step" != run ]; then
      if ! "$cc" "${cflags[@]}" -o "$bin_dir/$name" "$here/$name.c" "${ldflags[@]}" 2>"$build/err"; then
        echo "[FAIL] $name: does not compile"; cat "$build/err"
        failed=$((failed + 1))
        continue
      fi
    fi
    [ "$step" = build ] && continue
    if [ -n "$only" ]; then export ZT_ONLY="$only"; else unset ZT_ONLY; fi
    run_one "$name" "$bin_dir/$name"
    unset ZT_ONLY
  done
  [ "$step" = build ] && { [ "$failed" -eq 0 ]; exit $?; }
  finish
fi

# 1. Every header is self-contained, include-guarded and compiles warning-free in each language
#    mode a consumer may use: strict C99 and C11 (-pedantic, no POSIX feature macro) and C++17.
header_ok=0
header_failed=0
header_modes=("c99:$cc -x c -std=c99 -pedantic" "c11:$cc -x c -std=c11 -pedantic" "c++17:$cxx -x c++ -std=c++17 -pedantic")
while IFS= read -r header; do
  rel="${header#"$include_dir"/}"
  # Included twice (include guards); the typedef keeps a macro-only header's unit non-empty.
  printf '#include <%s>\n#include <%s>\ntypedef int header_check_t;\n' "$rel" "$rel" >"$build/header.src"
  for mode in "${header_modes[@]}"; do
    label="${mode%%:*}"
    read -r -a compiler <<<"${mode#*:}"
    if "${compiler[@]}" -Wall -Wextra -Werror -fsyntax-only -I"$include_dir" "$build/header.src" 2>"$build/err"; then
      header_ok=$((header_ok + 1))
    else
      header_failed=$((header_failed + 1)); echo "[FAIL] header $rel ($label)"; cat "$build/err"
    fi
  done
done < <(find "$include_dir/zircon" -name '*.h' | sort)
echo "headers: $header_ok checks passed, $header_failed failed"
passed=$((passed + header_ok))
failed=$((failed + header_failed))

# 2. Build and run each test program.

for src in "$here"/*.c; do
  name="$(basename "$src" .c)"
  echo "== $name"
  if "$cc" "${cflags[@]}" -o "$build/$name" "$src" "${ldflags[@]}" 2>"$build/err"; then
    run_one "$name" "$build/$name"
  else
    echo "[FAIL] $name: does not compile"; cat "$build/err"
    failed=$((failed + 1))
  fi
done

for src in "$here"/*.cpp; do
  name="$(basename "$src" .cpp)"
  echo "== $name (C++)"
  if "$cxx" "${cxxflags[@]}" -o "$build/$name" "$src" "${ldflags[@]}" 2>"$build/err"; then
    run_one "$name" "$build/$name"
  else
    echo "[FAIL] $name: does not compile"; cat "$build/err"
    failed=$((failed + 1))
  fi
done

# 3. The install step and pkg-config, as a consumer outside the tree uses them. Needs the
#    published layout (libzircon.so.X.Y.Z and its links), which publish.sh makes.
echo "== install (scripts/install-c.sh, pkg-config)"
"$here/install_test.sh" "$lib_dir" >"$build/install.out" 2>&1
cat "$build/install.out"
install_summary="$(grep '^install: ' "$build/install.out" | tail -n 1)"
if [ -z "$install_summary" ]; then
  echo "[FAIL] install test: no summary"
  failed=$((failed + 1))
else
  passed=$((passed + $(sed -n 's/^install: \([0-9]*\) checks passed.*/\1/p' <<<"$install_summary")))
  failed=$((failed + $(sed -n 's/.*passed, \([0-9]*\) failed.*/\1/p' <<<"$install_summary")))
fi

finish
