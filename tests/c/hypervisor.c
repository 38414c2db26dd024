// A guest through libzircon.so (docs/semantics.md §6-8): the layout of Zircon's hypervisor tests (identity page
// tables, code at GUEST_ENTRY, a MEM trap at EXIT_TEST_ADDR), run a VCPU to a MEM exit and an IO
// exit, and check state access and argument errors. The page tables map with 2 MiB pages rather
// than Zircon's one 1 GiB page, which faults on some KVM hosts (docs/semantics.md §8.4, §10). Skipped, visibly, where the host has no KVM
// (zx_guest_create answers ZX_ERR_NOT_SUPPORTED).

#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/hypervisor.h>
#include <zircon/syscalls/port.h>

#include "ztest.h"
#include "zthread.h"

#define VMO_SIZE 0x1000000u
#define GUEST_ENTRY 0x2000u
#define EXIT_TEST_ADDR 0xFFF000u
#define TRAP_PORT 0x11u

typedef struct guest {
  zx_handle_t guest;
  zx_handle_t vmar;
  zx_handle_t vmo;
  zx_vaddr_t host;  // the VMO mapped into this process
  zx_handle_t vcpu;
} guest_t;

static void guest_close(guest_t* g) {
  if (g->host) zx_vmar_unmap(zx_vmar_root_self(), g->host, VMO_SIZE);
  zx_handle_t all[] = {g->vcpu, g->vmo, g->vmar, g->guest};
  zx_handle_close_many(all, 4);
  memset(g, 0, sizeof(*g));
}

// Sets up memory and the exit trap and copies `code` to GUEST_ENTRY. Returns ZX_OK, or the first
// failing status (ZX_ERR_NOT_SUPPORTED: no KVM).
static zx_status_t guest_setup(guest_t* g, const uint8_t* code, size_t code_len) {
  memset(g, 0, sizeof(*g));
  zx_status_t status = zx_guest_create(get_root_resource(), 0, &g->guest, &g->vmar);
  if (status != ZX_OK) return status;
  zx_handle_t vmo;
  if ((status = zx_vmo_create(VMO_SIZE, 0, &vmo)) != ZX_OK) return status;
  if ((status = zx_vmo_replace_as_executable(vmo, get_root_resource(), &g->vmo)) != ZX_OK) return status;
  if ((status = zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, g->vmo, 0,
                            VMO_SIZE, &g->host)) != ZX_OK)
    return status;
  zx_vaddr_t guest_addr = 1;
  if ((status = zx_vmar_map(g->vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE | ZX_VM_SPECIFIC,
                            0, g->vmo, 0, VMO_SIZE, &guest_addr)) != ZX_OK)
    return status;
  if (guest_addr != 0) return ZX_ERR_INTERNAL;
  // PML4[0] -> PDPT at 0x1000 -> PD at 0x10000 -> 512 identity 2 MiB pages (the first 1 GiB).
  uint64_t* pml4 = (uint64_t*)(uintptr_t)g->host;
  uint64_t* pdpt = (uint64_t*)(uintptr_t)(g->host + 0x1000);
  uint64_t* pd = (uint64_t*)(uintptr_t)(g->host + 0x10000);
  pml4[0] = 0x1000 | 0x7;
  pdpt[0] = 0x10000 | 0x7;
  for (uint64_t i = 0; i < 512; i++) pd[i] = (i << 21) | 0x87;
  memcpy((void*)(uintptr_t)(g->host + GUEST_ENTRY), code, code_len);
  if ((status = zx_guest_set_trap(g->guest, ZX_GUEST_TRAP_MEM, EXIT_TEST_ADDR, ZX_PAGE_SIZE,
                                  ZX_HANDLE_INVALID, 0)) != ZX_OK)
    return status;
  return zx_vcpu_create(g->guest, 0, GUEST_ENTRY, &g->vcpu);
}

// mov $0x1234, %rax ; movq $0, (EXIT_TEST_ADDR)
static const uint8_t kMovAndExit[] = {
    0x48, 0xC7, 0xC0, 0x34, 0x12, 0x00, 0x00,
    0x48, 0xC7, 0x04, 0x25, 0x00, 0xF0, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00,
};

