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
#include <zircon/syscalls/iommu.h>
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
static_assert(sizeof(zx_wait_item_t) == 12, "zx_wait_item_t");
static_assert(sizeof(zx_iommu_desc_intel_t) == 16, "zx_iommu_desc_intel_t");
struct __ALIGNED(32) cxx_aligned { char c; };
static_assert(alignof(cxx_aligned) == 32, "__ALIGNED");

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
  // The newer names link from C++ too.
  check(zx_ticks_per_second() > 0 && zx_ticks_get() > 0, "zx_ticks_get/zx_ticks_per_second");
  check(zx_system_get_page_size() == 4096u, "zx_system_get_page_size");
  unsigned char random_bytes[16] = {};
  zx_cprng_draw(random_bytes, sizeof(random_bytes));
  zx_handle_t event = ZX_HANDLE_INVALID;
  check(zx_event_create(0, &event) == ZX_OK, "zx_event_create");
  zx_wait_item_t item{event, ZX_EVENT_SIGNALED, 0};
  check(zx_object_wait_many(&item, 1, ZX_TIME_INFINITE_PAST) == ZX_ERR_TIMED_OUT, "zx_object_wait_many");
  char name[ZX_MAX_NAME_LEN];
  check(zx_object_get_property(event, ZX_PROP_NAME, name, sizeof(name)) == ZX_ERR_ACCESS_DENIED,
        "zx_object_get_property");
  zx_handle_close(event);

  std::printf("ztest-summary: passed=%d failed=%d\n", passed, failed);
  std::printf("c++: %d checks passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
