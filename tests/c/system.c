// Ticks, the page size, the random generator and object names through libzircon.so.

#include <zircon/compiler.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/iommu.h>
#include <zircon/syscalls/object.h>

#include "ztest.h"

ZT_TEST(ticks_advance_at_the_announced_rate) {
  zx_ticks_t per_second = zx_ticks_per_second();
  ZT_CHECK(per_second > 0);
  ZT_EXPECT_EQ(per_second, zx_ticks_per_second());
  zx_ticks_t t0 = zx_ticks_get();
  zx_time_t m0 = zx_clock_get_monotonic();
  zx_nanosleep(zx_deadline_after(ZX_MSEC(50)));
  zx_ticks_t t1 = zx_ticks_get();
  zx_time_t m1 = zx_clock_get_monotonic();
  ZT_CHECK(t1 > t0);
  // Converted with the announced rate, the ticks elapsed match the monotonic clock (within 20%,
  // the two are read one after the other).
  double tick_ns = (double)(t1 - t0) * 1e9 / (double)per_second;
  double clock_ns = (double)(m1 - m0);
  ZT_CHECK(clock_ns >= 50e6);
  ZT_CHECK(tick_ns > clock_ns * 0.8 && tick_ns < clock_ns * 1.2);
}

ZT_TEST(page_size_is_the_hosts) {
  ZT_EXPECT_EQ((uint32_t)sysconf(_SC_PAGESIZE), zx_system_get_page_size());
  ZT_EXPECT_EQ(4096u, zx_system_get_page_size());
}

// Counts the bits set in a buffer.
static size_t zt_popcount(const uint8_t* buf, size_t len) {
  size_t bits = 0;
  for (size_t i = 0; i < len; i++) {
    for (uint8_t b = buf[i]; b; b &= (uint8_t)(b - 1)) bits++;
  }
  return bits;
}

ZT_TEST(cprng_draw_fills_any_length_with_fresh_bytes) {
  // A length beyond old Zircon's 256-byte limit, with guard bytes around it.
  enum { len = 4 * ZX_CPRNG_DRAW_MAX_LEN + 3 };
  static uint8_t buf[len + 2];
  static uint8_t again[len];
  memset(buf, 0, sizeof(buf));
  buf[0] = 0xA5;
  buf[len + 1] = 0x5A;
  zx_cprng_draw(buf + 1, len);
  ZT_EXPECT_EQ(0xA5, buf[0]);
  ZT_EXPECT_EQ(0x5A, buf[len + 1]);
  // About half the bits are set: 40%..60% of 8216 bits is over 18 standard deviations wide.
  size_t bits = zt_popcount(buf + 1, len);
  ZT_CHECK(bits > len * 8 * 4 / 10 && bits < len * 8 * 6 / 10);
  zx_cprng_draw(again, len);
  ZT_CHECK(memcmp(buf + 1, again, len) != 0);
  // Zero length and a NULL buffer with zero length do nothing and do not crash.
  zx_cprng_draw(NULL, 0);
  zx_cprng_draw(buf, 0);
  ZT_EXPECT_EQ(0xA5, buf[0]);
}

ZT_TEST(name_property_set_get_truncate) {
  zx_handle_t vmo;
  ZT_ASSERT_OK(zx_vmo_create(ZX_PAGE_SIZE, 0, &vmo));
  char name[ZX_MAX_NAME_LEN];
  memset(name, 'x', sizeof(name));
  // A new object has an empty name.
  ZT_EXPECT_OK(zx_object_get_property(vmo, ZX_PROP_NAME, name, sizeof(name)));
  ZT_EXPECT_EQ(0, name[0]);
  ZT_EXPECT_OK(zx_object_set_property(vmo, ZX_PROP_NAME, "guest-ram", 9));
  ZT_EXPECT_OK(zx_object_get_property(vmo, ZX_PROP_NAME, name, sizeof(name)));
  ZT_CHECK(strcmp(name, "guest-ram") == 0);
  // Longer than ZX_MAX_NAME_LEN - 1: truncated, and still NUL-terminated.
  const char* longname = "0123456789abcdefghijklmnopqrstuvwxyz";
  ZT_EXPECT_OK(zx_object_set_property(vmo, ZX_PROP_NAME, longname, strlen(longname)));
  ZT_EXPECT_OK(zx_object_get_property(vmo, ZX_PROP_NAME, name, sizeof(name)));
  ZT_EXPECT_EQ(ZX_MAX_NAME_LEN - 1, strlen(name));
  ZT_CHECK(strncmp(name, longname, ZX_MAX_NAME_LEN - 1) == 0);
  // A duplicate names the same object.
  zx_handle_t dup;
  ZT_ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_SAME_RIGHTS, &dup));
  ZT_EXPECT_OK(zx_object_set_property(dup, ZX_PROP_NAME, "shared\0ignored", 14));
  ZT_EXPECT_OK(zx_object_get_property(vmo, ZX_PROP_NAME, name, sizeof(name)));
  ZT_CHECK(strcmp(name, "shared") == 0);
  zx_handle_close(dup);
  zx_handle_close(vmo);
}

