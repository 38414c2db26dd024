// Ports through libzircon.so: queue/wait, deadlines, the user-packet limit, wait_async and
// port_cancel (docs/semantics.md §3.5, §4). The packets that come back were built by the managed
// kernel, so the field checks here also cross-check the C layout against src/Zircon.Abi.

#include <zircon/syscalls.h>
#include <zircon/syscalls/port.h>

#include "ztest.h"
#include "zthread.h"

static zx_port_packet_t user_packet(uint64_t key) {
  zx_port_packet_t packet;
  memset(&packet, 0, sizeof(packet));
  packet.key = key;
  packet.type = ZX_PKT_TYPE_USER;
  return packet;
}

ZT_TEST(port_create_options_and_rights) {
  zx_handle_t port;
  ZT_ASSERT_OK(zx_port_create(0, &port));
  zx_info_handle_basic_t info = zt_basic_info(port);
  ZT_EXPECT_EQ(ZX_OBJ_TYPE_PORT, info.type);
  ZT_EXPECT_EQ(ZX_DEFAULT_PORT_RIGHTS, info.rights);
  ZT_EXPECT_EQ(ZX_OBJ_PROP_NONE, info.props);
  zx_handle_close(port);
  ZT_ASSERT_OK(zx_port_create(ZX_PORT_BIND_TO_INTERRUPT, &port));
  zx_handle_close(port);
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_port_create(2, &port));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_port_create(0, NULL));
}

ZT_TEST(user_packet_round_trip_keeps_every_byte) {
  zx_handle_t port;
  ZT_ASSERT_OK(zx_port_create(0, &port));
  zx_port_packet_t in = user_packet(0x1122334455667788ull);
  in.type = ZX_PKT_TYPE_SIGNAL_ONE;  // forced to USER by the kernel
  in.status = -3;
  for (int i = 0; i < 32; i++) in.user.c8[i] = (uint8_t)(0xA0 + i);
  ZT_EXPECT_OK(zx_port_queue(port, &in));

  zx_port_packet_t out;
  memset(&out, 0x5A, sizeof(out));
  ZT_EXPECT_OK(zx_port_wait(port, ZX_TIME_INFINITE, &out));
  ZT_EXPECT_EQ(0x1122334455667788ull, out.key);
  ZT_EXPECT_EQ(ZX_PKT_TYPE_USER, out.type);
  ZT_CHECK(ZX_PKT_IS_USER(out.type));
  ZT_EXPECT_EQ(-3, out.status);
  ZT_CHECK(memcmp(in.user.c8, out.user.c8, 32) == 0);
  ZT_EXPECT_EQ(0xA7A6A5A4A3A2A1A0ull, out.user.u64[0]);
  zx_handle_close(port);
}

ZT_TEST(port_wait_deadlines) {
  zx_handle_t port;
  ZT_ASSERT_OK(zx_port_create(0, &port));
  zx_port_packet_t out;
  ZT_EXPECT_STATUS(ZX_ERR_TIMED_OUT, zx_port_wait(port, ZX_TIME_INFINITE_PAST, &out));
  ZT_EXPECT_STATUS(ZX_ERR_TIMED_OUT, zx_port_wait(port, 0, &out));
  zx_time_t before = zx_clock_get_monotonic();
  ZT_EXPECT_STATUS(ZX_ERR_TIMED_OUT, zx_port_wait(port, zx_deadline_after(ZX_MSEC(20)), &out));
  ZT_CHECK(zx_clock_get_monotonic() - before >= ZX_MSEC(20));
  // A packet that is there is returned even for a deadline in the past.
  zx_port_packet_t in = user_packet(5);
  ZT_EXPECT_OK(zx_port_queue(port, &in));
  ZT_EXPECT_OK(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &out));
  ZT_EXPECT_EQ(5, out.key);
  zx_handle_close(port);
}

