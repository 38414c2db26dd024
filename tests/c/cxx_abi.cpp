// The headers from C++: every header compiles in a C++ translation unit, and the calls link
// with C linkage (a missing extern "C" guard would leave mangled, unresolved symbols).

#include <zircon/compiler.h>
#include <zircon/errors.h>
#include <zircon/limits.h>
#include <zircon/platform/interrupt_lines.h>
#include <zircon/process.h>
#include <zircon/rights.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/hypervisor.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/port.h>
#include <zircon/syscalls/resource.h>
#include <zircon/time.h>
#include <zircon/types.h>

#include <cstdio>
#include <cstring>

static_assert(sizeof(zx_port_packet_t) == 48, "zx_port_packet_t");
static_assert(sizeof(zx_vcpu_state_t) == 136, "zx_vcpu_state_t");
static_assert(sizeof(zx_info_handle_basic_t) == 32, "zx_info_handle_basic_t");
static_assert(ZX_DEFAULT_PORT_RIGHTS == 0x800F, "port rights");

int main() {
  int passed = 0, failed = 0;
  auto check = [&](bool ok, const char* what) {
    if (ok) {
      passed++;
    } else {
      failed++;
      std::fprintf(stderr, "  FAIL %s\n", what);
    }
  };

  check(zx_clock_get_monotonic() > 0, "zx_clock_get_monotonic");
  check(std::strcmp(zx_status_get_string(ZX_ERR_BAD_STATE), "ZX_ERR_BAD_STATE") == 0,
        "zx_status_get_string");
  zx_handle_t port = ZX_HANDLE_INVALID;
  check(zx_port_create(0, &port) == ZX_OK, "zx_port_create");
  zx_port_packet_t packet{};
  packet.key = 99;
  check(zx_port_queue(port, &packet) == ZX_OK, "zx_port_queue");
  zx_port_packet_t out{};
  check(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &out) == ZX_OK && out.key == 99, "zx_port_wait");
  check(zx_handle_close(port) == ZX_OK, "zx_handle_close");
  check(get_root_resource() != ZX_HANDLE_INVALID, "get_root_resource");
  check(zx_vmar_root_self() != ZX_HANDLE_INVALID, "zx_vmar_root_self");
  check(zx_time_add_duration(ZX_TIME_INFINITE, ZX_SEC(1)) == ZX_TIME_INFINITE, "zx_time_add_duration");

  std::printf("ztest-summary: passed=%d failed=%d\n", passed, failed);
  std::printf("c++: %d checks passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
