// Bad user pointers (issue 8 item 3): every pointer argument of every exported syscall, given an
// unmapped address, a PROT_NONE page, a read-only page (outputs), a kernel address, and a buffer
// that runs into a PROT_NONE page, answers ZX_ERR_INVALID_ARGS as Zircon does, and the process
// lives on. Calls that consume something (a port packet, an interrupt) lose nothing to a bad
// output pointer. Guest and VCPU calls need KVM and are skipped, visibly, without it.

#define _DEFAULT_SOURCE
#include <sys/mman.h>

#include <zircon/platform/interrupt_lines.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/hypervisor.h>
#include <zircon/syscalls/port.h>

#include "ztest.h"

#define PAGE 4096u

enum { BAD_UNMAPPED, BAD_PROT_NONE, BAD_READ_ONLY, BAD_KERNEL, BAD_STRADDLE, BAD_KINDS };
static const char* const kBadNames[BAD_KINDS] = {"unmapped", "PROT_NONE", "read-only", "kernel",
                                                 "straddling"};
static void* bad[BAD_KINDS];

// A page of each kind. The unmapped address is below vm.mmap_min_addr (64 KiB), where nothing
// can ever be mapped (a hole left by munmap would soon be reused by the runtime's allocations).
// The straddling pointer leaves 2 bytes of a writable page before a PROT_NONE one, so every
// object crosses into the guard.
static int make_bad_pointers(void) {
  char* area = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (area == MAP_FAILED) return -1;
  char* unmapped = (char*)(uintptr_t)0x1000;
  if (mprotect(area, PAGE, PROT_NONE) != 0) return -1;
  if (mprotect(area + PAGE, PAGE, PROT_READ) != 0) return -1;
  if (mprotect(area + 3 * PAGE, PAGE, PROT_NONE) != 0) return -1;
  bad[BAD_UNMAPPED] = unmapped;
  bad[BAD_PROT_NONE] = area;
  bad[BAD_READ_ONLY] = area + PAGE;
  bad[BAD_KERNEL] = (void*)(uintptr_t)0xffff800000000000ull;
  bad[BAD_STRADDLE] = area + 3 * PAGE - 2;
  return 0;
}

// Runs `call` (which uses the pointer `p`) for every bad kind that matters for an output (all)
// or an input (all but read-only, which is readable).
#define FOR_BAD_OUTPUTS(k) for (int k = 0; k < BAD_KINDS; k++)
#define FOR_BAD_INPUTS(k) \
  for (int k = 0; k < BAD_KINDS; k++) \
    if (k != BAD_READ_ONLY)

