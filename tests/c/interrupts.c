// Interrupts through libzircon.so: virtual interrupts bound to ports, zx_interrupt_wait with
// triggers and destroys from other threads, and physical interrupts on host interrupt lines
// raised through the Linux-host extension and its eventfd (docs/semantics.md §5, docs/decisions.md).

#include <unistd.h>

#include <zircon/platform/interrupt_lines.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/port.h>

#include "ztest.h"
#include "zthread.h"

static zx_handle_t make_virtual(void) {
  zx_handle_t irq = ZX_HANDLE_INVALID;
  if (zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL, &irq) != ZX_OK)
    return ZX_HANDLE_INVALID;
  return irq;
}

static zx_handle_t make_irq_port(void) {
  zx_handle_t port = ZX_HANDLE_INVALID;
  if (zx_port_create(ZX_PORT_BIND_TO_INTERRUPT, &port) != ZX_OK) return ZX_HANDLE_INVALID;
  return port;
}

ZT_TEST(create_virtual) {
  zx_handle_t irq = make_virtual();
  ZT_ASSERT(irq != ZX_HANDLE_INVALID);
  zx_info_handle_basic_t info = zt_basic_info(irq);
  ZT_EXPECT_EQ(ZX_OBJ_TYPE_INTERRUPT, info.type);
  ZT_EXPECT_EQ(ZX_DEFAULT_INTERRUPT_RIGHTS, info.rights);
  zx_handle_close(irq);
  // The source object is not looked at for a virtual interrupt.
  ZT_EXPECT_OK(zx_interrupt_create(0x10000001u, 1234, ZX_INTERRUPT_VIRTUAL, &irq));
  zx_handle_close(irq);
  // Options must be exactly VIRTUAL (SLOT_USER = 0x3E has the VIRTUAL bit and more).
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS,
                   zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_SLOT_USER, &irq));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS,
                   zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL | ZX_INTERRUPT_REMAP_IRQ, &irq));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS,
                   zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL, NULL));
}

// The worked example of docs/semantics.md §5.3 (Zircon's BindPort test).
ZT_TEST(bind_port_trigger_ack_sequence) {
  const zx_time_t t1 = 12345, t2 = 67890;
  zx_handle_t irq = make_virtual(), port = make_irq_port();
  ZT_ASSERT(irq != ZX_HANDLE_INVALID && port != ZX_HANDLE_INVALID);
  zx_port_packet_t packet;

  ZT_ASSERT_OK(zx_interrupt_bind(irq, port, 789, ZX_INTERRUPT_BIND));
  ZT_EXPECT_OK(zx_interrupt_trigger(irq, 0, t1));
  memset(&packet, 0x5A, sizeof(packet));
  ZT_EXPECT_OK(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &packet));
  ZT_EXPECT_EQ(789, packet.key);
  ZT_EXPECT_EQ(ZX_PKT_TYPE_INTERRUPT, packet.type);
  ZT_CHECK(ZX_PKT_IS_INTERRUPT(packet.type));
  ZT_EXPECT_OK(packet.status);
  ZT_EXPECT_EQ(t1, packet.interrupt.timestamp);
  ZT_EXPECT_EQ(0, packet.interrupt.reserved0);
  ZT_EXPECT_EQ(0, packet.interrupt.reserved1);
  ZT_EXPECT_EQ(0, packet.interrupt.reserved2);

  // Triggered while waiting for the ack: remembered, delivered on ack.
  ZT_EXPECT_OK(zx_interrupt_trigger(irq, 0, t1));
  ZT_EXPECT_STATUS(ZX_ERR_TIMED_OUT, zx_port_wait(port, ZX_TIME_INFINITE_PAST, &packet));
  ZT_EXPECT_OK(zx_interrupt_ack(irq));
  ZT_EXPECT_OK(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &packet));
  ZT_EXPECT_EQ(789, packet.key);
  ZT_EXPECT_EQ(ZX_PKT_TYPE_INTERRUPT, packet.type);
  ZT_EXPECT_EQ(t1, packet.interrupt.timestamp);
  ZT_EXPECT_OK(zx_interrupt_ack(irq));  // back to idle

  // Two triggers before delivery: first goes out, the second is delivered after the ack.
  ZT_EXPECT_OK(zx_interrupt_trigger(irq, 0, t1));
  ZT_EXPECT_OK(zx_interrupt_trigger(irq, 0, t2));
  ZT_EXPECT_OK(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &packet));
  ZT_EXPECT_EQ(t1, packet.interrupt.timestamp);
  ZT_EXPECT_OK(zx_interrupt_ack(irq));
  ZT_EXPECT_OK(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &packet));
  ZT_EXPECT_EQ(t2, packet.interrupt.timestamp);

  // Destroy with the packet read but not acked: NOT_FOUND; then everything is CANCELED.
  ZT_EXPECT_STATUS(ZX_ERR_NOT_FOUND, zx_interrupt_destroy(irq));
  ZT_EXPECT_STATUS(ZX_ERR_CANCELED, zx_interrupt_ack(irq));
  ZT_EXPECT_STATUS(ZX_ERR_CANCELED, zx_interrupt_trigger(irq, 0, t1));
  zx_handle_close(irq);
  zx_handle_close(port);
}

