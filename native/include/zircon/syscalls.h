// Copyright the Zircon-on-Linux project authors.
//
// <zircon/syscalls.h>: the system calls libzircon.so provides, with Zircon's C signatures.
// Link with -lzircon. Calls that take or return handles use this process's handle table; bad
// user pointers (NULL where Zircon needs memory) fail with ZX_ERR_INVALID_ARGS.

#ifndef ZIRCON_SYSCALLS_H_
#define ZIRCON_SYSCALLS_H_

#include <zircon/compiler.h>
#include <zircon/types.h>
#include <zircon/syscalls/hypervisor.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/port.h>
#include <zircon/syscalls/resource.h>

__BEGIN_CDECLS

// ======= Handles =======
zx_status_t zx_handle_close(zx_handle_t handle);
zx_status_t zx_handle_close_many(const zx_handle_t* handles, size_t num_handles);
zx_status_t zx_handle_duplicate(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out);
zx_status_t zx_handle_replace(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out);

// ======= Objects and signals =======
zx_status_t zx_object_get_info(zx_handle_t handle, uint32_t topic, void* buffer,
                               size_t buffer_size, size_t* actual, size_t* avail);
zx_status_t zx_object_wait_one(zx_handle_t handle, zx_signals_t signals, zx_time_t deadline,
                               zx_signals_t* observed);
zx_status_t zx_object_wait_async(zx_handle_t handle, zx_handle_t port, uint64_t key,
                                 zx_signals_t signals, uint32_t options);
zx_status_t zx_object_signal(zx_handle_t handle, uint32_t clear_mask, uint32_t set_mask);
zx_status_t zx_object_wait_many(zx_wait_item_t* items, size_t num_items, zx_time_t deadline);
zx_status_t zx_object_get_property(zx_handle_t handle, uint32_t property, void* value,
                                   size_t value_size);
zx_status_t zx_object_set_property(zx_handle_t handle, uint32_t property, const void* value,
                                   size_t value_size);

// ======= Events =======
zx_status_t zx_event_create(uint32_t options, zx_handle_t* out);

// ======= Ports =======
zx_status_t zx_port_create(uint32_t options, zx_handle_t* out);
zx_status_t zx_port_queue(zx_handle_t handle, const zx_port_packet_t* packet);
zx_status_t zx_port_wait(zx_handle_t handle, zx_time_t deadline, zx_port_packet_t* packet);
zx_status_t zx_port_cancel(zx_handle_t handle, zx_handle_t source, uint64_t key);

// ======= Interrupts =======
zx_status_t zx_interrupt_create(zx_handle_t src_obj, uint32_t src_num, uint32_t options,
                                zx_handle_t* out_handle);
zx_status_t zx_interrupt_bind(zx_handle_t handle, zx_handle_t port_handle, uint64_t key,
                              uint32_t options);
zx_status_t zx_interrupt_bind_vcpu(zx_handle_t handle, zx_handle_t vcpu, uint32_t options);
zx_status_t zx_interrupt_wait(zx_handle_t handle, zx_time_t* out_timestamp);
zx_status_t zx_interrupt_ack(zx_handle_t handle);
zx_status_t zx_interrupt_trigger(zx_handle_t handle, uint32_t options, zx_time_t timestamp);
zx_status_t zx_interrupt_destroy(zx_handle_t handle);

// ======= Virtual memory objects and address regions =======
zx_status_t zx_vmo_create(uint64_t size, uint32_t options, zx_handle_t* out);
zx_status_t zx_vmo_read(zx_handle_t handle, void* buffer, uint64_t offset, size_t buffer_size);
zx_status_t zx_vmo_write(zx_handle_t handle, const void* buffer, uint64_t offset,
                         size_t buffer_size);
zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t* size);
zx_status_t zx_vmo_replace_as_executable(zx_handle_t handle, zx_handle_t vmex, zx_handle_t* out);
zx_status_t zx_vmar_map(zx_handle_t handle, zx_vm_option_t options, size_t vmar_offset,
                        zx_handle_t vmo, uint64_t vmo_offset, size_t len,
                        zx_vaddr_t* mapped_addr);
zx_status_t zx_vmar_unmap(zx_handle_t handle, zx_vaddr_t addr, size_t len);

// ======= Time =======
zx_time_t zx_clock_get_monotonic(void);
zx_time_t zx_deadline_after(zx_duration_t nanoseconds);
zx_status_t zx_nanosleep(zx_time_t deadline);
zx_ticks_t zx_ticks_get(void);
zx_ticks_t zx_ticks_per_second(void);

// ======= System =======
uint32_t zx_system_get_page_size(void);
// Fills buffer with cryptographically secure random bytes. Any length; it cannot fail.
void zx_cprng_draw(void* buffer, size_t buffer_size);

// ======= Status strings =======
const char* zx_status_get_string(zx_status_t status);

// ======= Guests and VCPUs (see <zircon/syscalls/hypervisor.h>) =======
zx_status_t zx_guest_create(zx_handle_t resource, uint32_t options, zx_handle_t* guest_handle,
                            zx_handle_t* vmar_handle);
zx_status_t zx_guest_set_trap(zx_handle_t handle, uint32_t kind, zx_vaddr_t addr, size_t size,
                              zx_handle_t port_handle, uint64_t key);
zx_status_t zx_vcpu_create(zx_handle_t guest, uint32_t options, zx_vaddr_t entry,
                           zx_handle_t* out);
zx_status_t zx_vcpu_resume(zx_handle_t handle, zx_port_packet_t* packet);
zx_status_t zx_vcpu_interrupt(zx_handle_t handle, uint32_t vector);
zx_status_t zx_vcpu_read_state(zx_handle_t handle, uint32_t kind, void* buffer,
                               size_t buffer_size);
zx_status_t zx_vcpu_write_state(zx_handle_t handle, uint32_t kind, const void* buffer,
                                size_t buffer_size);
// From Zircon's later API: zx_vcpu_enter is zx_vcpu_resume under its new name; zx_vcpu_kick makes
// the VCPU's resume in progress (or its next one) return ZX_ERR_CANCELED, from any thread.
zx_status_t zx_vcpu_enter(zx_handle_t handle, zx_port_packet_t* packet);
zx_status_t zx_vcpu_kick(zx_handle_t handle);
// Project extensions for multi-processor guests: the guest's machine has `count` processors (ids
// 0..count-1, at most *max); the guest's INIT/STARTUP IPIs to ids above 0 then make a VCPU's
// zx_vcpu_resume return a ZX_PKT_GUEST_VCPU_STARTUP packet, and the VMM creates that VCPU with
// zx_vcpu_create(guest, 0, entry) on a thread of its own. Needs ZX_RIGHT_MANAGE_PROCESS (declare)
// or ZX_RIGHT_INSPECT (max); ZX_ERR_OUT_OF_RANGE outside 1..max, ZX_ERR_BAD_STATE if declared.
zx_status_t zx_guest_declare_processors(zx_handle_t guest, uint32_t count);
zx_status_t zx_guest_max_processors(zx_handle_t guest, uint32_t* max);

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_H_