#define EXPECT_INVALID(kind, call)                                                       \
  do {                                                                                   \
    zx_status_t s_ = (call);                                                             \
    if (s_ != ZX_ERR_INVALID_ARGS) {                                                     \
      zt_fail_header(__FILE__, __LINE__);                                                \
      fprintf(stderr, "%s with a %s pointer: expected ZX_ERR_INVALID_ARGS, got %s\n",     \
              #call, kBadNames[kind], zt_status_name(s_));                               \
    } else {                                                                             \
      zt_passed++;                                                                       \
    }                                                                                    \
  } while (0)

static zx_handle_t event(void) {
  zx_handle_t h = ZX_HANDLE_INVALID;
  zx_event_create(0, &h);
  return h;
}

ZT_TEST(handle_calls) {
  zx_handle_t ev = event();
  ZT_ASSERT(ev != ZX_HANDLE_INVALID);
  FOR_BAD_INPUTS(k) EXPECT_INVALID(k, zx_handle_close_many((const zx_handle_t*)bad[k], 2));
  FOR_BAD_OUTPUTS(k) EXPECT_INVALID(k, zx_handle_duplicate(ev, ZX_RIGHT_SAME_RIGHTS, (zx_handle_t*)bad[k]));
  FOR_BAD_OUTPUTS(k) {
    zx_handle_t victim = event();
    EXPECT_INVALID(k, zx_handle_replace(victim, ZX_RIGHT_SAME_RIGHTS, (zx_handle_t*)bad[k]));
  }
  FOR_BAD_OUTPUTS(k) EXPECT_INVALID(k, zx_event_create(0, (zx_handle_t*)bad[k]));
  ZT_EXPECT_OK(zx_handle_close(ev));
}

ZT_TEST(object_calls) {
  zx_handle_t ev = event();
  ZT_ASSERT(ev != ZX_HANDLE_INVALID);
  zx_info_handle_basic_t info;
  size_t actual, avail;
  FOR_BAD_OUTPUTS(k) {
    EXPECT_INVALID(k, zx_object_get_info(ev, ZX_INFO_HANDLE_BASIC, bad[k], sizeof(info), NULL, NULL));
    EXPECT_INVALID(k, zx_object_get_info(ev, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), (size_t*)bad[k], &avail));
    EXPECT_INVALID(k, zx_object_get_info(ev, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), &actual, (size_t*)bad[k]));
    // observed is written on OK (signalled) and on TIMED_OUT.
    EXPECT_INVALID(k, zx_object_wait_one(ev, ZX_USER_SIGNAL_0, 0, (zx_signals_t*)bad[k]));
  }
  ZT_EXPECT_OK(zx_object_signal(ev, 0, ZX_USER_SIGNAL_0));
  FOR_BAD_OUTPUTS(k) EXPECT_INVALID(k, zx_object_wait_one(ev, ZX_USER_SIGNAL_0, 0, (zx_signals_t*)bad[k]));
  // A good pointer still works afterwards.
  ZT_EXPECT_OK(zx_object_get_info(ev, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), &actual, &avail));
  ZT_EXPECT_EQ(1, actual);
  ZT_EXPECT_OK(zx_handle_close(ev));
}

ZT_TEST(port_calls) {
  zx_handle_t port;
  FOR_BAD_OUTPUTS(k) EXPECT_INVALID(k, zx_port_create(0, (zx_handle_t*)bad[k]));
  ZT_ASSERT_OK(zx_port_create(0, &port));
  FOR_BAD_INPUTS(k) EXPECT_INVALID(k, zx_port_queue(port, (const zx_port_packet_t*)bad[k]));
  // A read-only packet can be queued.
  zx_port_packet_t* ro = (zx_port_packet_t*)bad[BAD_READ_ONLY];
  ZT_EXPECT_OK(zx_port_queue(port, ro));
  zx_port_packet_t out;
  ZT_EXPECT_OK(zx_port_wait(port, 0, &out));

  zx_port_packet_t packet = {.key = 77, .type = ZX_PKT_TYPE_USER};
  ZT_ASSERT_OK(zx_port_queue(port, &packet));
  FOR_BAD_OUTPUTS(k) EXPECT_INVALID(k, zx_port_wait(port, 0, (zx_port_packet_t*)bad[k]));
  // Nothing was lost to the bad pointers.
  ZT_EXPECT_OK(zx_port_wait(port, 0, &out));
  ZT_EXPECT_EQ(77, out.key);
  ZT_EXPECT_OK(zx_handle_close(port));
}

ZT_TEST(interrupt_calls) {
  FOR_BAD_OUTPUTS(k)
  EXPECT_INVALID(k, zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL, (zx_handle_t*)bad[k]));
  zx_handle_t irq;
  ZT_ASSERT_OK(zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL, &irq));
  ZT_ASSERT_OK(zx_interrupt_trigger(irq, 0, 4242));
  FOR_BAD_OUTPUTS(k) EXPECT_INVALID(k, zx_interrupt_wait(irq, (zx_time_t*)bad[k]));
  // The interrupt was not consumed by the failed waits.
  zx_time_t ts = 0;
  ZT_EXPECT_OK(zx_interrupt_wait(irq, &ts));
  ZT_EXPECT_EQ(4242, ts);
  ZT_EXPECT_OK(zx_handle_close(irq));
  FOR_BAD_OUTPUTS(k) EXPECT_INVALID(k, zx_platform_interrupt_line_eventfd(3, (int*)bad[k]));
}