ZT_TEST(bind_errors) {
  zx_handle_t irq = make_virtual(), port = make_irq_port(), plain_port, other_port = make_irq_port();
  ZT_ASSERT(irq != ZX_HANDLE_INVALID && port != ZX_HANDLE_INVALID);
  ZT_ASSERT_OK(zx_port_create(0, &plain_port));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_interrupt_bind(irq, port, 1, 2));
  // Only a BIND_TO_INTERRUPT port takes interrupts.
  ZT_EXPECT_STATUS(ZX_ERR_WRONG_TYPE, zx_interrupt_bind(irq, plain_port, 1, ZX_INTERRUPT_BIND));
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE, zx_interrupt_bind(0x10000001u, port, 1, ZX_INTERRUPT_BIND));
  ZT_EXPECT_STATUS(ZX_ERR_WRONG_TYPE, zx_interrupt_bind(port, port, 1, ZX_INTERRUPT_BIND));
  // Unbinding something that is not bound there.
  ZT_EXPECT_STATUS(ZX_ERR_NOT_FOUND, zx_interrupt_bind(irq, port, 0, ZX_INTERRUPT_UNBIND));
  ZT_EXPECT_OK(zx_interrupt_bind(irq, port, 1, ZX_INTERRUPT_BIND));
  ZT_EXPECT_STATUS(ZX_ERR_ALREADY_BOUND, zx_interrupt_bind(irq, port, 1, ZX_INTERRUPT_BIND));
  ZT_EXPECT_STATUS(ZX_ERR_ALREADY_BOUND, zx_interrupt_bind(irq, other_port, 1, ZX_INTERRUPT_BIND));
  ZT_EXPECT_STATUS(ZX_ERR_NOT_FOUND, zx_interrupt_bind(irq, other_port, 0, ZX_INTERRUPT_UNBIND));
  // Waiting on a port-bound interrupt is BAD_STATE.
  ZT_EXPECT_STATUS(ZX_ERR_BAD_STATE, zx_interrupt_wait(irq, NULL));
  // Unbind, then the interrupt behaves as unbound again.
  ZT_EXPECT_OK(zx_interrupt_bind(irq, port, 0, ZX_INTERRUPT_UNBIND));
  ZT_EXPECT_STATUS(ZX_ERR_BAD_STATE, zx_interrupt_ack(irq));
  ZT_EXPECT_OK(zx_interrupt_trigger(irq, 0, 5));
  zx_time_t timestamp = 0;
  ZT_EXPECT_OK(zx_interrupt_wait(irq, &timestamp));
  ZT_EXPECT_EQ(5, timestamp);
  zx_port_packet_t packet;
  ZT_EXPECT_STATUS(ZX_ERR_TIMED_OUT, zx_port_wait(port, ZX_TIME_INFINITE_PAST, &packet));
  zx_handle_t all[] = {irq, port, plain_port, other_port};
  zx_handle_close_many(all, 4);
}

ZT_TEST(bind_an_already_triggered_interrupt_delivers_at_once) {
  zx_handle_t irq = make_virtual(), port = make_irq_port();
  ZT_ASSERT(irq != ZX_HANDLE_INVALID && port != ZX_HANDLE_INVALID);
  ZT_EXPECT_OK(zx_interrupt_trigger(irq, 0, 4321));
  ZT_EXPECT_OK(zx_interrupt_bind(irq, port, 55, ZX_INTERRUPT_BIND));
  zx_port_packet_t packet;
  ZT_EXPECT_OK(zx_port_wait(port, ZX_TIME_INFINITE_PAST, &packet));
  ZT_EXPECT_EQ(55, packet.key);
  ZT_EXPECT_EQ(ZX_PKT_TYPE_INTERRUPT, packet.type);
  ZT_EXPECT_EQ(4321, packet.interrupt.timestamp);
  ZT_EXPECT_OK(zx_interrupt_ack(irq));
  zx_handle_close(irq);
  zx_handle_close(port);
}

