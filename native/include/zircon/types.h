// Copyright the Zircon-on-Linux project authors.
//
// <zircon/types.h>: the scalar types of the syscall ABI, handle values, koids, signals and the
// option bits of the calls this library implements. Values are Zircon's.

#ifndef ZIRCON_TYPES_H_
#define ZIRCON_TYPES_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zircon/compiler.h>
#include <zircon/errors.h>
#include <zircon/limits.h>
#include <zircon/rights.h>
#include <zircon/time.h>

__BEGIN_CDECLS

// ======= Scalar types =======
typedef uint32_t zx_handle_t;
typedef int32_t zx_status_t;
typedef uint32_t zx_signals_t;
typedef uint64_t zx_koid_t;
typedef uint64_t zx_off_t;
typedef uint64_t zx_vaddr_t;
typedef uint64_t zx_paddr_t;
typedef uint64_t zx_gpaddr_t;
typedef uint32_t zx_vm_option_t;
typedef uint32_t zx_obj_type_t;
typedef uint32_t zx_object_info_topic_t;

// ======= Handles =======
#define ZX_HANDLE_INVALID ((zx_handle_t)0)
// Every valid handle value has these bits set.
#define ZX_HANDLE_FIXED_BITS_MASK ((zx_handle_t)0x3)

// ======= Koids =======
#define ZX_KOID_INVALID ((uint64_t)0)
#define ZX_KOID_KERNEL ((uint64_t)1)
// Koids 0..1023 are reserved.
#define ZX_KOID_FIRST ((uint64_t)1024)

// ======= Signals =======
#define ZX_SIGNAL_NONE ((zx_signals_t)0u)
#define ZX_USER_SIGNAL_ALL ((zx_signals_t)0xff000000u)

// Implementation details: the generic object signal bits.
#define __ZX_OBJECT_SIGNAL_ALL ((zx_signals_t)0x00ffffffu)
#define __ZX_OBJECT_READABLE ((zx_signals_t)1u << 0)
#define __ZX_OBJECT_WRITABLE ((zx_signals_t)1u << 1)
#define __ZX_OBJECT_PEER_CLOSED ((zx_signals_t)1u << 2)
#define __ZX_OBJECT_SIGNALED ((zx_signals_t)1u << 3)
#define __ZX_OBJECT_SIGNAL_4 ((zx_signals_t)1u << 4)
#define __ZX_OBJECT_SIGNAL_5 ((zx_signals_t)1u << 5)
#define __ZX_OBJECT_SIGNAL_6 ((zx_signals_t)1u << 6)
#define __ZX_OBJECT_SIGNAL_7 ((zx_signals_t)1u << 7)
#define __ZX_OBJECT_SIGNAL_8 ((zx_signals_t)1u << 8)
#define __ZX_OBJECT_SIGNAL_9 ((zx_signals_t)1u << 9)
#define __ZX_OBJECT_SIGNAL_10 ((zx_signals_t)1u << 10)
#define __ZX_OBJECT_SIGNAL_11 ((zx_signals_t)1u << 11)
#define __ZX_OBJECT_SIGNAL_12 ((zx_signals_t)1u << 12)
#define __ZX_OBJECT_SIGNAL_13 ((zx_signals_t)1u << 13)
#define __ZX_OBJECT_SIGNAL_14 ((zx_signals_t)1u << 14)
#define __ZX_OBJECT_SIGNAL_15 ((zx_signals_t)1u << 15)
#define __ZX_OBJECT_SIGNAL_16 ((zx_signals_t)1u << 16)
#define __ZX_OBJECT_SIGNAL_17 ((zx_signals_t)1u << 17)
#define __ZX_OBJECT_SIGNAL_18 ((zx_signals_t)1u << 18)
#define __ZX_OBJECT_SIGNAL_19 ((zx_signals_t)1u << 19)
#define __ZX_OBJECT_SIGNAL_20 ((zx_signals_t)1u << 20)
#define __ZX_OBJECT_SIGNAL_21 ((zx_signals_t)1u << 21)
#define __ZX_OBJECT_SIGNAL_22 ((zx_signals_t)1u << 22)
#define __ZX_OBJECT_HANDLE_CLOSED ((zx_signals_t)1u << 23)

// User signals: any waitable object's holder with ZX_RIGHT_SIGNAL may set and clear these.
#define ZX_USER_SIGNAL_0 ((zx_signals_t)1u << 24)
#define ZX_USER_SIGNAL_1 ((zx_signals_t)1u << 25)
#define ZX_USER_SIGNAL_2 ((zx_signals_t)1u << 26)
#define ZX_USER_SIGNAL_3 ((zx_signals_t)1u << 27)
#define ZX_USER_SIGNAL_4 ((zx_signals_t)1u << 28)
#define ZX_USER_SIGNAL_5 ((zx_signals_t)1u << 29)
#define ZX_USER_SIGNAL_6 ((zx_signals_t)1u << 30)
#define ZX_USER_SIGNAL_7 ((zx_signals_t)1u << 31)

