// Copyright the Zircon-on-Linux project authors.
//
// <zircon/syscalls/resource.h>: resource kinds. The root resource (get_root_resource() in
// <zircon/process.h>) satisfies every kind check.

#ifndef ZIRCON_SYSCALLS_RESOURCE_H_
#define ZIRCON_SYSCALLS_RESOURCE_H_

#include <stdint.h>

#include <zircon/compiler.h>

typedef uint32_t zx_rsrc_kind_t;

#define ZX_RSRC_KIND_MMIO ((zx_rsrc_kind_t)0u)
#define ZX_RSRC_KIND_IRQ ((zx_rsrc_kind_t)1u)
#define ZX_RSRC_KIND_IOPORT ((zx_rsrc_kind_t)2u)
#define ZX_RSRC_KIND_HYPERVISOR ((zx_rsrc_kind_t)3u)
#define ZX_RSRC_KIND_ROOT ((zx_rsrc_kind_t)4u)
#define ZX_RSRC_KIND_VMEX ((zx_rsrc_kind_t)5u)
#define ZX_RSRC_KIND_SMC ((zx_rsrc_kind_t)6u)
#define ZX_RSRC_KIND_COUNT ((zx_rsrc_kind_t)7u)

#endif  // ZIRCON_SYSCALLS_RESOURCE_H_