ZT_TEST(trigger_and_ack_errors) {
  zx_handle_t irq = make_virtual();
  ZT_ASSERT(irq != ZX_HANDLE_INVALID);
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_interrupt_trigger(irq, 1, 0));
  ZT_EXPECT_STATUS(ZX_ERR_BAD_STATE, zx_interrupt_ack(irq));
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE, zx_interrupt_trigger(0x10000001u, 0, 0));
  zx_handle_t no_signal;
  ZT_ASSERT_OK(zx_handle_duplicate(irq, ZX_RIGHT_WAIT, &no_signal));
  ZT_EXPECT_STATUS(ZX_ERR_ACCESS_DENIED, zx_interrupt_trigger(no_signal, 0, 0));
  zx_handle_t event;
  ZT_ASSERT_OK(zx_event_create(0, &event));
  ZT_EXPECT_STATUS(ZX_ERR_WRONG_TYPE, zx_interrupt_trigger(event, 0, 0));
  // bind_vcpu: the VCPU handle is looked up before the interrupt kind is considered.
  ZT_EXPECT_STATUS(ZX_ERR_WRONG_TYPE, zx_interrupt_bind_vcpu(irq, event, 0));
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE, zx_interrupt_bind_vcpu(0x10000001u, event, 0));
  zx_handle_t all[] = {irq, no_signal, event};
  zx_handle_close_many(all, 3);
}

ZT_TEST(wait_returns_a_pending_trigger_at_once) {
  zx_handle_t irq = make_virtual();
  ZT_ASSERT(irq != ZX_HANDLE_INVALID);
  ZT_EXPECT_OK(zx_interrupt_trigger(irq, 0, 12345));
  zx_time_t timestamp = 0;
  ZT_EXPECT_OK(zx_interrupt_wait(irq, &timestamp));
  ZT_EXPECT_EQ(12345, timestamp);
  // A NULL timestamp pointer is allowed.
  ZT_EXPECT_OK(zx_interrupt_trigger(irq, 0, 67890));
  ZT_EXPECT_OK(zx_interrupt_wait(irq, NULL));
  zx_handle_close(irq);
}

struct irq_waiter {
  zx_handle_t irq;
  zx_status_t status;
  zx_time_t timestamp;
};

static void wait_on_interrupt(void* arg) {
  struct irq_waiter* w = (struct irq_waiter*)arg;
  w->status = zx_interrupt_wait(w->irq, &w->timestamp);
}

static void trigger_12345(void* arg) { zx_interrupt_trigger(*(zx_handle_t*)arg, 0, 12345); }

ZT_TEST(wait_wakes_on_trigger_from_another_thread) {
  zx_handle_t irq = make_virtual();
  ZT_ASSERT(irq != ZX_HANDLE_INVALID);
  zt_thread_t t;
  ZT_ASSERT(zt_thread_start(&t, ZX_MSEC(30), trigger_12345, &irq) == 0);
  zx_time_t timestamp = 0;
  ZT_EXPECT_OK(zx_interrupt_wait(irq, &timestamp));
  ZT_EXPECT_EQ(12345, timestamp);
  zt_thread_join(&t);
  zx_handle_close(irq);
}

ZT_TEST(destroy_wakes_a_waiter_with_canceled) {
  zx_handle_t irq = make_virtual();
  ZT_ASSERT(irq != ZX_HANDLE_INVALID);
  struct irq_waiter w = {irq, 12345, 0};
  zt_thread_t t;
  ZT_ASSERT(zt_thread_start(&t, 0, wait_on_interrupt, &w) == 0);
  zx_nanosleep(zx_deadline_after(ZX_MSEC(50)));
  // A second waiter while one is blocked is BAD_STATE.
  ZT_EXPECT_STATUS(ZX_ERR_BAD_STATE, zx_interrupt_wait(irq, NULL));
  ZT_EXPECT_OK(zx_interrupt_destroy(irq));
  zt_thread_join(&t);
  ZT_EXPECT_STATUS(ZX_ERR_CANCELED, w.status);
  ZT_EXPECT_STATUS(ZX_ERR_CANCELED, zx_interrupt_wait(irq, NULL));
  ZT_EXPECT_STATUS(ZX_ERR_CANCELED, zx_interrupt_trigger(irq, 0, 1));
  zx_handle_t port = make_irq_port();
  ZT_EXPECT_STATUS(ZX_ERR_CANCELED, zx_interrupt_bind(irq, port, 1, ZX_INTERRUPT_BIND));
  ZT_EXPECT_OK(zx_interrupt_destroy(irq));
  zx_handle_close(port);
  zx_handle_close(irq);
}

