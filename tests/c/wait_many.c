// zx_object_wait_many through libzircon.so: which item wakes the wait, pending for every item,
// deadlines, a handle closed during the wait, and the per-call limits.

#include <zircon/syscalls.h>

#include "ztest.h"
#include "zthread.h"

static void signal_event(void* arg) {
  zx_object_signal(*(zx_handle_t*)arg, 0, ZX_EVENT_SIGNALED);
}

static void close_handle(void* arg) { zx_handle_close(*(zx_handle_t*)arg); }

ZT_TEST(wait_many_returns_at_once_when_an_item_is_asserted) {
  zx_handle_t a, b;
  ZT_ASSERT_OK(zx_event_create(0, &a));
  ZT_ASSERT_OK(zx_event_create(0, &b));
  ZT_ASSERT_OK(zx_object_signal(b, 0, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_1));
  zx_wait_item_t items[2] = {{a, ZX_EVENT_SIGNALED, 0xdead}, {b, ZX_EVENT_SIGNALED, 0xdead}};
  ZT_EXPECT_OK(zx_object_wait_many(items, 2, ZX_TIME_INFINITE));
  ZT_EXPECT_EQ(0, items[0].pending);
  ZT_EXPECT_EQ(ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_1, items[1].pending);
  // The handles and wait masks are not rewritten.
  ZT_EXPECT_EQ(a, items[0].handle);
  ZT_EXPECT_EQ(ZX_EVENT_SIGNALED, items[1].waitfor);
  zx_handle_close(a);
  zx_handle_close(b);
}

ZT_TEST(wait_many_wakes_when_another_thread_signals_one_item) {
  zx_handle_t events[3];
  zx_wait_item_t items[3];
  for (int i = 0; i < 3; i++) {
    ZT_ASSERT_OK(zx_event_create(0, &events[i]));
    items[i].handle = events[i];
    items[i].waitfor = ZX_EVENT_SIGNALED;
    items[i].pending = 0;
  }
  zt_thread_t t;
  ZT_ASSERT(zt_thread_start(&t, ZX_MSEC(30), signal_event, &events[2]) == 0);
  zx_time_t before = zx_clock_get_monotonic();
  ZT_EXPECT_OK(zx_object_wait_many(items, 3, zx_deadline_after(ZX_SEC(10))));
  ZT_CHECK(zx_clock_get_monotonic() - before >= ZX_MSEC(25));
  zt_thread_join(&t);
  ZT_EXPECT_EQ(0, items[0].pending);
  ZT_EXPECT_EQ(0, items[1].pending);
  ZT_EXPECT_EQ(ZX_EVENT_SIGNALED, items[2].pending);
  for (int i = 0; i < 3; i++) zx_handle_close(events[i]);
}

ZT_TEST(wait_many_times_out_and_reports_pending) {
  zx_handle_t a;
  ZT_ASSERT_OK(zx_event_create(0, &a));
  ZT_ASSERT_OK(zx_object_signal(a, 0, ZX_USER_SIGNAL_2));
  zx_wait_item_t item = {a, ZX_EVENT_SIGNALED, 0};
  zx_time_t before = zx_clock_get_monotonic();
  ZT_EXPECT_STATUS(ZX_ERR_TIMED_OUT, zx_object_wait_many(&item, 1, zx_deadline_after(ZX_MSEC(20))));
  ZT_CHECK(zx_clock_get_monotonic() - before >= ZX_MSEC(20));
  ZT_EXPECT_EQ(ZX_USER_SIGNAL_2, item.pending);
  // A past deadline polls.
  ZT_EXPECT_STATUS(ZX_ERR_TIMED_OUT, zx_object_wait_many(&item, 1, ZX_TIME_INFINITE_PAST));
  // No items: sleeps until the deadline.
  before = zx_clock_get_monotonic();
  ZT_EXPECT_STATUS(ZX_ERR_TIMED_OUT, zx_object_wait_many(NULL, 0, zx_deadline_after(ZX_MSEC(10))));
  ZT_CHECK(zx_clock_get_monotonic() - before >= ZX_MSEC(10));
  zx_handle_close(a);
}

ZT_TEST(closing_a_handle_cancels_wait_many) {
  zx_handle_t a, b;
  ZT_ASSERT_OK(zx_event_create(0, &a));
  ZT_ASSERT_OK(zx_event_create(0, &b));
  zx_wait_item_t items[2] = {{a, ZX_EVENT_SIGNALED, 0}, {b, ZX_EVENT_SIGNALED, 0}};
  zt_thread_t t;
  ZT_ASSERT(zt_thread_start(&t, ZX_MSEC(20), close_handle, &b) == 0);
  ZT_EXPECT_STATUS(ZX_ERR_CANCELED, zx_object_wait_many(items, 2, zx_deadline_after(ZX_SEC(10))));
  zt_thread_join(&t);
  ZT_EXPECT_EQ(0, items[0].pending);
  ZT_CHECK(items[1].pending & ZX_SIGNAL_HANDLE_CLOSED);
  zx_handle_close(a);
}

ZT_TEST(wait_many_errors) {
  zx_handle_t event, port;
  ZT_ASSERT_OK(zx_event_create(0, &event));
  ZT_ASSERT_OK(zx_port_create(0, &port));
  static zx_wait_item_t many[ZX_WAIT_MANY_MAX_ITEMS + 1];
  for (size_t i = 0; i <= ZX_WAIT_MANY_MAX_ITEMS; i++) {
    many[i].handle = event;
    many[i].waitfor = ZX_USER_SIGNAL_0;
    many[i].pending = 0;
  }
  // 64 items are allowed (this polls), 65 are OUT_OF_RANGE.
  ZT_EXPECT_STATUS(ZX_ERR_TIMED_OUT, zx_object_wait_many(many, ZX_WAIT_MANY_MAX_ITEMS, ZX_TIME_INFINITE_PAST));
  ZT_EXPECT_STATUS(ZX_ERR_OUT_OF_RANGE,
                   zx_object_wait_many(many, ZX_WAIT_MANY_MAX_ITEMS + 1, ZX_TIME_INFINITE_PAST));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_object_wait_many(NULL, 1, ZX_TIME_INFINITE_PAST));
  zx_wait_item_t items[2] = {{event, ZX_EVENT_SIGNALED, 0}, {event ^ 0x100, ZX_EVENT_SIGNALED, 0}};
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE, zx_object_wait_many(items, 2, ZX_TIME_INFINITE_PAST));
  // A port is not waitable; without the WAIT right: ACCESS_DENIED.
  items[1].handle = port;
  ZT_EXPECT_STATUS(ZX_ERR_ACCESS_DENIED, zx_object_wait_many(items, 2, ZX_TIME_INFINITE_PAST));
  zx_handle_t no_wait;
  ZT_ASSERT_OK(zx_handle_duplicate(event, ZX_RIGHT_DUPLICATE, &no_wait));
  items[1].handle = no_wait;
  ZT_EXPECT_STATUS(ZX_ERR_ACCESS_DENIED, zx_object_wait_many(items, 2, ZX_TIME_INFINITE_PAST));
  zx_handle_close(no_wait);
  zx_handle_close(port);
  zx_handle_close(event);
}

int main(void) {
  ZT_RUN(wait_many_returns_at_once_when_an_item_is_asserted);
  ZT_RUN(wait_many_wakes_when_another_thread_signals_one_item);
  ZT_RUN(wait_many_times_out_and_reports_pending);
  ZT_RUN(closing_a_handle_cancels_wait_many);
  ZT_RUN(wait_many_errors);
  return zt_finish("wait_many");
}
