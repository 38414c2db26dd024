// Copyright the Zircon-on-Linux project authors.
//
// <zircon/syscalls/iommu.h>: the descriptors of Zircon's zx_iommu_create, for source
// compatibility. This library has no IOMMU object and does not export zx_iommu_create (a Linux
// process gets no IOMMU to program); the types and constants are here so code that includes the
// header, or builds descriptors, compiles unchanged.

#ifndef ZIRCON_SYSCALLS_IOMMU_H_
#define ZIRCON_SYSCALLS_IOMMU_H_

#include <stdbool.h>
#include <stdint.h>

#include <zircon/compiler.h>

__BEGIN_CDECLS

// The largest descriptor zx_iommu_create accepts.
#define ZX_IOMMU_MAX_DESC_LEN 4096

// zx_iommu_create's type argument.
#define ZX_IOMMU_TYPE_DUMMY 0
#define ZX_IOMMU_TYPE_INTEL 1

// A dummy IOMMU: no translation and no protection, only page pinning.
typedef struct zx_iommu_desc_dummy {
  uint8_t reserved;
} zx_iommu_desc_dummy_t;

// Intel VT-d: what a scope names (one PCI endpoint, or a bridge and everything behind it).
#define ZX_IOMMU_INTEL_SCOPE_ENDPOINT 0
#define ZX_IOMMU_INTEL_SCOPE_BRIDGE 1

// One device scope, as the ACPI DMAR table gives it: a start bus and a path of
// device/function hops (dev << 3 | func) from it.
typedef struct zx_iommu_desc_intel_scope {
  uint8_t type;
  uint8_t start_bus;
  uint8_t num_hops;
  uint8_t dev_func[5];
} zx_iommu_desc_intel_scope_t;

// A reserved memory region (RMRR) the devices of the following scope_bytes of scopes must
// keep reaching.
typedef struct zx_iommu_desc_intel_reserved_memory {
  uint64_t base_addr;
  uint64_t len;
  uint8_t scope_bytes;
  uint8_t _reserved[7];
} zx_iommu_desc_intel_reserved_memory_t;

// An Intel IOMMU: followed in the descriptor by scope_bytes of scopes, then
// reserved_memory_bytes of reserved-memory records (each with its own scopes).
typedef struct zx_iommu_desc_intel {
  uint64_t register_base;
  uint16_t pci_segment;
  bool whole_segment;
  uint8_t scope_bytes;
  uint16_t reserved_memory_bytes;
  uint8_t _reserved[2];
} zx_iommu_desc_intel_t;

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_IOMMU_H_