ZT_TEST(destroy_removes_a_queued_packet) {
  zx_handle_t irq = make_virtual(), port = make_irq_port();
  ZT_ASSERT(irq != ZX_HANDLE_INVALID && port != ZX_HANDLE_INVALID);
  ZT_ASSERT_OK(zx_interrupt_bind(irq, port, 1, ZX_INTERRUPT_BIND));
  ZT_EXPECT_OK(zx_interrupt_trigger(irq, 0, 1));
  ZT_EXPECT_OK(zx_interrupt_destroy(irq));
  zx_port_packet_t packet;
  ZT_EXPECT_STATUS(ZX_ERR_TIMED_OUT, zx_port_wait(port, ZX_TIME_INFINITE_PAST, &packet));
  // The binding is kept, so unbinding reports CANCELED.
  ZT_EXPECT_STATUS(ZX_ERR_CANCELED, zx_interrupt_bind(irq, port, 0, ZX_INTERRUPT_UNBIND));
  zx_handle_close(irq);
  zx_handle_close(port);
}

ZT_TEST(closing_the_last_handle_destroys) {
  zx_handle_t irq = make_virtual(), port = make_irq_port();
  ZT_ASSERT(irq != ZX_HANDLE_INVALID && port != ZX_HANDLE_INVALID);
  ZT_ASSERT_OK(zx_interrupt_bind(irq, port, 1, ZX_INTERRUPT_BIND));
  ZT_EXPECT_OK(zx_interrupt_trigger(irq, 0, 1));
  ZT_EXPECT_OK(zx_handle_close(irq));
  zx_port_packet_t packet;
  ZT_EXPECT_STATUS(ZX_ERR_TIMED_OUT, zx_port_wait(port, ZX_TIME_INFINITE_PAST, &packet));
  zx_handle_close(port);
}

// ======= Physical interrupts on host interrupt lines =======

static zx_handle_t make_physical(uint32_t line) {
  zx_handle_t irq = ZX_HANDLE_INVALID;
  if (zx_interrupt_create(get_root_resource(), line, 0, &irq) != ZX_OK) return ZX_HANDLE_INVALID;
  return irq;
}

static void write_eventfd(void* arg) {
  uint32_t line = *(uint32_t*)arg;
  int fd = -1;
  if (zx_platform_interrupt_line_eventfd(line, &fd) != ZX_OK) return;
  uint64_t one = 1;
  ssize_t written = write(fd, &one, sizeof(one));
  (void)written;
}

static void raise_line(void* arg) { zx_platform_interrupt_line_raise(*(uint32_t*)arg); }

ZT_TEST(physical_create_and_errors) {
  uint32_t line = 40;
  zx_handle_t irq = make_physical(line);
  ZT_ASSERT(irq != ZX_HANDLE_INVALID);
  zx_info_handle_basic_t info = zt_basic_info(irq);
  ZT_EXPECT_EQ(ZX_OBJ_TYPE_INTERRUPT, info.type);
  ZT_EXPECT_EQ(ZX_DEFAULT_INTERRUPT_RIGHTS, info.rights);
  // Software triggers are for virtual interrupts only.
  ZT_EXPECT_STATUS(ZX_ERR_BAD_STATE, zx_interrupt_trigger(irq, 0, 1));
  zx_handle_close(irq);

  zx_handle_t event;
  ZT_ASSERT_OK(zx_event_create(0, &event));
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE, zx_interrupt_create(ZX_HANDLE_INVALID, line, 0, &irq));
  ZT_EXPECT_STATUS(ZX_ERR_WRONG_TYPE, zx_interrupt_create(event, line, 0, &irq));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS,
                   zx_interrupt_create(get_root_resource(), ZX_PLATFORM_INTERRUPT_LINE_COUNT, 0, &irq));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_interrupt_create(get_root_resource(), line, 0x20, &irq));
  zx_handle_close(event);

  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_platform_interrupt_line_eventfd(line, NULL));
  ZT_CHECK(zx_platform_interrupt_line_raise(ZX_PLATFORM_INTERRUPT_LINE_COUNT) != ZX_OK);
  int fd = -1;
  ZT_CHECK(zx_platform_interrupt_line_eventfd(ZX_PLATFORM_INTERRUPT_LINE_COUNT, &fd) != ZX_OK);
  ZT_EXPECT_OK(zx_platform_interrupt_line_eventfd(line, &fd));
  ZT_CHECK(fd >= 0);
}

