/* zxos ring-3 side: declarations shared by the C files. */
#ifndef ZXOS_H
#define ZXOS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "layout.h"

#define BOOTINFO_MAGIC 0x544F4F424D56585AULL /* "ZXVMBOOT" */

struct bootinfo {
    uint64_t magic;
    uint64_t ram_size;
    uint64_t timer_period_us;
    uint64_t disk_sectors;
    uint64_t cpus;              /* processors (APIC ids 0..cpus-1); 0 from an older VMM means 1 */
};

/* What each CPU did, indexed by local APIC id (boot.S zx_percpu; offsets in layout.h).  The
 * interrupt handlers count into it; an AP's ring-3 code reports its work there. */
struct percpu {
    uint32_t starts;            /* times this CPU came up through the AP trampoline */
    uint32_t ticks, irqs_unused, uart, vcon, vblk, wd, other, ipi;
    uint32_t ready;             /* 1: ring-3 work done; 2: answered CPU 0's IPI */
    uint32_t ring;              /* CS & 3 where the work ran */
    uint32_t pad;
    uint64_t work;              /* result of the ring-3 work */
    uint8_t reserved[8];
};
_Static_assert(sizeof(struct percpu) == PERCPU_SIZE, "struct percpu must match layout.h");
_Static_assert(__builtin_offsetof(struct percpu, ipi) == PERCPU_IPI, "percpu.ipi offset");
_Static_assert(__builtin_offsetof(struct percpu, ticks) == PERCPU_TICKS, "percpu.ticks offset");
extern volatile struct percpu zx_percpu[ZX_MAX_CPUS];

/* Counters maintained by the ring-0 interrupt handlers (boot.S). */
extern volatile uint32_t zx_ticks, zx_irq_count, zx_uart_irqs, zx_vcon_irqs, zx_vcon_status;
extern volatile uint32_t zx_vblk_irqs, zx_vblk_status, zx_wd_ticks, zx_other_irqs;

/* Port I/O (allowed by the TSS I/O bitmap) and MMIO with plain MOVs. */
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint32_t mmio_read32(uintptr_t addr)
{
    uint32_t v;
    __asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(addr) : "memory");
    return v;
}
static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
    __asm__ volatile("movl %0, (%1)" : : "r"(v), "r"(addr) : "memory");
}
static inline void barrier(void) { __asm__ volatile("" : : : "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("pause" : : : "memory"); }

/* int3 (vector VEC_SYSCALL) SYS_WAIT: halt (in ring 0) until the next interrupt, unless *p != seen already. */
static inline void sys_wait(volatile uint32_t *p, uint32_t seen)
{
    uint64_t op = SYS_WAIT;
    __asm__ volatile("int3" : "+a"(op) : "D"(p), "S"(seen) : "memory");
}

/* Deadlines in timer ticks (10 ms), backed by the local APIC watchdog (100 ms) in case the
 * VMM timer never ticks. */
struct deadline {
    uint32_t t0, w0, ticks;
};
void deadline_start(struct deadline *d, uint32_t ticks);
int deadline_expired(const struct deadline *d);

/* lib.c */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int vfmt(char *buf, size_t size, const char *fmt, va_list ap);
int fmt(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* uart.c */
void uart_init(void);
void uart_write(const char *s, size_t n);
void uprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

__attribute__((noreturn)) void zx_poweroff(int code);

/* smp.c */
int smp_test(const struct bootinfo *bi);
uint64_t smp_work(uint32_t cpu);

#endif