// mov $0xAB, %al ; out %al, $TRAP_PORT ; movq $0, (EXIT_TEST_ADDR)
static const uint8_t kOutAndExit[] = {
    0xB0, 0xAB, 0xE6, TRAP_PORT,
    0x48, 0xC7, 0x04, 0x25, 0x00, 0xF0, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00,
};

#define SKIP_WITHOUT_KVM(status)                                                \
  do {                                                                          \
    if ((status) == ZX_ERR_NOT_SUPPORTED)                                       \
      ZT_SKIP("no KVM on this host (zx_guest_create: ZX_ERR_NOT_SUPPORTED)");   \
  } while (0)

ZT_TEST(guest_create_rights_and_errors) {
  zx_handle_t guest, vmar;
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_guest_create(get_root_resource(), 1, &guest, &vmar));
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE, zx_guest_create(0x10000001u, 0, &guest, &vmar));
  zx_status_t status = zx_guest_create(get_root_resource(), 0, &guest, &vmar);
  SKIP_WITHOUT_KVM(status);
  ZT_ASSERT_OK(status);
  ZT_EXPECT_EQ(ZX_OBJ_TYPE_GUEST, zt_basic_info(guest).type);
  ZT_EXPECT_EQ(ZX_DEFAULT_GUEST_RIGHTS, zt_basic_info(guest).rights);
  ZT_EXPECT_EQ(ZX_OBJ_TYPE_VMAR, zt_basic_info(vmar).type);
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS,
                   zx_guest_set_trap(guest, ZX_GUEST_TRAP_MEM, EXIT_TEST_ADDR, 0, ZX_HANDLE_INVALID, 0));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS,
                   zx_guest_set_trap(guest, ZX_GUEST_TRAP_BELL, EXIT_TEST_ADDR, ZX_PAGE_SIZE, ZX_HANDLE_INVALID, 0));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_vcpu_create(guest, 1, GUEST_ENTRY, &vmar));
  zx_handle_close(vmar);
  zx_handle_close(guest);
  // NULL outputs: nothing is left behind.
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_guest_create(get_root_resource(), 0, &guest, NULL));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_guest_create(get_root_resource(), 0, NULL, &vmar));
}

ZT_TEST(vcpu_runs_to_a_mem_trap_exit) {
  guest_t g;
  zx_status_t status = guest_setup(&g, kMovAndExit, sizeof(kMovAndExit));
  SKIP_WITHOUT_KVM(status);
  ZT_EXPECT_OK(status);
  if (status != ZX_OK) {
    guest_close(&g);
    return;
  }
  ZT_EXPECT_EQ(ZX_OBJ_TYPE_VCPU, zt_basic_info(g.vcpu).type);
  ZT_EXPECT_EQ(ZX_DEFAULT_VCPU_RIGHTS, zt_basic_info(g.vcpu).rights);

  zx_port_packet_t packet;
  memset(&packet, 0x5A, sizeof(packet));
  ZT_EXPECT_OK(zx_vcpu_resume(g.vcpu, &packet));
  ZT_EXPECT_EQ(0, packet.key);
  ZT_EXPECT_EQ(ZX_PKT_TYPE_GUEST_MEM, packet.type);
  ZT_EXPECT_OK(packet.status);
  ZT_EXPECT_EQ(EXIT_TEST_ADDR, packet.guest_mem.addr);
  ZT_EXPECT_EQ(12, packet.guest_mem.inst_len);
  ZT_CHECK(memcmp(packet.guest_mem.inst_buf, kMovAndExit + 7, 12) == 0);
  ZT_EXPECT_EQ(4, packet.guest_mem.default_operand_size);

  zx_vcpu_state_t state;
  memset(&state, 0xFF, sizeof(state));
  ZT_EXPECT_OK(zx_vcpu_read_state(g.vcpu, ZX_VCPU_STATE, &state, sizeof(state)));
  ZT_EXPECT_EQ(0x1234, state.rax);
  // Only the user flags are reported.
  ZT_EXPECT_EQ(0, state.rflags & ~0x244DD5ull);

  // State access errors.
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_vcpu_read_state(g.vcpu, ZX_VCPU_STATE, &state, sizeof(state) - 1));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_vcpu_read_state(g.vcpu, ZX_VCPU_IO, &state, sizeof(zx_vcpu_io_t)));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_vcpu_read_state(g.vcpu, ZX_VCPU_STATE, NULL, sizeof(state)));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_vcpu_read_state(g.vcpu, ZX_VCPU_STATE, &state, SIZE_MAX));
  zx_vcpu_io_t io;
  memset(&io, 0, sizeof(io));
  io.access_size = 3;
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_vcpu_write_state(g.vcpu, ZX_VCPU_IO, &io, sizeof(io)));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_vcpu_resume(g.vcpu, NULL));
  ZT_EXPECT_STATUS(ZX_ERR_OUT_OF_RANGE, zx_vcpu_interrupt(g.vcpu, 256));
  ZT_EXPECT_OK(zx_vcpu_interrupt(g.vcpu, 32));
  guest_close(&g);
}