ZT_TEST(port_null_pointers_and_bad_handles) {
  zx_handle_t port;
  ZT_ASSERT_OK(zx_port_create(0, &port));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_port_queue(port, NULL));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_port_wait(port, ZX_TIME_INFINITE_PAST, NULL));
  zx_port_packet_t packet = user_packet(1);
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE, zx_port_queue(0x10000001u, &packet));
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE, zx_port_wait(0x10000001u, ZX_TIME_INFINITE_PAST, &packet));
  // Not a port.
  zx_handle_t event;
  ZT_ASSERT_OK(zx_event_create(0, &event));
  ZT_EXPECT_STATUS(ZX_ERR_WRONG_TYPE, zx_port_queue(event, &packet));
  ZT_EXPECT_STATUS(ZX_ERR_WRONG_TYPE, zx_port_wait(event, ZX_TIME_INFINITE_PAST, &packet));
  // Rights: queue needs WRITE, wait needs READ.
  zx_handle_t read_only, write_only;
  ZT_ASSERT_OK(zx_handle_duplicate(port, ZX_RIGHT_READ, &read_only));
  ZT_ASSERT_OK(zx_handle_duplicate(port, ZX_RIGHT_WRITE, &write_only));
  ZT_EXPECT_STATUS(ZX_ERR_ACCESS_DENIED, zx_port_queue(read_only, &packet));
  ZT_EXPECT_STATUS(ZX_ERR_ACCESS_DENIED, zx_port_wait(write_only, ZX_TIME_INFINITE_PAST, &packet));
  zx_handle_t all[] = {port, event, read_only, write_only};
  zx_handle_close_many(all, 4);
}

ZT_TEST(packets_come_out_in_fifo_order) {
  zx_handle_t port;
  ZT_ASSERT_OK(zx_port_create(0, &port));
  for (uint64_t key = 1; key <= 5; key++) {
    zx_port_packet_t packet = user_packet(key);
    ZT_EXPECT_OK(zx_port_queue(port, &packet));
  }
  for (uint64_t key = 1; key <= 5; key++) {
    zx_port_packet_t packet;
    ZT_EXPECT_OK(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &packet));
    ZT_EXPECT_EQ(key, packet.key);
  }
  zx_handle_close(port);
}

ZT_TEST(user_packet_limit_gives_should_wait) {
  // Project decision: 2048 user packets per port, ZX_ERR_SHOULD_WAIT past that (the target-era
  // kernel's "count > 2048" check lets a 2049th in, so either count is accepted).
  zx_handle_t port;
  ZT_ASSERT_OK(zx_port_create(0, &port));
  int queued = 0;
  zx_status_t status = ZX_OK;
  for (int i = 0; i < 5000; i++) {
    zx_port_packet_t packet = user_packet((uint64_t)i);
    status = zx_port_queue(port, &packet);
    if (status != ZX_OK) break;
    queued++;
  }
  ZT_EXPECT_STATUS(ZX_ERR_SHOULD_WAIT, status);
  ZT_CHECK(queued == 2048 || queued == 2049);
  // Still full.
  zx_port_packet_t packet = user_packet(9999);
  ZT_EXPECT_STATUS(ZX_ERR_SHOULD_WAIT, zx_port_queue(port, &packet));
  // Taking one out makes room for one.
  zx_port_packet_t out;
  ZT_EXPECT_OK(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &out));
  ZT_EXPECT_EQ(0, out.key);
  ZT_EXPECT_OK(zx_port_queue(port, &packet));
  ZT_EXPECT_STATUS(ZX_ERR_SHOULD_WAIT, zx_port_queue(port, &packet));
  // Signal packets do not count against the limit.
  zx_handle_t event;
  ZT_ASSERT_OK(zx_event_create(0, &event));
  ZT_EXPECT_OK(zx_object_wait_async(event, port, 77, ZX_EVENT_SIGNALED, 0));
  ZT_EXPECT_OK(zx_object_signal(event, 0, ZX_EVENT_SIGNALED));
  // Closing the port with everything queued is fine.
  ZT_EXPECT_OK(zx_handle_close(port));
  zx_handle_close(event);
}

struct port_waiter {
  zx_handle_t port;
  zx_status_t status;
  zx_port_packet_t packet;
};

