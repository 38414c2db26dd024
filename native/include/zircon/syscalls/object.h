// Copyright the Zircon-on-Linux project authors.
//
// <zircon/syscalls/object.h>: zx_object_get_info topics and records.

#ifndef ZIRCON_SYSCALLS_OBJECT_H_
#define ZIRCON_SYSCALLS_OBJECT_H_

#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

// zx_object_get_info topics (the ones this library implements, plus neighbours for reference).
#define ZX_INFO_NONE ((zx_object_info_topic_t)0u)
#define ZX_INFO_HANDLE_VALID ((zx_object_info_topic_t)1u)
#define ZX_INFO_HANDLE_BASIC ((zx_object_info_topic_t)2u)  // zx_info_handle_basic_t[1]
#define ZX_INFO_VMAR ((zx_object_info_topic_t)7u)          // zx_info_vmar_t[1]
#define ZX_INFO_THREAD ((zx_object_info_topic_t)10u)

// zx_object_get_property / zx_object_set_property properties. ZX_PROP_NAME's value is
// char[ZX_MAX_NAME_LEN], NUL-terminated; it is the only property this library implements.
#define ZX_PROP_NAME ((uint32_t)3u)
// Project extension (not in Zircon), on a VCPU handle with ZX_RIGHT_INSPECT: why the last
// zx_vcpu_resume failed (NOT_SUPPORTED or BAD_STATE) and the guest RIP then.
#define ZX_INFO_VCPU_FAULT ((zx_object_info_topic_t)0x5A580001u)  // zx_info_vcpu_fault_t[1]

// zx_info_vcpu_fault_t::reason
#define ZX_VCPU_FAULT_NONE ((uint32_t)0u)
#define ZX_VCPU_FAULT_TRIPLE_FAULT ((uint32_t)1u)
#define ZX_VCPU_FAULT_EMULATION_FAILURE ((uint32_t)2u)
#define ZX_VCPU_FAULT_ENTRY_FAILURE ((uint32_t)3u)
#define ZX_VCPU_FAULT_OTHER ((uint32_t)4u)
// A string/REP port instruction, a BELL-trap read, or a MEM-trap instruction the kernel cannot
// fetch or decode; the failed resume's packet describes the access (key = guest RIP).
#define ZX_VCPU_FAULT_UNSUPPORTED_ACCESS ((uint32_t)5u)

// zx_info_handle_basic_t::props
#define ZX_OBJ_PROP_NONE ((uint32_t)0u)
#define ZX_OBJ_PROP_WAITABLE ((uint32_t)1u)

// ZX_INFO_HANDLE_BASIC
typedef struct zx_info_handle_basic {
  // The object's unique id.
  zx_koid_t koid;
  // The rights this handle has.
  zx_rights_t rights;
  // The object's type (ZX_OBJ_TYPE_*).
  zx_obj_type_t type;
  // The koid of a related object (e.g. a channel's peer); 0 for the objects of this library.
  zx_koid_t related_koid;
  // ZX_OBJ_PROP_WAITABLE if the object can be waited on.
  uint32_t props;
  uint8_t padding1[4];
} zx_info_handle_basic_t;

// ZX_INFO_VMAR
typedef struct zx_info_vmar {
  // Base address of the region.
  uintptr_t base;
  // Length of the region, in bytes.
  size_t len;
} zx_info_vmar_t;

// ZX_INFO_VCPU_FAULT
typedef struct zx_info_vcpu_fault {
  // ZX_VCPU_FAULT_*; ZX_VCPU_FAULT_NONE while no resume has failed.
  uint32_t reason;
  uint8_t padding1[4];
  // The guest's RIP at the failing exit.
  uint64_t rip;
} zx_info_vcpu_fault_t;

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_OBJECT_H_
