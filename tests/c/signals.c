// Events, zx_object_signal and zx_object_wait_one through libzircon.so (docs/semantics.md §3.2, §3.3).

#include <zircon/syscalls.h>

#include "ztest.h"
#include "zthread.h"

ZT_TEST(event_create_rights_and_options) {
  zx_handle_t event = ZX_HANDLE_INVALID;
  ZT_ASSERT_OK(zx_event_create(0, &event));
  zx_info_handle_basic_t info = zt_basic_info(event);
  ZT_EXPECT_EQ(ZX_OBJ_TYPE_EVENT, info.type);
  ZT_EXPECT_EQ(ZX_DEFAULT_EVENT_RIGHTS, info.rights);
  zx_handle_close(event);
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_event_create(1, &event));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_event_create(0, NULL));
}

ZT_TEST(wait_one_times_out_when_nothing_is_asserted) {
  zx_handle_t event;
  ZT_ASSERT_OK(zx_event_create(0, &event));
  zx_signals_t observed = 0xdead;
  ZT_EXPECT_STATUS(ZX_ERR_TIMED_OUT,
                   zx_object_wait_one(event, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE_PAST, &observed));
  ZT_EXPECT_EQ(0, observed);
  // A short relative deadline really waits.
  zx_time_t before = zx_clock_get_monotonic();
  ZT_EXPECT_STATUS(ZX_ERR_TIMED_OUT,
                   zx_object_wait_one(event, ZX_EVENT_SIGNALED, zx_deadline_after(ZX_MSEC(20)), NULL));
  ZT_CHECK(zx_clock_get_monotonic() - before >= ZX_MSEC(20));
  zx_handle_close(event);
}

ZT_TEST(signal_set_clear_and_observe) {
  zx_handle_t event;
  ZT_ASSERT_OK(zx_event_create(0, &event));
  ZT_EXPECT_OK(zx_object_signal(event, 0, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_3));
  zx_signals_t observed = 0;
  ZT_EXPECT_OK(zx_object_wait_one(event, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE_PAST, &observed));
  ZT_EXPECT_EQ(ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_3, observed);
  // Waiting for a signal that is asserted returns at once, even with an infinite deadline.
  ZT_EXPECT_OK(zx_object_wait_one(event, ZX_USER_SIGNAL_3, ZX_TIME_INFINITE, NULL));
  // Clear is applied before set.
  ZT_EXPECT_OK(zx_object_signal(event, ZX_USER_SIGNAL_3 | ZX_EVENT_SIGNALED, ZX_USER_SIGNAL_3));
  ZT_EXPECT_STATUS(ZX_ERR_TIMED_OUT,
                   zx_object_wait_one(event, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE_PAST, &observed));
  ZT_EXPECT_EQ(ZX_USER_SIGNAL_3, observed);
  ZT_EXPECT_OK(zx_object_signal(event, ZX_USER_SIGNAL_ALL, 0));
  ZT_EXPECT_STATUS(ZX_ERR_TIMED_OUT,
                   zx_object_wait_one(event, ZX_USER_SIGNAL_ALL, ZX_TIME_INFINITE_PAST, &observed));
  ZT_EXPECT_EQ(0, observed);
  zx_handle_close(event);
}

ZT_TEST(signal_rejects_non_user_bits) {
  zx_handle_t event;
  ZT_ASSERT_OK(zx_event_create(0, &event));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_object_signal(event, 0, __ZX_OBJECT_READABLE));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_object_signal(event, ZX_SIGNAL_HANDLE_CLOSED, 0));
  zx_handle_close(event);
}

ZT_TEST(signal_and_wait_need_rights) {
  zx_handle_t event, wait_only, signal_only;
  ZT_ASSERT_OK(zx_event_create(0, &event));
  ZT_ASSERT_OK(zx_handle_duplicate(event, ZX_RIGHT_WAIT, &wait_only));
  ZT_ASSERT_OK(zx_handle_duplicate(event, ZX_RIGHT_SIGNAL, &signal_only));
  ZT_EXPECT_STATUS(ZX_ERR_ACCESS_DENIED, zx_object_signal(wait_only, 0, ZX_USER_SIGNAL_0));
  ZT_EXPECT_STATUS(ZX_ERR_ACCESS_DENIED,
                   zx_object_wait_one(signal_only, ZX_USER_SIGNAL_0, ZX_TIME_INFINITE_PAST, NULL));
  ZT_EXPECT_OK(zx_object_signal(signal_only, 0, ZX_USER_SIGNAL_0));
  ZT_EXPECT_OK(zx_object_wait_one(wait_only, ZX_USER_SIGNAL_0, ZX_TIME_INFINITE_PAST, NULL));
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE, zx_object_signal(0x10000001u, 0, ZX_USER_SIGNAL_0));
  zx_handle_t all[] = {event, wait_only, signal_only};
  zx_handle_close_many(all, 3);
}