ZT_TEST(name_property_errors) {
  zx_handle_t vmo;
  ZT_ASSERT_OK(zx_vmo_create(ZX_PAGE_SIZE, 0, &vmo));
  char name[ZX_MAX_NAME_LEN];
  ZT_EXPECT_STATUS(ZX_ERR_BUFFER_TOO_SMALL, zx_object_get_property(vmo, ZX_PROP_NAME, name, ZX_MAX_NAME_LEN - 1));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_object_get_property(vmo, ZX_PROP_NAME, NULL, sizeof(name)));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_object_set_property(vmo, ZX_PROP_NAME, NULL, 4));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_object_get_property(vmo, 0x7777, name, sizeof(name)));
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE, zx_object_get_property(vmo ^ 0x100, ZX_PROP_NAME, name, sizeof(name)));
  // Without GET_PROPERTY / SET_PROPERTY: ACCESS_DENIED (an event has neither by default).
  zx_handle_t ro;
  ZT_ASSERT_OK(zx_handle_duplicate(vmo, ZX_RIGHT_GET_PROPERTY, &ro));
  ZT_EXPECT_OK(zx_object_get_property(ro, ZX_PROP_NAME, name, sizeof(name)));
  ZT_EXPECT_STATUS(ZX_ERR_ACCESS_DENIED, zx_object_set_property(ro, ZX_PROP_NAME, "n", 1));
  zx_handle_close(ro);
  zx_handle_t event;
  ZT_ASSERT_OK(zx_event_create(0, &event));
  ZT_EXPECT_STATUS(ZX_ERR_ACCESS_DENIED, zx_object_get_property(event, ZX_PROP_NAME, name, sizeof(name)));
  zx_handle_close(event);
  zx_handle_close(vmo);
}

ZT_TEST(compiler_aligned_and_iommu_descriptors) {
  struct __ALIGNED(64) aligned_block {
    uint8_t byte;
  };
  _Static_assert(_Alignof(struct aligned_block) == 64, "__ALIGNED(64)");
  ZT_EXPECT_EQ(64u, sizeof(struct aligned_block));
  _Static_assert(sizeof(zx_iommu_desc_dummy_t) == 1, "dummy descriptor");
  _Static_assert(sizeof(zx_iommu_desc_intel_t) == 16, "intel descriptor");
  _Static_assert(sizeof(zx_iommu_desc_intel_scope_t) == 8, "intel scope");
  _Static_assert(sizeof(zx_iommu_desc_intel_reserved_memory_t) == 24, "intel reserved memory");
  ZT_EXPECT_EQ(0, ZX_IOMMU_TYPE_DUMMY);
  ZT_EXPECT_EQ(1, ZX_IOMMU_TYPE_INTEL);
  ZT_EXPECT_EQ(4096, ZX_IOMMU_MAX_DESC_LEN);
}

int main(void) {
  ZT_RUN(ticks_advance_at_the_announced_rate);
  ZT_RUN(page_size_is_the_hosts);
  ZT_RUN(cprng_draw_fills_any_length_with_fresh_bytes);
  ZT_RUN(name_property_set_get_truncate);
  ZT_RUN(name_property_errors);
  ZT_RUN(compiler_aligned_and_iommu_descriptors);
  return zt_finish("system");
}
