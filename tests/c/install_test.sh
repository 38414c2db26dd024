#!/usr/bin/env bash
# The installed C ABI, as a consumer sees it: scripts/install-c.sh into a temporary prefix, a
# program built with nothing but `pkg-config --cflags --libs zircon`, run against the installed
# library (found through its SONAME link, libzircon.so.0).
#
# Usage: tests/c/install_test.sh LIB_DIR
# Prints "[ OK ]"/"[FAIL]" lines and a last line "install: N checks passed, N failed"; exits
# non-zero on failure.
set -u

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
from="$1"
cc="${CC:-gcc}"
passed=0
failed=0
work="$(mktemp -d "${TMPDIR:-/tmp}/zircon-install.XXXXXX")"
trap 'rm -rf "$work"' EXIT

check() {  # check NAME COMMAND...: runs the command, counts and prints the outcome
  local name="$1"; shift
  if "$@" >"$work/out" 2>&1; then
    passed=$((passed + 1)); echo "[ OK ] $name"
  else
    failed=$((failed + 1)); echo "[FAIL] $name"; sed 's/^/   | /' "$work/out"
  fi
}

prefix="$work/prefix with space"
check "install-c.sh --prefix" "$repo/scripts/install-c.sh" --prefix "$prefix" --from "$from"
check "SONAME link libzircon.so.0" test -L "$prefix/lib/libzircon.so.0"
check "SONAME recorded in the library" sh -c "readelf -d '$prefix/lib/libzircon.so' | grep -q 'SONAME.*libzircon.so.0'"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
check "pkg-config --modversion zircon" pkg-config --exists zircon

cat >"$work/consumer.c" <<'PROG'
#include <stdio.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/port.h>

int main(void) {
  zx_handle_t port, event;
  if (zx_port_create(0, &port) != ZX_OK || zx_event_create(0, &event) != ZX_OK) return 1;
  if (zx_object_wait_async(event, port, 42, ZX_EVENT_SIGNALED, 0) != ZX_OK) return 2;
  if (zx_object_signal(event, 0, ZX_EVENT_SIGNALED) != ZX_OK) return 3;
  zx_port_packet_t packet;
  if (zx_port_wait(port, ZX_TIME_INFINITE, &packet) != ZX_OK) return 4;
  if (packet.key != 42 || packet.type != ZX_PKT_TYPE_SIGNAL_ONE) return 5;
  printf("consumer: packet key %llu from %s\n", (unsigned long long)packet.key,
         zx_status_get_string(ZX_OK));
  return 0;
}
PROG
# pkg-config escapes the space of the prefix with a backslash: the shell must read its output
# again (eval), as make's recipe shell does.
check "compile with pkg-config flags" sh -c "eval \"$cc -std=c99 -pedantic -Wall -Werror -o '$work/consumer' '$work/consumer.c' \$(pkg-config --cflags --libs zircon)\""
check "run against the installed library" sh -c "LD_LIBRARY_PATH='$prefix/lib' '$work/consumer' | grep -q 'consumer: packet key 42 from ZX_OK'"
check "loads libzircon.so.0 from the prefix" sh -c "LD_LIBRARY_PATH='$prefix/lib' ldd '$work/consumer' | grep -q 'libzircon.so.0 => $prefix/lib/libzircon.so.0'"

echo "install: $passed checks passed, $failed failed"
[ "$failed" -eq 0 ]