static void wait_on_port(void* arg) {
  struct port_waiter* w = (struct port_waiter*)arg;
  w->status = zx_port_wait(w->port, zx_deadline_after(ZX_SEC(10)), &w->packet);
}

ZT_TEST(port_wait_wakes_when_another_thread_queues) {
  zx_handle_t port;
  ZT_ASSERT_OK(zx_port_create(0, &port));
  struct port_waiter w;
  memset(&w, 0, sizeof(w));
  w.port = port;
  w.status = 12345;
  zt_thread_t t;
  ZT_ASSERT(zt_thread_start(&t, 0, wait_on_port, &w) == 0);
  zx_nanosleep(zx_deadline_after(ZX_MSEC(30)));
  zx_port_packet_t packet = user_packet(42);
  ZT_EXPECT_OK(zx_port_queue(port, &packet));
  zt_thread_join(&t);
  ZT_EXPECT_OK(w.status);
  ZT_EXPECT_EQ(42, w.packet.key);
  zx_handle_close(port);
}

ZT_TEST(wait_async_delivers_one_signal_packet) {
  zx_handle_t port, event;
  ZT_ASSERT_OK(zx_port_create(0, &port));
  ZT_ASSERT_OK(zx_event_create(0, &event));
  ZT_EXPECT_OK(zx_object_wait_async(event, port, 42, ZX_EVENT_SIGNALED, 0));
  zx_port_packet_t packet;
  ZT_EXPECT_STATUS(ZX_ERR_TIMED_OUT, zx_port_wait(port, ZX_TIME_INFINITE_PAST, &packet));

  ZT_EXPECT_OK(zx_object_signal(event, 0, ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_1));
  memset(&packet, 0x5A, sizeof(packet));
  ZT_EXPECT_OK(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &packet));
  ZT_EXPECT_EQ(42, packet.key);
  ZT_EXPECT_EQ(ZX_PKT_TYPE_SIGNAL_ONE, packet.type);
  ZT_CHECK(ZX_PKT_IS_SIGNAL_ONE(packet.type));
  ZT_EXPECT_OK(packet.status);
  ZT_EXPECT_EQ(ZX_EVENT_SIGNALED, packet.signal.trigger);
  // observed is the whole signal state, not masked by the trigger.
  ZT_EXPECT_EQ(ZX_EVENT_SIGNALED | ZX_USER_SIGNAL_1, packet.signal.observed);
  ZT_EXPECT_EQ(1, packet.signal.count);
  ZT_EXPECT_EQ(0, packet.signal.timestamp);
  ZT_EXPECT_EQ(0, packet.signal.reserved1);

  // One-shot: signaling again queues nothing.
  ZT_EXPECT_OK(zx_object_signal(event, ZX_EVENT_SIGNALED, 0));
  ZT_EXPECT_OK(zx_object_signal(event, 0, ZX_EVENT_SIGNALED));
  ZT_EXPECT_STATUS(ZX_ERR_TIMED_OUT, zx_port_wait(port, ZX_TIME_INFINITE_PAST, &packet));
  zx_handle_close(event);
  zx_handle_close(port);
}

ZT_TEST(wait_async_on_already_asserted_signal_fires_at_once) {
  zx_handle_t port, event;
  ZT_ASSERT_OK(zx_port_create(0, &port));
  ZT_ASSERT_OK(zx_event_create(0, &event));
  ZT_EXPECT_OK(zx_object_signal(event, 0, ZX_USER_SIGNAL_2));
  ZT_EXPECT_OK(zx_object_wait_async(event, port, 7, ZX_USER_SIGNAL_2 | ZX_USER_SIGNAL_3, 0));
  zx_port_packet_t packet;
  ZT_EXPECT_OK(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &packet));
  ZT_EXPECT_EQ(7, packet.key);
  ZT_EXPECT_EQ(ZX_USER_SIGNAL_2 | ZX_USER_SIGNAL_3, packet.signal.trigger);
  ZT_EXPECT_EQ(ZX_USER_SIGNAL_2, packet.signal.observed);
  zx_handle_close(event);
  zx_handle_close(port);
}