struct other_thread {
  zx_handle_t vcpu;
  zx_status_t resume;
  zx_status_t read;
};

static void use_from_other_thread(void* arg) {
  struct other_thread* o = (struct other_thread*)arg;
  zx_port_packet_t packet;
  zx_vcpu_state_t state;
  o->resume = zx_vcpu_resume(o->vcpu, &packet);
  o->read = zx_vcpu_read_state(o->vcpu, ZX_VCPU_STATE, &state, sizeof(state));
}

ZT_TEST(vcpu_io_exit_and_thread_affinity) {
  guest_t g;
  zx_status_t status = guest_setup(&g, kOutAndExit, sizeof(kOutAndExit));
  SKIP_WITHOUT_KVM(status);
  ZT_EXPECT_OK(status);
  if (status != ZX_OK) {
    guest_close(&g);
    return;
  }
  ZT_EXPECT_OK(zx_guest_set_trap(g.guest, ZX_GUEST_TRAP_IO, TRAP_PORT, 1, ZX_HANDLE_INVALID, 0x77));

  // Only the creating thread may resume the VCPU or touch its state.
  struct other_thread o = {g.vcpu, 12345, 12345};
  zt_thread_t t;
  ZT_ASSERT(zt_thread_start(&t, 0, use_from_other_thread, &o) == 0);
  zt_thread_join(&t);
  ZT_EXPECT_STATUS(ZX_ERR_BAD_STATE, o.resume);
  ZT_EXPECT_STATUS(ZX_ERR_BAD_STATE, o.read);

  zx_port_packet_t packet;
  memset(&packet, 0x5A, sizeof(packet));
  ZT_EXPECT_OK(zx_vcpu_resume(g.vcpu, &packet));
  ZT_EXPECT_EQ(0x77, packet.key);
  ZT_EXPECT_EQ(ZX_PKT_TYPE_GUEST_IO, packet.type);
  ZT_EXPECT_EQ(TRAP_PORT, packet.guest_io.port);
  ZT_EXPECT_EQ(1, packet.guest_io.access_size);
  ZT_CHECK(!packet.guest_io.input);
  ZT_EXPECT_EQ(0xAB, packet.guest_io.u8);

  memset(&packet, 0x5A, sizeof(packet));
  ZT_EXPECT_OK(zx_vcpu_resume(g.vcpu, &packet));
  ZT_EXPECT_EQ(ZX_PKT_TYPE_GUEST_MEM, packet.type);
  ZT_EXPECT_EQ(EXIT_TEST_ADDR, packet.guest_mem.addr);
  guest_close(&g);
}

ZT_TEST(vcpu_kick_cancels_the_next_resume_and_enter_is_resume) {
  guest_t g;
  zx_status_t status = guest_setup(&g, kMovAndExit, sizeof(kMovAndExit));
  SKIP_WITHOUT_KVM(status);
  ZT_EXPECT_OK(status);
  if (status != ZX_OK) {
    guest_close(&g);
    return;
  }
  zx_port_packet_t packet;
  ZT_EXPECT_OK(zx_vcpu_kick(g.vcpu));
  ZT_EXPECT_STATUS(ZX_ERR_CANCELED, zx_vcpu_resume(g.vcpu, &packet));
  memset(&packet, 0x5A, sizeof(packet));
  ZT_EXPECT_OK(zx_vcpu_enter(g.vcpu, &packet));
  ZT_EXPECT_EQ(ZX_PKT_TYPE_GUEST_MEM, packet.type);
  ZT_EXPECT_EQ(EXIT_TEST_ADDR, packet.guest_mem.addr);
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_vcpu_enter(g.vcpu, NULL));
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE, zx_vcpu_kick(0x10000001u));
  guest_close(&g);
}