ZT_TEST(physical_wait_wakes_on_eventfd_write_from_another_thread) {
  uint32_t line = 41;
  zx_handle_t irq = make_physical(line);
  ZT_ASSERT(irq != ZX_HANDLE_INVALID);
  zx_time_t before = zx_clock_get_monotonic();
  zt_thread_t t;
  ZT_ASSERT(zt_thread_start(&t, ZX_MSEC(30), write_eventfd, &line) == 0);
  zx_time_t timestamp = 0;
  ZT_EXPECT_OK(zx_interrupt_wait(irq, &timestamp));
  zt_thread_join(&t);
  // Hardware-style timestamp: the monotonic time of the raise.
  ZT_CHECK(timestamp >= before);
  ZT_CHECK(timestamp <= zx_clock_get_monotonic());
  zx_handle_close(irq);
}

ZT_TEST(physical_wait_wakes_on_platform_raise) {
  uint32_t line = 42;
  zx_handle_t irq = make_physical(line);
  ZT_ASSERT(irq != ZX_HANDLE_INVALID);
  zt_thread_t t;
  ZT_ASSERT(zt_thread_start(&t, ZX_MSEC(30), raise_line, &line) == 0);
  ZT_EXPECT_OK(zx_interrupt_wait(irq, NULL));
  zt_thread_join(&t);
  // Destroy wakes a blocked waiter on a physical interrupt too.
  struct irq_waiter w = {irq, 12345, 0};
  ZT_ASSERT(zt_thread_start(&t, 0, wait_on_interrupt, &w) == 0);
  zx_nanosleep(zx_deadline_after(ZX_MSEC(50)));
  ZT_EXPECT_OK(zx_interrupt_destroy(irq));
  zt_thread_join(&t);
  ZT_EXPECT_STATUS(ZX_ERR_CANCELED, w.status);
  zx_handle_close(irq);
}

ZT_TEST(physical_bound_to_port_delivers_packets) {
  uint32_t line = 43;
  zx_handle_t irq = make_physical(line), port = make_irq_port();
  ZT_ASSERT(irq != ZX_HANDLE_INVALID && port != ZX_HANDLE_INVALID);
  ZT_ASSERT_OK(zx_interrupt_bind(irq, port, 0xabc, ZX_INTERRUPT_BIND));
  for (int round = 0; round < 3; round++) {
    zt_thread_t t;
    ZT_ASSERT(zt_thread_start(&t, ZX_MSEC(10), round % 2 ? raise_line : write_eventfd, &line) == 0);
    zx_port_packet_t packet;
    memset(&packet, 0x5A, sizeof(packet));
    ZT_EXPECT_OK(zx_port_wait(port, zx_deadline_after(ZX_SEC(10)), &packet));
    zt_thread_join(&t);
    ZT_EXPECT_EQ(0xabc, packet.key);
    ZT_EXPECT_EQ(ZX_PKT_TYPE_INTERRUPT, packet.type);
    ZT_EXPECT_OK(packet.status);
    ZT_CHECK(packet.interrupt.timestamp > 0);
    ZT_EXPECT_OK(zx_interrupt_ack(irq));
  }
  zx_handle_close(irq);
  zx_handle_close(port);
}

int main(void) {
  ZT_RUN(create_virtual);
  ZT_RUN(bind_port_trigger_ack_sequence);
  ZT_RUN(bind_errors);
  ZT_RUN(bind_an_already_triggered_interrupt_delivers_at_once);
  ZT_RUN(trigger_and_ack_errors);
  ZT_RUN(wait_returns_a_pending_trigger_at_once);
  ZT_RUN(wait_wakes_on_trigger_from_another_thread);
  ZT_RUN(destroy_wakes_a_waiter_with_canceled);
  ZT_RUN(destroy_removes_a_queued_packet);
  ZT_RUN(closing_the_last_handle_destroys);
  ZT_RUN(physical_create_and_errors);
  ZT_RUN(physical_wait_wakes_on_eventfd_write_from_another_thread);
  ZT_RUN(physical_wait_wakes_on_platform_raise);
  ZT_RUN(physical_bound_to_port_delivers_packets);
  return zt_finish("interrupts");
}