ZT_TEST(wait_async_timestamp_option) {
  zx_handle_t port, event;
  ZT_ASSERT_OK(zx_port_create(0, &port));
  ZT_ASSERT_OK(zx_event_create(0, &event));
  ZT_EXPECT_OK(zx_object_wait_async(event, port, 1, ZX_EVENT_SIGNALED, ZX_WAIT_ASYNC_TIMESTAMP));
  zx_time_t before = zx_clock_get_monotonic();
  ZT_EXPECT_OK(zx_object_signal(event, 0, ZX_EVENT_SIGNALED));
  zx_time_t after = zx_clock_get_monotonic();
  zx_port_packet_t packet;
  ZT_EXPECT_OK(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &packet));
  ZT_CHECK((zx_time_t)packet.signal.timestamp >= before);
  ZT_CHECK((zx_time_t)packet.signal.timestamp <= after);
  zx_handle_close(event);
  zx_handle_close(port);
}

ZT_TEST(wait_async_argument_errors) {
  zx_handle_t port, event, no_wait;
  ZT_ASSERT_OK(zx_port_create(0, &port));
  ZT_ASSERT_OK(zx_event_create(0, &event));
  ZT_ASSERT_OK(zx_handle_duplicate(event, ZX_RIGHT_SIGNAL, &no_wait));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_object_wait_async(event, port, 1, ZX_EVENT_SIGNALED, 2));
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE,
                   zx_object_wait_async(event, 0x10000001u, 1, ZX_EVENT_SIGNALED, 0));
  ZT_EXPECT_STATUS(ZX_ERR_WRONG_TYPE, zx_object_wait_async(event, event, 1, ZX_EVENT_SIGNALED, 0));
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE,
                   zx_object_wait_async(0x10000001u, port, 1, ZX_EVENT_SIGNALED, 0));
  ZT_EXPECT_STATUS(ZX_ERR_ACCESS_DENIED,
                   zx_object_wait_async(no_wait, port, 1, ZX_EVENT_SIGNALED, 0));
  // A port has no WAIT right.
  zx_handle_t other_port;
  ZT_ASSERT_OK(zx_port_create(0, &other_port));
  ZT_EXPECT_STATUS(ZX_ERR_ACCESS_DENIED,
                   zx_object_wait_async(other_port, port, 1, ZX_USER_SIGNAL_0, 0));
  zx_handle_t all[] = {port, event, no_wait, other_port};
  zx_handle_close_many(all, 4);
}

ZT_TEST(registrations_fire_most_recent_first) {
  zx_handle_t port, event;
  ZT_ASSERT_OK(zx_port_create(0, &port));
  ZT_ASSERT_OK(zx_event_create(0, &event));
  for (uint64_t key = 0; key < 3; key++)
    ZT_EXPECT_OK(zx_object_wait_async(event, port, key, ZX_EVENT_SIGNALED, 0));
  ZT_EXPECT_OK(zx_object_signal(event, 0, ZX_EVENT_SIGNALED));
  for (uint64_t key = 3; key-- > 0;) {
    zx_port_packet_t packet;
    ZT_EXPECT_OK(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &packet));
    ZT_EXPECT_EQ(key, packet.key);
  }
  zx_handle_close(event);
  zx_handle_close(port);
}

