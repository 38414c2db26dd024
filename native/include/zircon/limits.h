// Copyright the Zircon-on-Linux project authors.
//
// <zircon/limits.h>: page size and name length limits.

#ifndef ZIRCON_LIMITS_H_
#define ZIRCON_LIMITS_H_

#include <stddef.h>
#include <stdint.h>

#define ZX_PAGE_SHIFT ((uint32_t)12u)
#define ZX_PAGE_SIZE ((uintptr_t)(1u << ZX_PAGE_SHIFT))
#define ZX_PAGE_MASK (ZX_PAGE_SIZE - 1u)

#define ZX_MAX_NAME_LEN ((size_t)32u)

#endif  // ZIRCON_LIMITS_H_
