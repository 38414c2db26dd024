// Layout and constant checks of the C headers against the numbers of
// docs/semantics.md (§1-5, 7.5, 9), which the managed structs in src/Zircon.Abi
// also follow. Everything here is checked at compile time; main() only reports the count.
// The cross-check against the managed side is behavioural: packets and records built by the C#
// kernel are read through these C structs field by field in ports.c (user and signal packets),
// interrupts.c (interrupt packets), handles.c (zx_info_handle_basic_t, zx_info_vmar_t) and
// hypervisor.c (guest_mem / guest_io packets, zx_vcpu_state_t).

#include <stddef.h>
#include <stdio.h>

#include <zircon/process.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/hypervisor.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/port.h>
#include <zircon/syscalls/resource.h>
#include <zircon/types.h>

static int checks;

// A compile-time check that is also counted.
#define LAYOUT(expr)                  \
  do {                                \
    _Static_assert(expr, #expr);      \
    checks++;                         \
  } while (0)

#define SIZE(type, n) LAYOUT(sizeof(type) == (n))
#define OFF(type, member, n) LAYOUT(offsetof(type, member) == (n))

static void scalar_types(void) {
  SIZE(zx_handle_t, 4);
  SIZE(zx_status_t, 4);
  LAYOUT((zx_status_t)-1 < 0);
  SIZE(zx_rights_t, 4);
  SIZE(zx_signals_t, 4);
  SIZE(zx_koid_t, 8);
  SIZE(zx_time_t, 8);
  LAYOUT((zx_time_t)-1 < 0);
  SIZE(zx_duration_t, 8);
  SIZE(zx_vaddr_t, 8);
  SIZE(zx_paddr_t, 8);
  SIZE(zx_gpaddr_t, 8);
  SIZE(zx_off_t, 8);
  SIZE(zx_vm_option_t, 4);
  SIZE(zx_obj_type_t, 4);
  SIZE(zx_rsrc_kind_t, 4);
  SIZE(zx_guest_trap_t, 4);
  SIZE(zx_vcpu_t, 4);
  SIZE(size_t, 8);
}

static void port_packet(void) {
  SIZE(zx_port_packet_t, 48);
  LAYOUT(_Alignof(zx_port_packet_t) == 8);
  OFF(zx_port_packet_t, key, 0);
  OFF(zx_port_packet_t, type, 8);
  OFF(zx_port_packet_t, status, 12);
  OFF(zx_port_packet_t, user, 16);
  OFF(zx_port_packet_t, signal, 16);
  OFF(zx_port_packet_t, guest_bell, 16);
  OFF(zx_port_packet_t, guest_mem, 16);
  OFF(zx_port_packet_t, guest_io, 16);
  OFF(zx_port_packet_t, guest_vcpu, 16);
  OFF(zx_port_packet_t, interrupt, 16);
  OFF(zx_port_packet_t, page_request, 16);

  // Every union member is exactly 32 bytes.
  SIZE(zx_packet_user_t, 32);
  SIZE(zx_packet_signal_t, 32);
  SIZE(zx_packet_guest_bell_t, 32);
  SIZE(zx_packet_guest_mem_t, 32);
  SIZE(zx_packet_guest_io_t, 32);
  SIZE(zx_packet_guest_vcpu_t, 32);
  SIZE(zx_packet_interrupt_t, 32);
  SIZE(zx_packet_page_request_t, 32);

  // user
  OFF(zx_packet_user_t, u64, 0);
  OFF(zx_packet_user_t, u32, 0);
  OFF(zx_packet_user_t, u16, 0);
  OFF(zx_packet_user_t, c8, 0);
  LAYOUT(sizeof(((zx_packet_user_t*)0)->u64) == 32);
  LAYOUT(sizeof(((zx_packet_user_t*)0)->u32) == 32);
  LAYOUT(sizeof(((zx_packet_user_t*)0)->u16) == 32);
  LAYOUT(sizeof(((zx_packet_user_t*)0)->c8) == 32);

  // signal: offsets in the packet are 16 + these.
  OFF(zx_packet_signal_t, trigger, 0);
  OFF(zx_packet_signal_t, observed, 4);
  OFF(zx_packet_signal_t, count, 8);
  OFF(zx_packet_signal_t, timestamp, 16);
  OFF(zx_packet_signal_t, reserved1, 24);

  // guest_bell
  OFF(zx_packet_guest_bell_t, addr, 0);
  OFF(zx_packet_guest_bell_t, reserved0, 8);
  OFF(zx_packet_guest_bell_t, reserved1, 16);
  OFF(zx_packet_guest_bell_t, reserved2, 24);

  // guest_mem (x86-64)
  OFF(zx_packet_guest_mem_t, addr, 0);
  OFF(zx_packet_guest_mem_t, inst_len, 8);
  OFF(zx_packet_guest_mem_t, inst_buf, 9);
  LAYOUT(sizeof(((zx_packet_guest_mem_t*)0)->inst_buf) == 15);
  LAYOUT(X86_MAX_INST_LEN == 15);
  OFF(zx_packet_guest_mem_t, default_operand_size, 24);
  OFF(zx_packet_guest_mem_t, reserved, 25);
  LAYOUT(sizeof(((zx_packet_guest_mem_t*)0)->reserved) == 7);

  // guest_io
  OFF(zx_packet_guest_io_t, port, 0);
  OFF(zx_packet_guest_io_t, access_size, 2);
  OFF(zx_packet_guest_io_t, input, 3);
  LAYOUT(sizeof(((zx_packet_guest_io_t*)0)->input) == 1);
  OFF(zx_packet_guest_io_t, u8, 4);
  OFF(zx_packet_guest_io_t, u16, 4);
  OFF(zx_packet_guest_io_t, u32, 4);
  OFF(zx_packet_guest_io_t, data, 4);
  LAYOUT(sizeof(((zx_packet_guest_io_t*)0)->data) == 4);
  OFF(zx_packet_guest_io_t, reserved0, 8);
  OFF(zx_packet_guest_io_t, reserved1, 16);
  OFF(zx_packet_guest_io_t, reserved2, 24);

  // guest_vcpu
  OFF(zx_packet_guest_vcpu_t, interrupt, 0);
  OFF(zx_packet_guest_vcpu_t, interrupt.mask, 0);
  OFF(zx_packet_guest_vcpu_t, interrupt.vector, 8);
  OFF(zx_packet_guest_vcpu_t, interrupt.padding1, 9);
  OFF(zx_packet_guest_vcpu_t, startup, 0);
  OFF(zx_packet_guest_vcpu_t, startup.id, 0);
  OFF(zx_packet_guest_vcpu_t, startup.entry, 8);
  OFF(zx_packet_guest_vcpu_t, type, 16);
  OFF(zx_packet_guest_vcpu_t, padding1, 17);
  OFF(zx_packet_guest_vcpu_t, reserved, 24);

  // interrupt
  OFF(zx_packet_interrupt_t, timestamp, 0);
  OFF(zx_packet_interrupt_t, reserved0, 8);
  OFF(zx_packet_interrupt_t, reserved1, 16);
  OFF(zx_packet_interrupt_t, reserved2, 24);

  // page_request
  OFF(zx_packet_page_request_t, command, 0);
  OFF(zx_packet_page_request_t, flags, 2);
  OFF(zx_packet_page_request_t, reserved0, 4);
  OFF(zx_packet_page_request_t, offset, 8);
  OFF(zx_packet_page_request_t, length, 16);
  OFF(zx_packet_page_request_t, reserved1, 24);

  // The same members at their absolute packet offsets (docs/semantics.md §4.1).
  OFF(zx_port_packet_t, signal.trigger, 16);
  OFF(zx_port_packet_t, signal.observed, 20);
  OFF(zx_port_packet_t, signal.count, 24);
  OFF(zx_port_packet_t, signal.timestamp, 32);
  OFF(zx_port_packet_t, signal.reserved1, 40);
  OFF(zx_port_packet_t, guest_mem.inst_len, 24);
  OFF(zx_port_packet_t, guest_mem.inst_buf, 25);
  OFF(zx_port_packet_t, guest_mem.default_operand_size, 40);
  OFF(zx_port_packet_t, guest_mem.reserved, 41);
  OFF(zx_port_packet_t, guest_io.access_size, 18);
  OFF(zx_port_packet_t, guest_io.input, 19);
  OFF(zx_port_packet_t, guest_io.data, 20);
  OFF(zx_port_packet_t, guest_io.reserved0, 24);
  OFF(zx_port_packet_t, guest_vcpu.interrupt.vector, 24);
  OFF(zx_port_packet_t, guest_vcpu.startup.entry, 24);
  OFF(zx_port_packet_t, guest_vcpu.type, 32);
  OFF(zx_port_packet_t, guest_vcpu.reserved, 40);
  OFF(zx_port_packet_t, interrupt.timestamp, 16);
  OFF(zx_port_packet_t, page_request.offset, 24);
  OFF(zx_port_packet_t, page_request.length, 32);
}

static void object_info(void) {
  SIZE(zx_info_handle_basic_t, 32);
  OFF(zx_info_handle_basic_t, koid, 0);
  OFF(zx_info_handle_basic_t, rights, 8);
  OFF(zx_info_handle_basic_t, type, 12);
  OFF(zx_info_handle_basic_t, related_koid, 16);
  OFF(zx_info_handle_basic_t, props, 24);
  OFF(zx_info_handle_basic_t, padding1, 28);

  SIZE(zx_info_vmar_t, 16);
  OFF(zx_info_vmar_t, base, 0);
  OFF(zx_info_vmar_t, len, 8);
  SIZE(zx_info_vcpu_fault_t, 16);
  OFF(zx_info_vcpu_fault_t, reason, 0);
  OFF(zx_info_vcpu_fault_t, rip, 8);
}

static void vcpu_state(void) {
  SIZE(zx_vcpu_state_t, 136);
  OFF(zx_vcpu_state_t, rax, 0);
  OFF(zx_vcpu_state_t, rcx, 8);
  OFF(zx_vcpu_state_t, rdx, 16);
  OFF(zx_vcpu_state_t, rbx, 24);
  OFF(zx_vcpu_state_t, rsp, 32);
  OFF(zx_vcpu_state_t, rbp, 40);
  OFF(zx_vcpu_state_t, rsi, 48);
  OFF(zx_vcpu_state_t, rdi, 56);
  OFF(zx_vcpu_state_t, r8, 64);
  OFF(zx_vcpu_state_t, r9, 72);
  OFF(zx_vcpu_state_t, r10, 80);
  OFF(zx_vcpu_state_t, r11, 88);
  OFF(zx_vcpu_state_t, r12, 96);
  OFF(zx_vcpu_state_t, r13, 104);
  OFF(zx_vcpu_state_t, r14, 112);
  OFF(zx_vcpu_state_t, r15, 120);
  OFF(zx_vcpu_state_t, rflags, 128);

  SIZE(zx_vcpu_io_t, 8);
  OFF(zx_vcpu_io_t, access_size, 0);
  OFF(zx_vcpu_io_t, padding1, 1);
  OFF(zx_vcpu_io_t, u8, 4);
  OFF(zx_vcpu_io_t, u16, 4);
  OFF(zx_vcpu_io_t, u32, 4);
  OFF(zx_vcpu_io_t, data, 4);
}

static void status_values(void) {
  LAYOUT(ZX_OK == 0);
  LAYOUT(ZX_ERR_INTERNAL == -1);
  LAYOUT(ZX_ERR_NOT_SUPPORTED == -2);
  LAYOUT(ZX_ERR_NO_RESOURCES == -3);
  LAYOUT(ZX_ERR_NO_MEMORY == -4);
  LAYOUT(ZX_ERR_INTERNAL_INTR_RETRY == -6);
  LAYOUT(ZX_ERR_INVALID_ARGS == -10);
  LAYOUT(ZX_ERR_BAD_HANDLE == -11);
  LAYOUT(ZX_ERR_WRONG_TYPE == -12);
  LAYOUT(ZX_ERR_BAD_SYSCALL == -13);
  LAYOUT(ZX_ERR_OUT_OF_RANGE == -14);
  LAYOUT(ZX_ERR_BUFFER_TOO_SMALL == -15);
  LAYOUT(ZX_ERR_BAD_STATE == -20);
  LAYOUT(ZX_ERR_TIMED_OUT == -21);
  LAYOUT(ZX_ERR_SHOULD_WAIT == -22);
  LAYOUT(ZX_ERR_CANCELED == -23);
  LAYOUT(ZX_ERR_PEER_CLOSED == -24);
  LAYOUT(ZX_ERR_NOT_FOUND == -25);
  LAYOUT(ZX_ERR_ALREADY_EXISTS == -26);
  LAYOUT(ZX_ERR_ALREADY_BOUND == -27);
  LAYOUT(ZX_ERR_UNAVAILABLE == -28);
  LAYOUT(ZX_ERR_ACCESS_DENIED == -30);
  LAYOUT(ZX_ERR_IO == -40);
  LAYOUT(ZX_ERR_IO_REFUSED == -41);
  LAYOUT(ZX_ERR_IO_DATA_INTEGRITY == -42);
  LAYOUT(ZX_ERR_IO_DATA_LOSS == -43);
  LAYOUT(ZX_ERR_IO_NOT_PRESENT == -44);
  LAYOUT(ZX_ERR_IO_OVERRUN == -45);
  LAYOUT(ZX_ERR_IO_MISSED_DEADLINE == -46);
  LAYOUT(ZX_ERR_IO_INVALID == -47);
  LAYOUT(ZX_ERR_BAD_PATH == -50);
  LAYOUT(ZX_ERR_NOT_DIR == -51);
  LAYOUT(ZX_ERR_NOT_FILE == -52);
  LAYOUT(ZX_ERR_FILE_BIG == -53);
  LAYOUT(ZX_ERR_NO_SPACE == -54);
  LAYOUT(ZX_ERR_NOT_EMPTY == -55);
  LAYOUT(ZX_ERR_STOP == -60);
  LAYOUT(ZX_ERR_NEXT == -61);
  LAYOUT(ZX_ERR_ASYNC == -62);
  LAYOUT(ZX_ERR_PROTOCOL_NOT_SUPPORTED == -70);
  LAYOUT(ZX_ERR_ADDRESS_UNREACHABLE == -71);
  LAYOUT(ZX_ERR_ADDRESS_IN_USE == -72);
  LAYOUT(ZX_ERR_NOT_CONNECTED == -73);
  LAYOUT(ZX_ERR_CONNECTION_REFUSED == -74);
  LAYOUT(ZX_ERR_CONNECTION_RESET == -75);
  LAYOUT(ZX_ERR_CONNECTION_ABORTED == -76);
  LAYOUT(ZX_ERR_INTERNAL_INTR_KILLED == -502);
}

static void rights_values(void) {
  LAYOUT(ZX_RIGHT_NONE == 0x0);
  LAYOUT(ZX_RIGHT_DUPLICATE == 0x1);
  LAYOUT(ZX_RIGHT_TRANSFER == 0x2);
  LAYOUT(ZX_RIGHT_READ == 0x4);
  LAYOUT(ZX_RIGHT_WRITE == 0x8);
  LAYOUT(ZX_RIGHT_EXECUTE == 0x10);
  LAYOUT(ZX_RIGHT_MAP == 0x20);
  LAYOUT(ZX_RIGHT_GET_PROPERTY == 0x40);
  LAYOUT(ZX_RIGHT_SET_PROPERTY == 0x80);
  LAYOUT(ZX_RIGHT_ENUMERATE == 0x100);
  LAYOUT(ZX_RIGHT_DESTROY == 0x200);
  LAYOUT(ZX_RIGHT_SET_POLICY == 0x400);
  LAYOUT(ZX_RIGHT_GET_POLICY == 0x800);
  LAYOUT(ZX_RIGHT_SIGNAL == 0x1000);
  LAYOUT(ZX_RIGHT_SIGNAL_PEER == 0x2000);
  LAYOUT(ZX_RIGHT_WAIT == 0x4000);
  LAYOUT(ZX_RIGHT_INSPECT == 0x8000);
  LAYOUT(ZX_RIGHT_MANAGE_JOB == 0x10000);
  LAYOUT(ZX_RIGHT_MANAGE_PROCESS == 0x20000);
  LAYOUT(ZX_RIGHT_MANAGE_THREAD == 0x40000);
  LAYOUT(ZX_RIGHT_APPLY_PROFILE == 0x80000);
  LAYOUT(ZX_RIGHT_SAME_RIGHTS == 0x80000000u);
  LAYOUT(ZX_RIGHTS_BASIC == 0xC003);
  LAYOUT(ZX_RIGHTS_IO == 0xC);
  LAYOUT(ZX_RIGHTS_PROPERTY == 0xC0);
  LAYOUT(ZX_RIGHTS_POLICY == 0xC00);
  // Default rights (docs/semantics.md §2.2).
  LAYOUT(ZX_DEFAULT_PORT_RIGHTS == 0x800F);
  LAYOUT(ZX_DEFAULT_INTERRUPT_RIGHTS == 0xD00F);
  LAYOUT(ZX_DEFAULT_GUEST_RIGHTS == 0x2800B);
  LAYOUT(ZX_DEFAULT_VCPU_RIGHTS == 0xD01F);
  LAYOUT(ZX_DEFAULT_VMO_RIGHTS == 0xD0EF);
  LAYOUT((ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_EXECUTE) == 0xD0FF);
  LAYOUT(ZX_DEFAULT_VMAR_RIGHTS == 0x8003);
  LAYOUT(ZX_DEFAULT_EVENT_RIGHTS == 0xD003);
  LAYOUT(ZX_DEFAULT_RESOURCE_RIGHTS == 0x800B);
}

static void signal_and_option_values(void) {
  LAYOUT(ZX_HANDLE_INVALID == 0);
  LAYOUT(ZX_HANDLE_FIXED_BITS_MASK == 0x3);
  LAYOUT(ZX_KOID_INVALID == 0);
  LAYOUT(ZX_KOID_KERNEL == 1);
  LAYOUT(ZX_KOID_FIRST == 1024);

  LAYOUT(ZX_SIGNAL_NONE == 0);
  LAYOUT(__ZX_OBJECT_READABLE == 0x1);
  LAYOUT(__ZX_OBJECT_WRITABLE == 0x2);
  LAYOUT(__ZX_OBJECT_PEER_CLOSED == 0x4);
  LAYOUT(__ZX_OBJECT_SIGNALED == 0x8);
  LAYOUT(__ZX_OBJECT_SIGNAL_22 == 0x400000);
  LAYOUT(ZX_SIGNAL_HANDLE_CLOSED == 0x00800000);
  LAYOUT(ZX_USER_SIGNAL_0 == 0x01000000);
  LAYOUT(ZX_USER_SIGNAL_1 == 0x02000000);
  LAYOUT(ZX_USER_SIGNAL_2 == 0x04000000);
  LAYOUT(ZX_USER_SIGNAL_3 == 0x08000000);
  LAYOUT(ZX_USER_SIGNAL_4 == 0x10000000);
  LAYOUT(ZX_USER_SIGNAL_5 == 0x20000000);
  LAYOUT(ZX_USER_SIGNAL_6 == 0x40000000);
  LAYOUT(ZX_USER_SIGNAL_7 == 0x80000000u);
  LAYOUT(ZX_USER_SIGNAL_ALL == 0xFF000000u);
  LAYOUT(ZX_EVENT_SIGNALED == 0x8);
  LAYOUT(ZX_EVENT_SIGNAL_MASK == 0xFF000008u);
  LAYOUT(ZX_VMO_ZERO_CHILDREN == 0x8);
  LAYOUT(ZX_CHANNEL_READABLE == 0x1);
  LAYOUT(ZX_CHANNEL_WRITABLE == 0x2);
  LAYOUT(ZX_CHANNEL_PEER_CLOSED == 0x4);

  LAYOUT(ZX_WAIT_ASYNC_ONCE == 0);
  LAYOUT(ZX_WAIT_ASYNC_TIMESTAMP == 1);
  LAYOUT(ZX_PORT_BIND_TO_INTERRUPT == 0x1);
  LAYOUT(ZX_PKT_TYPE_USER == 0x00);
  LAYOUT(ZX_PKT_TYPE_SIGNAL_ONE == 0x01);
  LAYOUT(ZX_PKT_TYPE_GUEST_BELL == 0x03);
  LAYOUT(ZX_PKT_TYPE_GUEST_MEM == 0x04);
  LAYOUT(ZX_PKT_TYPE_GUEST_IO == 0x05);
  LAYOUT(ZX_PKT_TYPE_GUEST_VCPU == 0x06);
  LAYOUT(ZX_PKT_TYPE_INTERRUPT == 0x07);
  LAYOUT(ZX_PKT_TYPE_PAGE_REQUEST == 0x09);
  LAYOUT(ZX_PKT_TYPE_MASK == 0xFF);
  LAYOUT(ZX_PKT_IS_INTERRUPT(7u));
  LAYOUT(!ZX_PKT_IS_USER(0x100u));
  LAYOUT(ZX_PKT_GUEST_VCPU_INTERRUPT == 0);
  LAYOUT(ZX_PKT_GUEST_VCPU_STARTUP == 1);
  LAYOUT(ZX_PAGER_VMO_READ == 0);
  LAYOUT(ZX_PAGER_VMO_COMPLETE == 1);

  LAYOUT(ZX_INTERRUPT_REMAP_IRQ == 0x1);
  LAYOUT(ZX_INTERRUPT_MODE_DEFAULT == 0x0);
  LAYOUT(ZX_INTERRUPT_MODE_EDGE_LOW == 0x2);
  LAYOUT(ZX_INTERRUPT_MODE_EDGE_HIGH == 0x4);
  LAYOUT(ZX_INTERRUPT_MODE_LEVEL_LOW == 0x6);
  LAYOUT(ZX_INTERRUPT_MODE_LEVEL_HIGH == 0x8);
  LAYOUT(ZX_INTERRUPT_MODE_EDGE_BOTH == 0xA);
  LAYOUT(ZX_INTERRUPT_MODE_MASK == 0xE);
  LAYOUT(ZX_INTERRUPT_VIRTUAL == 0x10);
  LAYOUT(ZX_INTERRUPT_BIND == 0x0);
  LAYOUT(ZX_INTERRUPT_UNBIND == 0x1);
  LAYOUT(ZX_INTERRUPT_SLOT_USER == 62);
  LAYOUT(ZX_INTERRUPT_MAX_SLOTS == 62);
  LAYOUT(ZX_PCI_INTERRUPT_SLOT == 0);

  LAYOUT(ZX_VMO_RESIZABLE == 0x2);
  LAYOUT(ZX_VM_PERM_READ == 0x1);
  LAYOUT(ZX_VM_PERM_WRITE == 0x2);
  LAYOUT(ZX_VM_PERM_EXECUTE == 0x4);
  LAYOUT(ZX_VM_COMPACT == 0x8);
  LAYOUT(ZX_VM_SPECIFIC == 0x10);
  LAYOUT(ZX_VM_SPECIFIC_OVERWRITE == 0x20);
  LAYOUT(ZX_VM_CAN_MAP_SPECIFIC == 0x40);
  LAYOUT(ZX_VM_CAN_MAP_READ == 0x80);
  LAYOUT(ZX_VM_CAN_MAP_WRITE == 0x100);
  LAYOUT(ZX_VM_CAN_MAP_EXECUTE == 0x200);
  LAYOUT(ZX_VM_MAP_RANGE == 0x400);
  LAYOUT(ZX_VM_REQUIRE_NON_RESIZABLE == 0x800);
  LAYOUT(ZX_VM_ALLOW_FAULTS == 0x1000);
  LAYOUT(ZX_VM_ALIGN_BASE == 24);
  LAYOUT(ZX_VM_ALIGN_1KB == (10u << 24));
  LAYOUT(ZX_VM_ALIGN_4KB == (12u << 24));
  LAYOUT(ZX_VM_ALIGN_2MB == (21u << 24));
  LAYOUT(ZX_VM_ALIGN_1GB == (30u << 24));
  LAYOUT(ZX_VM_ALIGN_4GB == (32u << 24));
  LAYOUT((ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE | ZX_VM_SPECIFIC) == 0x17);

  LAYOUT(ZX_INFO_HANDLE_VALID == 1);
  LAYOUT(ZX_INFO_HANDLE_BASIC == 2);
  LAYOUT(ZX_INFO_VMAR == 7);
  LAYOUT(ZX_INFO_VCPU_FAULT == 0x5A580001u);
  LAYOUT(ZX_INFO_THREAD == 10);
  LAYOUT(ZX_OBJ_PROP_NONE == 0);
  LAYOUT(ZX_OBJ_PROP_WAITABLE == 1);

  LAYOUT(ZX_GUEST_TRAP_BELL == 0);
  LAYOUT(ZX_GUEST_TRAP_MEM == 1);
  LAYOUT(ZX_GUEST_TRAP_IO == 2);
  LAYOUT(ZX_VCPU_STATE == 0);
  LAYOUT(ZX_VCPU_IO == 1);

  LAYOUT(ZX_RSRC_KIND_MMIO == 0);
  LAYOUT(ZX_RSRC_KIND_IRQ == 1);
  LAYOUT(ZX_RSRC_KIND_IOPORT == 2);
  LAYOUT(ZX_RSRC_KIND_HYPERVISOR == 3);
  LAYOUT(ZX_RSRC_KIND_ROOT == 4);
  LAYOUT(ZX_RSRC_KIND_VMEX == 5);
  LAYOUT(ZX_RSRC_KIND_SMC == 6);
  LAYOUT(ZX_RSRC_KIND_COUNT == 7);
}

static void object_types(void) {
  LAYOUT(ZX_OBJ_TYPE_NONE == 0);
  LAYOUT(ZX_OBJ_TYPE_PROCESS == 1);
  LAYOUT(ZX_OBJ_TYPE_THREAD == 2);
  LAYOUT(ZX_OBJ_TYPE_VMO == 3);
  LAYOUT(ZX_OBJ_TYPE_CHANNEL == 4);
  LAYOUT(ZX_OBJ_TYPE_EVENT == 5);
  LAYOUT(ZX_OBJ_TYPE_PORT == 6);
  LAYOUT(ZX_OBJ_TYPE_INTERRUPT == 9);
  LAYOUT(ZX_OBJ_TYPE_PCI_DEVICE == 11);
  LAYOUT(ZX_OBJ_TYPE_DEBUGLOG == 12);
  LAYOUT(ZX_OBJ_TYPE_LOG == 12);
  LAYOUT(ZX_OBJ_TYPE_SOCKET == 14);
  LAYOUT(ZX_OBJ_TYPE_RESOURCE == 15);
  LAYOUT(ZX_OBJ_TYPE_EVENTPAIR == 16);
  LAYOUT(ZX_OBJ_TYPE_JOB == 17);
  LAYOUT(ZX_OBJ_TYPE_VMAR == 18);
  LAYOUT(ZX_OBJ_TYPE_FIFO == 19);
  LAYOUT(ZX_OBJ_TYPE_GUEST == 20);
  LAYOUT(ZX_OBJ_TYPE_VCPU == 21);
  LAYOUT(ZX_OBJ_TYPE_TIMER == 22);
  LAYOUT(ZX_OBJ_TYPE_IOMMU == 23);
  LAYOUT(ZX_OBJ_TYPE_BTI == 24);
  LAYOUT(ZX_OBJ_TYPE_PROFILE == 25);
  LAYOUT(ZX_OBJ_TYPE_PMT == 26);
  LAYOUT(ZX_OBJ_TYPE_SUSPEND_TOKEN == 27);
  LAYOUT(ZX_OBJ_TYPE_PAGER == 28);
  LAYOUT(ZX_OBJ_TYPE_EXCEPTION == 29);
  LAYOUT(ZX_OBJ_TYPE_CLOCK == 30);
  LAYOUT(ZX_OBJ_TYPE_STREAM == 31);
  LAYOUT(ZX_OBJ_TYPE_MSI == 32);
  LAYOUT(ZX_OBJ_TYPE_UPPER_BOUND == 64);
}

static void time_values(void) {
  LAYOUT(ZX_TIME_INFINITE == INT64_MAX);
  LAYOUT(ZX_TIME_INFINITE_PAST == INT64_MIN);
  LAYOUT(ZX_NSEC(1) == 1);
  LAYOUT(ZX_USEC(1) == 1000);
  LAYOUT(ZX_MSEC(1) == 1000000);
  LAYOUT(ZX_SEC(1) == 1000000000);
  LAYOUT(ZX_MIN(1) == 60LL * 1000000000);
  LAYOUT(ZX_HOUR(1) == 3600LL * 1000000000);
  LAYOUT(ZX_PAGE_SIZE == 4096);
}

int main(void) {
  scalar_types();
  port_packet();
  object_info();
  vcpu_state();
  status_values();
  rights_values();
  signal_and_option_values();
  object_types();
  time_values();
  printf("ztest-summary: passed=%d failed=0\n", checks);
  printf("layout: %d compile-time checks passed, 0 failed\n", checks);
  return 0;
}