ZT_TEST(port_cancel_removes_registrations_and_queued_packets) {
  zx_handle_t port, event;
  ZT_ASSERT_OK(zx_port_create(0, &port));
  ZT_ASSERT_OK(zx_event_create(0, &event));
  zx_port_packet_t packet;

  // An armed registration.
  ZT_EXPECT_OK(zx_object_wait_async(event, port, 7, ZX_EVENT_SIGNALED, 0));
  ZT_EXPECT_STATUS(ZX_ERR_NOT_FOUND, zx_port_cancel(port, event, 8));
  ZT_EXPECT_OK(zx_port_cancel(port, event, 7));
  ZT_EXPECT_OK(zx_object_signal(event, 0, ZX_EVENT_SIGNALED));
  ZT_EXPECT_STATUS(ZX_ERR_TIMED_OUT, zx_port_wait(port, ZX_TIME_INFINITE_PAST, &packet));
  ZT_EXPECT_STATUS(ZX_ERR_NOT_FOUND, zx_port_cancel(port, event, 7));

  // A packet already queued by a registration.
  ZT_EXPECT_OK(zx_object_wait_async(event, port, 9, ZX_EVENT_SIGNALED, 0));
  ZT_EXPECT_OK(zx_port_cancel(port, event, 9));
  ZT_EXPECT_STATUS(ZX_ERR_TIMED_OUT, zx_port_wait(port, ZX_TIME_INFINITE_PAST, &packet));

  // User packets are never removed.
  zx_port_packet_t user = user_packet(7);
  ZT_EXPECT_OK(zx_port_queue(port, &user));
  ZT_EXPECT_STATUS(ZX_ERR_NOT_FOUND, zx_port_cancel(port, event, 7));
  ZT_EXPECT_OK(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &packet));
  ZT_EXPECT_EQ(ZX_PKT_TYPE_USER, packet.type);

  // Matching is by handle: a registration made through a duplicate is not cancelled through the original.
  zx_handle_t dup;
  ZT_ASSERT_OK(zx_handle_duplicate(event, ZX_RIGHT_SAME_RIGHTS, &dup));
  ZT_EXPECT_OK(zx_object_signal(event, ZX_EVENT_SIGNALED, 0));
  ZT_EXPECT_OK(zx_object_wait_async(dup, port, 11, ZX_EVENT_SIGNALED, 0));
  ZT_EXPECT_STATUS(ZX_ERR_NOT_FOUND, zx_port_cancel(port, event, 11));
  ZT_EXPECT_OK(zx_port_cancel(port, dup, 11));

  // Errors.
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE, zx_port_cancel(port, 0x10000001u, 1));
  ZT_EXPECT_STATUS(ZX_ERR_WRONG_TYPE, zx_port_cancel(event, event, 1));
  zx_handle_t all[] = {port, event, dup};
  zx_handle_close_many(all, 3);
}

ZT_TEST(closing_the_watched_handle_cancels_its_registrations) {
  zx_handle_t port, event, dup;
  ZT_ASSERT_OK(zx_port_create(0, &port));
  ZT_ASSERT_OK(zx_event_create(0, &event));
  ZT_ASSERT_OK(zx_handle_duplicate(event, ZX_RIGHT_SAME_RIGHTS, &dup));
  ZT_EXPECT_OK(zx_object_wait_async(dup, port, 3, ZX_EVENT_SIGNALED, 0));
  ZT_EXPECT_OK(zx_handle_close(dup));
  ZT_EXPECT_OK(zx_object_signal(event, 0, ZX_EVENT_SIGNALED));
  zx_port_packet_t packet;
  ZT_EXPECT_STATUS(ZX_ERR_TIMED_OUT, zx_port_wait(port, ZX_TIME_INFINITE_PAST, &packet));
  zx_handle_close(event);
  zx_handle_close(port);
}

int main(void) {
  ZT_RUN(port_create_options_and_rights);
  ZT_RUN(user_packet_round_trip_keeps_every_byte);
  ZT_RUN(port_wait_deadlines);
  ZT_RUN(port_null_pointers_and_bad_handles);
  ZT_RUN(packets_come_out_in_fifo_order);
  ZT_RUN(user_packet_limit_gives_should_wait);
  ZT_RUN(port_wait_wakes_when_another_thread_queues);
  ZT_RUN(wait_async_delivers_one_signal_packet);
  ZT_RUN(wait_async_on_already_asserted_signal_fires_at_once);
  ZT_RUN(wait_async_timestamp_option);
  ZT_RUN(wait_async_argument_errors);
  ZT_RUN(registrations_fire_most_recent_first);
  ZT_RUN(port_cancel_removes_registrations_and_queued_packets);
  ZT_RUN(closing_the_watched_handle_cancels_its_registrations);
  return zt_finish("ports");
}
