// Copyright the Zircon-on-Linux project authors.
//
// <zircon/platform/interrupt_lines.h>
//
// *** LINUX-HOST EXTENSION: not part of Zircon's API. ***
//
// On Zircon, a physical interrupt (zx_interrupt_create without ZX_INTERRUPT_VIRTUAL) is a
// hardware IRQ. On Linux there are no IRQs to route to a process, so libzircon.so provides host
// interrupt lines instead: zx_interrupt_create(root_or_irq_resource, line, options, &irq) makes an
// interrupt on line `line`, and something outside the interrupt object raises the line:
//   * zx_platform_interrupt_line_raise(line) from any thread of this process, or
//   * an 8-byte write of a non-zero value to the line's eventfd, from anywhere that has the fd
//     (another thread, another process it was passed to, a VFIO device's IRQ, KVM...).
// Each raise is one edge: a waiter in zx_interrupt_wait wakes, a bound port gets a
// ZX_PKT_TYPE_INTERRUPT packet, bound VCPUs receive the vector.

#ifndef ZIRCON_PLATFORM_INTERRUPT_LINES_H_
#define ZIRCON_PLATFORM_INTERRUPT_LINES_H_

#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

// Valid line numbers are 0 .. ZX_PLATFORM_INTERRUPT_LINE_COUNT - 1.
#define ZX_PLATFORM_INTERRUPT_LINE_COUNT ((uint32_t)1024u)

// Raises `line` once. Callable from any thread.
zx_status_t zx_platform_interrupt_line_raise(uint32_t line);

// Returns in *out_fd the eventfd behind `line`. The descriptor stays owned by the library: do not
// close it (dup() it to keep a descriptor of your own). Writing an 8-byte counter value to it
// raises the line. NULL out_fd is ZX_ERR_INVALID_ARGS.
zx_status_t zx_platform_interrupt_line_eventfd(uint32_t line, int* out_fd);

__END_CDECLS

#endif  // ZIRCON_PLATFORM_INTERRUPT_LINES_H_