// Reported (only) to a waiter whose handle was closed during the wait.
#define ZX_SIGNAL_HANDLE_CLOSED __ZX_OBJECT_HANDLE_CLOSED

// Event
#define ZX_EVENT_SIGNALED __ZX_OBJECT_SIGNALED
#define ZX_EVENT_SIGNAL_MASK (ZX_USER_SIGNAL_ALL | __ZX_OBJECT_SIGNALED)

// EventPair
#define ZX_EVENTPAIR_SIGNALED __ZX_OBJECT_SIGNALED
#define ZX_EVENTPAIR_PEER_CLOSED __ZX_OBJECT_PEER_CLOSED

// Channel
#define ZX_CHANNEL_READABLE __ZX_OBJECT_READABLE
#define ZX_CHANNEL_WRITABLE __ZX_OBJECT_WRITABLE
#define ZX_CHANNEL_PEER_CLOSED __ZX_OBJECT_PEER_CLOSED

// VMO: asserted while the VMO has no children (so on a freshly created VMO).
#define ZX_VMO_ZERO_CHILDREN __ZX_OBJECT_SIGNALED

// ======= zx_vmo_create options =======
#define ZX_VMO_RESIZABLE ((uint32_t)1u << 1)

// ======= zx_vmar_map options (zx_vm_option_t) =======
#define ZX_VM_PERM_READ ((zx_vm_option_t)(1u << 0))
#define ZX_VM_PERM_WRITE ((zx_vm_option_t)(1u << 1))
#define ZX_VM_PERM_EXECUTE ((zx_vm_option_t)(1u << 2))
#define ZX_VM_COMPACT ((zx_vm_option_t)(1u << 3))
#define ZX_VM_SPECIFIC ((zx_vm_option_t)(1u << 4))
#define ZX_VM_SPECIFIC_OVERWRITE ((zx_vm_option_t)(1u << 5))
#define ZX_VM_CAN_MAP_SPECIFIC ((zx_vm_option_t)(1u << 6))
#define ZX_VM_CAN_MAP_READ ((zx_vm_option_t)(1u << 7))
#define ZX_VM_CAN_MAP_WRITE ((zx_vm_option_t)(1u << 8))
#define ZX_VM_CAN_MAP_EXECUTE ((zx_vm_option_t)(1u << 9))
#define ZX_VM_MAP_RANGE ((zx_vm_option_t)(1u << 10))
#define ZX_VM_REQUIRE_NON_RESIZABLE ((zx_vm_option_t)(1u << 11))
#define ZX_VM_ALLOW_FAULTS ((zx_vm_option_t)(1u << 12))

// Alignment of the mapping's base address: log2(alignment) in bits 24 and up.
#define ZX_VM_ALIGN_BASE 24
#define ZX_VM_ALIGN_1KB ((zx_vm_option_t)(10u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_2KB ((zx_vm_option_t)(11u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_4KB ((zx_vm_option_t)(12u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_8KB ((zx_vm_option_t)(13u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_16KB ((zx_vm_option_t)(14u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_32KB ((zx_vm_option_t)(15u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_64KB ((zx_vm_option_t)(16u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_128KB ((zx_vm_option_t)(17u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_256KB ((zx_vm_option_t)(18u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_512KB ((zx_vm_option_t)(19u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_1MB ((zx_vm_option_t)(20u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_2MB ((zx_vm_option_t)(21u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_4MB ((zx_vm_option_t)(22u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_8MB ((zx_vm_option_t)(23u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_16MB ((zx_vm_option_t)(24u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_32MB ((zx_vm_option_t)(25u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_64MB ((zx_vm_option_t)(26u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_128MB ((zx_vm_option_t)(27u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_256MB ((zx_vm_option_t)(28u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_512MB ((zx_vm_option_t)(29u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_1GB ((zx_vm_option_t)(30u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_2GB ((zx_vm_option_t)(31u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_4GB ((zx_vm_option_t)(32u << ZX_VM_ALIGN_BASE))

// ======= Interrupts (zx_interrupt_create / zx_interrupt_bind options) =======
#define ZX_INTERRUPT_REMAP_IRQ ((uint32_t)0x1u)
#define ZX_INTERRUPT_MODE_DEFAULT ((uint32_t)(0u << 1))
#define ZX_INTERRUPT_MODE_EDGE_LOW ((uint32_t)(1u << 1))
#define ZX_INTERRUPT_MODE_EDGE_HIGH ((uint32_t)(2u << 1))
#define ZX_INTERRUPT_MODE_LEVEL_LOW ((uint32_t)(3u << 1))
#define ZX_INTERRUPT_MODE_LEVEL_HIGH ((uint32_t)(4u << 1))
#define ZX_INTERRUPT_MODE_EDGE_BOTH ((uint32_t)(5u << 1))
#define ZX_INTERRUPT_MODE_MASK ((uint32_t)0xeu)
#define ZX_INTERRUPT_VIRTUAL ((uint32_t)0x10u)

