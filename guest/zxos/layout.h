/* zxos — shared constants (included by C and assembly). */
#ifndef ZXOS_LAYOUT_H
#define ZXOS_LAYOUT_H

#define ZX_IMAGE_BASE       0x100000    /* link and load address; entry = first byte */
#define ZX_BOOTINFO         0x6000

/* GDT selectors */
#define SEL_KCODE           0x08
#define SEL_KDATA           0x10
#define SEL_UDATA           0x1B        /* index 3, RPL 3 */
#define SEL_UCODE           0x23        /* index 4, RPL 3 */
#define SEL_TSS             0x28        /* index 5 (16-byte descriptor): CPU 0; CPU i at SEL_TSS + 16 * i */

/* Processors: zxos runs on up to ZX_MAX_CPUS (APIC ids 0..ZX_MAX_CPUS-1) */
#define ZX_MAX_CPUS         4
#define AP_TRAMPOLINE       0x8000      /* real-mode AP entry (STARTUP vector 0x08), copied here by CPU 0 */
#define AP_STACK_STRIDE     0x8000      /* per AP: kernel stack 8 KiB, #DF stack 4 KiB, user stack 16 KiB */
#define PERCPU_SIZE         64          /* struct percpu, see zxos.h */
#define PERCPU_STARTS       0
#define PERCPU_TICKS        4
#define PERCPU_IRQS         8
#define PERCPU_UART         12
#define PERCPU_VCON         16
#define PERCPU_VBLK         20
#define PERCPU_WD           24
#define PERCPU_OTHER        28
#define PERCPU_IPI          32

/* Vectors */
#define VEC_TIMER           32
#define VEC_UART            36
#define VEC_VCON            40
#define VEC_VBLK            41
#define VEC_WATCHDOG        48          /* local APIC timer, zxos's own safety net */
#define VEC_IPI             80          /* inter-processor interrupt between zxos's CPUs */
#define VEC_SYSCALL         3           /* int3: the only INT n PVM reflects from ring 3 */
#define VEC_SPURIOUS        0xFF

/* int3 services (RAX) */
#define SYS_WAIT            0           /* RDI = u32 *, ESI = value: hlt once if *RDI == ESI */

/* Local APIC (xAPIC MMIO) */
#define LAPIC_BASE          0xFEE00000
#define LAPIC_ID            0xFEE00020
#define LAPIC_EOI           0xFEE000B0
#define LAPIC_ICR_LO        0xFEE00300
#define LAPIC_ICR_HI        0xFEE00310
#define LAPIC_SVR           0xFEE000F0
#define LAPIC_LVT_TIMER     0xFEE00320
#define LAPIC_TIMER_ICR     0xFEE00380
#define LAPIC_TIMER_DCR     0xFEE003E0
#define WATCHDOG_COUNT      100000000   /* 100 ms at KVM's 1 GHz APIC bus, divide by 1 */

/* Ports */
#define PORT_UART           0x3F8
#define PORT_TIMER_PERIOD   0x500
#define PORT_TIMER_TICKS    0x504
#define PORT_POWEROFF       0x600
#define PORT_RESET          0x601

/* virtio-mmio windows */
#define VCON_REGS           0xD0000000
#define VCON_BELL           0xD0001000
#define VBLK_REGS           0xD0002000
#define VBLK_BELL           0xD0003000
#define VIRTIO_INT_STATUS   0x060
#define VIRTIO_INT_ACK      0x064

/* Exit codes written to port 0x600 */
#define EXIT_OK             0
#define EXIT_BOOTINFO       1
#define EXIT_VIRTIO_INIT    2
#define EXIT_EXCEPTION      3
#define EXIT_DISK           4
#define EXIT_CONSOLE        5
#define EXIT_TIMER          6
#define EXIT_SMP            7

#endif
