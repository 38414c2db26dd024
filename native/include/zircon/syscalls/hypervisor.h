// Copyright the Zircon-on-Linux project authors.
//
// <zircon/syscalls/hypervisor.h>: guest trap kinds and the VCPU state structures.
// The guest and VCPU calls themselves (zx_guest_create, zx_vcpu_resume, ...) are declared in
// <zircon/syscalls.h>, as in Zircon.

#ifndef ZIRCON_SYSCALLS_HYPERVISOR_H_
#define ZIRCON_SYSCALLS_HYPERVISOR_H_

#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

// zx_guest_set_trap kinds.
typedef uint32_t zx_guest_trap_t;

#define ZX_GUEST_TRAP_BELL ((zx_guest_trap_t)0u)
#define ZX_GUEST_TRAP_MEM ((zx_guest_trap_t)1u)
#define ZX_GUEST_TRAP_IO ((zx_guest_trap_t)2u)

// zx_vcpu_read_state / zx_vcpu_write_state kinds.
typedef uint32_t zx_vcpu_t;

#define ZX_VCPU_STATE ((zx_vcpu_t)0u)
#define ZX_VCPU_IO ((zx_vcpu_t)1u)

// ZX_VCPU_STATE: the general registers of a stopped VCPU.
typedef struct zx_vcpu_state {
#if defined(__aarch64__)
  uint64_t x[31];
  uint64_t sp;
  // Only the user-controllable upper four bits (NZCV).
  uint32_t cpsr;
  uint8_t padding1[4];
#else
  uint64_t rax;
  uint64_t rcx;
  uint64_t rdx;
  uint64_t rbx;
  uint64_t rsp;
  uint64_t rbp;
  uint64_t rsi;
  uint64_t rdi;
  uint64_t r8;
  uint64_t r9;
  uint64_t r10;
  uint64_t r11;
  uint64_t r12;
  uint64_t r13;
  uint64_t r14;
  uint64_t r15;
  // Only the user-controllable flags (CF PF AF ZF SF TF DF OF NT AC ID) are read or written.
  uint64_t rflags;
#endif
} zx_vcpu_state_t;

// ZX_VCPU_IO: the result of a guest IN, written before the next zx_vcpu_resume.
// Anonymous structs and unions (Zircon's layouts) are C11 and a GNU extension in C99 and C++:
// __extension__ keeps -pedantic quiet about them while the field names stay Zircon's.
typedef struct zx_vcpu_io {
  uint8_t access_size;  // 1, 2 or 4
  uint8_t padding1[3];
  __extension__ union {
    __extension__ struct {
      uint8_t u8;
      uint8_t padding2[3];
    };
    __extension__ struct {
      uint16_t u16;
      uint8_t padding3[2];
    };
    uint32_t u32;
    uint8_t data[4];
  };
} zx_vcpu_io_t;

__END_CDECLS

#endif  // ZIRCON_SYSCALLS_HYPERVISOR_H_