#define ZX_INTERRUPT_BIND ((uint32_t)0x0u)
#define ZX_INTERRUPT_UNBIND ((uint32_t)0x1u)

// Leftovers of the older multi-slot interrupt API.
#define ZX_INTERRUPT_SLOT_USER ((uint32_t)62u)
#define ZX_INTERRUPT_MAX_SLOTS ((uint32_t)62u)
#define ZX_PCI_INTERRUPT_SLOT ((uint32_t)0u)

// ======= zx_object_wait_many =======
// At most this many items per call; more is ZX_ERR_OUT_OF_RANGE.
#define ZX_WAIT_MANY_MAX_ITEMS ((size_t)64)

// One item of zx_object_wait_many: the handle, the signals awaited, and (written by the call) the
// signals the object had when the wait ended.
typedef struct zx_wait_item {
  zx_handle_t handle;
  zx_signals_t waitfor;
  zx_signals_t pending;
} zx_wait_item_t;

// ======= Names and random bytes =======
// Bytes of an object name (ZX_PROP_NAME), including the terminating NUL.
#define ZX_MAX_NAME_LEN ((size_t)32u)
// The per-call limit of older Zircon's zx_cprng_draw; this library's zx_cprng_draw takes any length.
#define ZX_CPRNG_DRAW_MAX_LEN ((size_t)256u)

// ======= Object types =======
#define ZX_OBJ_TYPE_NONE ((zx_obj_type_t)0u)
#define ZX_OBJ_TYPE_PROCESS ((zx_obj_type_t)1u)
#define ZX_OBJ_TYPE_THREAD ((zx_obj_type_t)2u)
#define ZX_OBJ_TYPE_VMO ((zx_obj_type_t)3u)
#define ZX_OBJ_TYPE_CHANNEL ((zx_obj_type_t)4u)
#define ZX_OBJ_TYPE_EVENT ((zx_obj_type_t)5u)
#define ZX_OBJ_TYPE_PORT ((zx_obj_type_t)6u)
#define ZX_OBJ_TYPE_INTERRUPT ((zx_obj_type_t)9u)
#define ZX_OBJ_TYPE_PCI_DEVICE ((zx_obj_type_t)11u)
#define ZX_OBJ_TYPE_DEBUGLOG ((zx_obj_type_t)12u)
#define ZX_OBJ_TYPE_LOG ZX_OBJ_TYPE_DEBUGLOG
#define ZX_OBJ_TYPE_SOCKET ((zx_obj_type_t)14u)
#define ZX_OBJ_TYPE_RESOURCE ((zx_obj_type_t)15u)
#define ZX_OBJ_TYPE_EVENTPAIR ((zx_obj_type_t)16u)
#define ZX_OBJ_TYPE_JOB ((zx_obj_type_t)17u)
#define ZX_OBJ_TYPE_VMAR ((zx_obj_type_t)18u)
#define ZX_OBJ_TYPE_FIFO ((zx_obj_type_t)19u)
#define ZX_OBJ_TYPE_GUEST ((zx_obj_type_t)20u)
#define ZX_OBJ_TYPE_VCPU ((zx_obj_type_t)21u)
#define ZX_OBJ_TYPE_TIMER ((zx_obj_type_t)22u)
#define ZX_OBJ_TYPE_IOMMU ((zx_obj_type_t)23u)
#define ZX_OBJ_TYPE_BTI ((zx_obj_type_t)24u)
#define ZX_OBJ_TYPE_PROFILE ((zx_obj_type_t)25u)
#define ZX_OBJ_TYPE_PMT ((zx_obj_type_t)26u)
#define ZX_OBJ_TYPE_SUSPEND_TOKEN ((zx_obj_type_t)27u)
#define ZX_OBJ_TYPE_PAGER ((zx_obj_type_t)28u)
#define ZX_OBJ_TYPE_EXCEPTION ((zx_obj_type_t)29u)
#define ZX_OBJ_TYPE_CLOCK ((zx_obj_type_t)30u)
#define ZX_OBJ_TYPE_STREAM ((zx_obj_type_t)31u)
#define ZX_OBJ_TYPE_MSI ((zx_obj_type_t)32u)

// Object type values are below this bound.
#define ZX_OBJ_TYPE_UPPER_BOUND ((zx_obj_type_t)64u)

__END_CDECLS

#endif  // ZIRCON_TYPES_H_
