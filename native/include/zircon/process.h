// Copyright the Zircon-on-Linux project authors.
//
// <zircon/process.h>: the handles a process starts with.

#ifndef ZIRCON_PROCESS_H_
#define ZIRCON_PROCESS_H_

#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

// The root VMAR of this process: the host address space mappings are placed in. The returned
// handle belongs to the process; do not close it.
zx_handle_t zx_vmar_root_self(void);

// The root resource handed to this process (on Zircon, drivers get it from their host). It
// satisfies every resource check: physical interrupts, guests, executable VMOs. The same handle
// is returned on every call; do not close it.
zx_handle_t get_root_resource(void);

__END_CDECLS

#endif  // ZIRCON_PROCESS_H_
