// Copyright the Zircon-on-Linux project authors.
//
// <zircon/compiler.h>: the few compiler helpers the other Zircon headers of this project use.
// Written for libzircon.so (the Linux re-implementation); mirrors the names Zircon uses.

#ifndef ZIRCON_COMPILER_H_
#define ZIRCON_COMPILER_H_

// Declarations between these markers get C linkage when the header is included from C++.
#ifndef __BEGIN_CDECLS
#ifdef __cplusplus
#define __BEGIN_CDECLS extern "C" {
#define __END_CDECLS }
#else
#define __BEGIN_CDECLS
#define __END_CDECLS
#endif
#endif  // __BEGIN_CDECLS

#ifndef __NO_RETURN
#define __NO_RETURN __attribute__((__noreturn__))
#endif

#ifndef __WARN_UNUSED_RESULT
#define __WARN_UNUSED_RESULT __attribute__((__warn_unused_result__))
#endif

#ifndef __ALWAYS_INLINE
#define __ALWAYS_INLINE __attribute__((__always_inline__))
#endif

#ifndef __ALIGNED
#define __ALIGNED(x) __attribute__((__aligned__(x)))
#endif

#ifndef __PACKED
#define __PACKED __attribute__((__packed__))
#endif

#ifndef __EXPORT
#define __EXPORT __attribute__((__visibility__("default")))
#endif

#endif  // ZIRCON_COMPILER_H_
