// Clocks, deadlines, sleeping and status strings through libzircon.so (docs/semantics.md §9), plus the
// inline helpers of <zircon/time.h>.

#include <zircon/status.h>
#include <zircon/syscalls.h>
#include <zircon/time.h>

#include "ztest.h"

ZT_TEST(monotonic_clock_moves_forward) {
  zx_time_t a = zx_clock_get_monotonic();
  zx_time_t b = zx_clock_get_monotonic();
  ZT_CHECK(a > 0);
  ZT_CHECK(b >= a);
}

ZT_TEST(deadline_after) {
  zx_time_t before = zx_clock_get_monotonic();
  zx_time_t deadline = zx_deadline_after(ZX_SEC(1));
  zx_time_t after = zx_clock_get_monotonic();
  ZT_CHECK(deadline >= before + ZX_SEC(1));
  ZT_CHECK(deadline <= after + ZX_SEC(1));
  zx_time_t now = zx_deadline_after(0);
  ZT_CHECK(now >= after);
  // Saturates instead of overflowing.
  ZT_EXPECT_EQ(ZX_TIME_INFINITE, zx_deadline_after(ZX_TIME_INFINITE));
  ZT_EXPECT_EQ(ZX_TIME_INFINITE, zx_deadline_after(ZX_TIME_INFINITE - 1));
}

ZT_TEST(nanosleep_sleeps_until_the_deadline) {
  zx_time_t before = zx_clock_get_monotonic();
  ZT_EXPECT_OK(zx_nanosleep(zx_deadline_after(ZX_MSEC(20))));
  ZT_CHECK(zx_clock_get_monotonic() - before >= ZX_MSEC(20));
  // Past deadlines return at once.
  before = zx_clock_get_monotonic();
  ZT_EXPECT_OK(zx_nanosleep(0));
  ZT_EXPECT_OK(zx_nanosleep(ZX_TIME_INFINITE_PAST));
  ZT_CHECK(zx_clock_get_monotonic() - before < ZX_SEC(1));
}

ZT_TEST(status_strings) {
  ZT_CHECK(strcmp(zx_status_get_string(ZX_OK), "ZX_OK") == 0);
  ZT_CHECK(strcmp(zx_status_get_string(ZX_ERR_BAD_HANDLE), "ZX_ERR_BAD_HANDLE") == 0);
  ZT_CHECK(strcmp(zx_status_get_string(ZX_ERR_SHOULD_WAIT), "ZX_ERR_SHOULD_WAIT") == 0);
  ZT_CHECK(strcmp(zx_status_get_string(ZX_ERR_INTERNAL_INTR_KILLED), "ZX_ERR_INTERNAL_INTR_KILLED") == 0);
  ZT_CHECK(strcmp(zx_status_get_string(ZX_ERR_CONNECTION_ABORTED), "ZX_ERR_CONNECTION_ABORTED") == 0);
  ZT_CHECK(strcmp(zx_status_get_string(-5), "(UNKNOWN)") == 0);
  ZT_CHECK(strcmp(zx_status_get_string(12345), "(UNKNOWN)") == 0);
  // Static strings: the same pointer every time.
  ZT_CHECK(zx_status_get_string(ZX_ERR_TIMED_OUT) == zx_status_get_string(ZX_ERR_TIMED_OUT));
  ZT_CHECK(zx_status_get_string(777) == zx_status_get_string(-777));
}

ZT_TEST(time_helpers_saturate) {
  ZT_EXPECT_EQ(15, zx_time_add_duration(10, 5));
  ZT_EXPECT_EQ(ZX_TIME_INFINITE, zx_time_add_duration(ZX_TIME_INFINITE - 1, 5));
  ZT_EXPECT_EQ(ZX_TIME_INFINITE_PAST, zx_time_add_duration(ZX_TIME_INFINITE_PAST + 1, -5));
  ZT_EXPECT_EQ(5, zx_time_sub_duration(10, 5));
  ZT_EXPECT_EQ(ZX_TIME_INFINITE_PAST, zx_time_sub_duration(ZX_TIME_INFINITE_PAST, 1));
  ZT_EXPECT_EQ(ZX_TIME_INFINITE, zx_time_sub_duration(ZX_TIME_INFINITE, -1));
  ZT_EXPECT_EQ(-5, zx_time_sub_time(5, 10));
  ZT_EXPECT_EQ(ZX_TIME_INFINITE_PAST, zx_time_sub_time(ZX_TIME_INFINITE_PAST, 1));
  ZT_EXPECT_EQ(ZX_TIME_INFINITE, zx_time_sub_time(ZX_TIME_INFINITE, -1));
  ZT_EXPECT_EQ(ZX_TIME_INFINITE, zx_duration_add_duration(ZX_TIME_INFINITE, 1));
  ZT_EXPECT_EQ(ZX_TIME_INFINITE_PAST, zx_duration_sub_duration(ZX_TIME_INFINITE_PAST, 1));
  ZT_EXPECT_EQ(ZX_SEC(3), zx_duration_mul_int64(ZX_SEC(1), 3));
  ZT_EXPECT_EQ(ZX_TIME_INFINITE, zx_duration_mul_int64(ZX_SEC(1), INT64_MAX / 2));
  ZT_EXPECT_EQ(ZX_TIME_INFINITE_PAST, zx_duration_mul_int64(ZX_SEC(1), INT64_MIN / 2));
  ZT_EXPECT_EQ(ZX_TIME_INFINITE, zx_duration_mul_int64(-ZX_SEC(1), INT64_MIN / 2));
  ZT_EXPECT_EQ(ZX_MSEC(7), zx_duration_from_msec(7));
  ZT_EXPECT_EQ(ZX_USEC(7), zx_duration_from_usec(7));
  ZT_EXPECT_EQ(ZX_SEC(7), zx_duration_from_sec(7));
  ZT_EXPECT_EQ(ZX_MIN(2), zx_duration_from_min(2));
  ZT_EXPECT_EQ(ZX_HOUR(2), zx_duration_from_hour(2));
  ZT_EXPECT_EQ(ZX_TIME_INFINITE, zx_duration_from_hour(INT64_MAX / 1000));
  ZT_EXPECT_EQ(42, zx_nsec_from_duration(zx_duration_from_nsec(42)));
  struct timespec ts = zx_timespec_from_duration(ZX_SEC(3) + 250);
  ZT_EXPECT_EQ(3, ts.tv_sec);
  ZT_EXPECT_EQ(250, ts.tv_nsec);
  ZT_EXPECT_EQ(ZX_SEC(3) + 250, zx_duration_from_timespec(ts));
  ZT_EXPECT_EQ(ZX_SEC(3) + 250, zx_time_from_timespec(zx_timespec_from_time(ZX_SEC(3) + 250)));
}

int main(void) {
  ZT_RUN(monotonic_clock_moves_forward);
  ZT_RUN(deadline_after);
  ZT_RUN(nanosleep_sleeps_until_the_deadline);
  ZT_RUN(status_strings);
  ZT_RUN(time_helpers_saturate);
  return zt_finish("time");
}
