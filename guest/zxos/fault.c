/*
 * zxos ring-0 exception report.  Runs at CPL0, i.e. emulated instruction by instruction on a
 * PVM host: kept short and built with -mgeneral-regs-only like everything else.  It uses
 * nothing from the ring-3 side.
 */
#include <stdint.h>
#include "layout.h"

static inline void r0_outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t r0_inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static void r0_putc(char c)
{
    for (int i = 0; i < 1000 && !(r0_inb(PORT_UART + 5) & 0x20); i++)
        ;
    r0_outb(PORT_UART, (uint8_t)c);
}

static void r0_puts(const char *s)
{
    while (*s)
        r0_putc(*s++);
}

static void r0_hex(uint64_t v)
{
    char buf[16];
    int n = 0;
    do {
        buf[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    r0_puts("0x");
    while (n)
        r0_putc(buf[--n]);
}

static const char names[32][4] = {
    "DE", "DB", "NMI", "BP", "OF", "BR", "UD", "NM", "DF", "CSO", "TS", "NP", "SS", "GP", "PF", "15",
    "MF", "AC", "MC", "XM", "VE", "CP", "22", "23", "24", "25", "26", "27", "HV", "VC", "SX", "31",
};

__attribute__((noreturn, used)) void zx_fault(uint64_t vec, uint64_t err, uint64_t rip, uint64_t cs,
                                               uint64_t rsp, uint64_t cr2)
{
    r0_puts("\nzxos: exception #");
    r0_puts(names[vec & 31]);
    r0_puts(" vector=");
    r0_hex(vec);
    r0_puts(" err=");
    r0_hex(err);
    r0_puts(" rip=");
    r0_hex(rip);
    r0_puts(" cs=");
    r0_hex(cs);
    r0_puts(" rsp=");
    r0_hex(rsp);
    if (vec == 14) {
        r0_puts(" cr2=");
        r0_hex(cr2);
    }
    r0_putc('\n');
    r0_outb(PORT_POWEROFF, EXIT_EXCEPTION);
    for (;;)
        __asm__ volatile("cli; hlt");
}