ZT_TEST(memory_calls) {
  FOR_BAD_OUTPUTS(k) EXPECT_INVALID(k, zx_vmo_create(PAGE, 0, (zx_handle_t*)bad[k]));
  zx_handle_t vmo;
  ZT_ASSERT_OK(zx_vmo_create(4 * PAGE, 0, &vmo));
  FOR_BAD_OUTPUTS(k) EXPECT_INVALID(k, zx_vmo_read(vmo, bad[k], 0, 64));
  FOR_BAD_INPUTS(k) EXPECT_INVALID(k, zx_vmo_write(vmo, bad[k], 0, 64));
  ZT_EXPECT_OK(zx_vmo_write(vmo, bad[BAD_READ_ONLY], 0, 64));
  FOR_BAD_OUTPUTS(k) EXPECT_INVALID(k, zx_vmo_get_size(vmo, (uint64_t*)bad[k]));
  FOR_BAD_OUTPUTS(k) {
    EXPECT_INVALID(k, zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ, 0, vmo, 0, PAGE, (zx_vaddr_t*)bad[k]));
  }
  FOR_BAD_OUTPUTS(k) {
    zx_handle_t victim;
    ZT_ASSERT_OK(zx_vmo_create(PAGE, 0, &victim));
    EXPECT_INVALID(k, zx_vmo_replace_as_executable(victim, ZX_HANDLE_INVALID, (zx_handle_t*)bad[k]));
  }
  ZT_EXPECT_OK(zx_handle_close(vmo));
}

ZT_TEST(hypervisor_calls) {
  zx_handle_t guest = ZX_HANDLE_INVALID, vmar = ZX_HANDLE_INVALID;
  zx_status_t status = zx_guest_create(get_root_resource(), 0, &guest, &vmar);
  if (status == ZX_ERR_NOT_SUPPORTED) ZT_SKIP("no KVM on this host (zx_guest_create: ZX_ERR_NOT_SUPPORTED)");
  ZT_ASSERT_OK(status);
  const zx_handle_t guest_before = guest, vmar_before = vmar;
  FOR_BAD_OUTPUTS(k) {
    EXPECT_INVALID(k, zx_guest_create(get_root_resource(), 0, (zx_handle_t*)bad[k], &vmar));
    EXPECT_INVALID(k, zx_guest_create(get_root_resource(), 0, &guest, (zx_handle_t*)bad[k]));
  }
  // A refused call writes neither output: the good one still holds the caller's handle.
  ZT_EXPECT_EQ(guest_before, guest);
  ZT_EXPECT_EQ(vmar_before, vmar);
  FOR_BAD_OUTPUTS(k) EXPECT_INVALID(k, zx_vcpu_create(guest, 0, 0x1000, (zx_handle_t*)bad[k]));
  zx_handle_t vcpu;
  ZT_ASSERT_OK(zx_vcpu_create(guest, 0, 0x1000, &vcpu));
  FOR_BAD_OUTPUTS(k) {
    EXPECT_INVALID(k, zx_vcpu_resume(vcpu, (zx_port_packet_t*)bad[k]));
    EXPECT_INVALID(k, zx_vcpu_enter(vcpu, (zx_port_packet_t*)bad[k]));
    EXPECT_INVALID(k, zx_vcpu_read_state(vcpu, ZX_VCPU_STATE, bad[k], sizeof(zx_vcpu_state_t)));
  }
  FOR_BAD_INPUTS(k) EXPECT_INVALID(k, zx_vcpu_write_state(vcpu, ZX_VCPU_STATE, bad[k], sizeof(zx_vcpu_state_t)));
  zx_handle_t all[] = {vcpu, vmar, guest};
  ZT_EXPECT_OK(zx_handle_close_many(all, 3));
}

int main(void) {
  if (make_bad_pointers() != 0) {
    perror("mmap");
    return 1;
  }
  ZT_RUN(handle_calls);
  ZT_RUN(object_calls);
  ZT_RUN(port_calls);
  ZT_RUN(interrupt_calls);
  ZT_RUN(memory_calls);
  ZT_RUN(hypervisor_calls);
  return zt_finish("bad_pointers");
}