// Project decisions, zx_interrupt_bind_vcpu: virtual → NOT_SUPPORTED; rebinding the same VCPU is
// OK; options must be 0; once bound to a VCPU, wait is BAD_STATE and binding a port ALREADY_BOUND.
ZT_TEST(interrupt_bind_vcpu_rules) {
  guest_t g;
  zx_status_t status = guest_setup(&g, kMovAndExit, sizeof(kMovAndExit));
  SKIP_WITHOUT_KVM(status);
  ZT_EXPECT_OK(status);
  if (status != ZX_OK) {
    guest_close(&g);
    return;
  }
  zx_handle_t virt, phys, port;
  ZT_ASSERT_OK(zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL, &virt));
  ZT_ASSERT_OK(zx_interrupt_create(get_root_resource(), 60, 0, &phys));
  ZT_ASSERT_OK(zx_port_create(ZX_PORT_BIND_TO_INTERRUPT, &port));
  ZT_EXPECT_STATUS(ZX_ERR_NOT_SUPPORTED, zx_interrupt_bind_vcpu(virt, g.vcpu, 0));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_interrupt_bind_vcpu(phys, g.vcpu, 1));
  ZT_EXPECT_OK(zx_interrupt_bind_vcpu(phys, g.vcpu, 0));
  ZT_EXPECT_OK(zx_interrupt_bind_vcpu(phys, g.vcpu, 0));
  ZT_EXPECT_STATUS(ZX_ERR_BAD_STATE, zx_interrupt_wait(phys, NULL));
  ZT_EXPECT_STATUS(ZX_ERR_ALREADY_BOUND, zx_interrupt_bind(phys, port, 1, ZX_INTERRUPT_BIND));
  ZT_EXPECT_STATUS(ZX_ERR_NOT_FOUND, zx_interrupt_bind(phys, port, 0, ZX_INTERRUPT_UNBIND));
  zx_handle_t all[] = {virt, phys, port};
  zx_handle_close_many(all, 3);
  guest_close(&g);
}

// Project extension: declared processors (docs/decisions.md, "Multi-processor guests").
ZT_TEST(guest_declare_processors) {
  uint32_t max = 0;
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE, zx_guest_declare_processors(0x10000001u, 2));
  ZT_EXPECT_STATUS(ZX_ERR_BAD_HANDLE, zx_guest_max_processors(0x10000001u, &max));
  zx_handle_t guest, vmar;
  zx_status_t status = zx_guest_create(get_root_resource(), 0, &guest, &vmar);
  SKIP_WITHOUT_KVM(status);
  ZT_ASSERT_OK(status);
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_guest_max_processors(guest, NULL));
  ZT_EXPECT_STATUS(ZX_ERR_INVALID_ARGS, zx_guest_max_processors(guest, (uint32_t*)8));
  ZT_EXPECT_OK(zx_guest_max_processors(guest, &max));
  ZT_EXPECT_EQ(1, max >= 1 && max <= 64);
  ZT_EXPECT_STATUS(ZX_ERR_OUT_OF_RANGE, zx_guest_declare_processors(guest, 0));
  ZT_EXPECT_STATUS(ZX_ERR_OUT_OF_RANGE, zx_guest_declare_processors(guest, 65));
  ZT_EXPECT_OK(zx_guest_declare_processors(guest, 2));
  ZT_EXPECT_STATUS(ZX_ERR_BAD_STATE, zx_guest_declare_processors(guest, 2));
  zx_handle_close(vmar);
  zx_handle_close(guest);
}

int main(void) {
  ZT_RUN(guest_create_rights_and_errors);
  ZT_RUN(vcpu_runs_to_a_mem_trap_exit);
  ZT_RUN(vcpu_io_exit_and_thread_affinity);
  ZT_RUN(vcpu_kick_cancels_the_next_resume_and_enter_is_resume);
  ZT_RUN(interrupt_bind_vcpu_rules);
  ZT_RUN(guest_declare_processors);
  return zt_finish("hypervisor");
}