ZT_TEST(wait_one_on_a_port_is_access_denied) {
  // Ports have no WAIT right (docs/semantics.md §3.3: ACCESS_DENIED, the code's answer).
  zx_handle_t port;
  ZT_ASSERT_OK(zx_port_create(0, &port));
  ZT_EXPECT_STATUS(ZX_ERR_ACCESS_DENIED,
                   zx_object_wait_one(port, ZX_USER_SIGNAL_0, ZX_TIME_INFINITE_PAST, NULL));
  zx_handle_close(port);
}

static void signal_event(void* arg) {
  zx_object_signal(*(zx_handle_t*)arg, 0, ZX_EVENT_SIGNALED);
}

ZT_TEST(wait_one_wakes_when_another_thread_signals) {
  zx_handle_t event;
  ZT_ASSERT_OK(zx_event_create(0, &event));
  zt_thread_t t;
  ZT_ASSERT(zt_thread_start(&t, ZX_MSEC(20), signal_event, &event) == 0);
  zx_signals_t observed = 0;
  ZT_EXPECT_OK(zx_object_wait_one(event, ZX_EVENT_SIGNALED, zx_deadline_after(ZX_SEC(10)), &observed));
  ZT_CHECK(observed & ZX_EVENT_SIGNALED);
  zt_thread_join(&t);
  zx_handle_close(event);
}

struct waiter {
  zx_handle_t handle;
  zx_status_t status;
  zx_signals_t observed;
};

static void wait_forever(void* arg) {
  struct waiter* w = (struct waiter*)arg;
  w->status = zx_object_wait_one(w->handle, ZX_EVENT_SIGNALED, ZX_TIME_INFINITE, &w->observed);
}

ZT_TEST(closing_the_handle_cancels_wait_one) {
  zx_handle_t event, dup;
  ZT_ASSERT_OK(zx_event_create(0, &event));
  ZT_ASSERT_OK(zx_handle_duplicate(event, ZX_RIGHT_SAME_RIGHTS, &dup));
  struct waiter w = {dup, 12345, 0};
  zt_thread_t t;
  ZT_ASSERT(zt_thread_start(&t, 0, wait_forever, &w) == 0);
  // Let the waiter block, then close the handle it waits through.
  zx_nanosleep(zx_deadline_after(ZX_MSEC(50)));
  ZT_EXPECT_OK(zx_handle_close(dup));
  zt_thread_join(&t);
  ZT_EXPECT_STATUS(ZX_ERR_CANCELED, w.status);
  ZT_CHECK(w.observed & ZX_SIGNAL_HANDLE_CLOSED);
  zx_handle_close(event);
}

ZT_TEST(vmo_asserts_zero_children) {
  zx_handle_t vmo;
  ZT_ASSERT_OK(zx_vmo_create(ZX_PAGE_SIZE, 0, &vmo));
  zx_signals_t observed = 0;
  ZT_EXPECT_OK(zx_object_wait_one(vmo, ZX_VMO_ZERO_CHILDREN, ZX_TIME_INFINITE_PAST, &observed));
  ZT_CHECK(observed & ZX_VMO_ZERO_CHILDREN);
  zx_handle_close(vmo);
}

int main(void) {
  ZT_RUN(event_create_rights_and_options);
  ZT_RUN(wait_one_times_out_when_nothing_is_asserted);
  ZT_RUN(signal_set_clear_and_observe);
  ZT_RUN(signal_rejects_non_user_bits);
  ZT_RUN(signal_and_wait_need_rights);
  ZT_RUN(wait_one_on_a_port_is_access_denied);
  ZT_RUN(wait_one_wakes_when_another_thread_signals);
  ZT_RUN(closing_the_handle_cancels_wait_one);
  ZT_RUN(vmo_asserts_zero_children);
  return zt_finish("signals");
}
