/*
 * zxos ring-0 part: boot, descriptor tables, page tables, interrupt and trap handlers.
 *
 * On a PVM host every instruction run at CPL0 is emulated (~1.4 us each), so everything
 * here is either prebuilt data or a handful of instructions.  The IDT and the TSS
 * descriptor hold split addresses, which cannot be expressed as relocations; instead every
 * handler the IDT points to sits at a fixed offset from the image base (.org), so the gates
 * are assemble-time constants.  This section must be linked first, at ZX_IMAGE_BASE
 * (checked by the linker script).
 */
#include "layout.h"

/* Fixed offsets inside .boot */
#define OFF_EXC         0x200   /* 32 exception stubs, 16 bytes each */
#define OFF_IRQ_DEFAULT 0x400
#define OFF_IRQ_TIMER   0x480
#define OFF_IRQ_UART    0x500
#define OFF_IRQ_VCON    0x580
#define OFF_IRQ_VBLK    0x600
#define OFF_IRQ_WD      0x680
#define OFF_SYSCALL     0x700
#define OFF_SPURIOUS    0x780
#define OFF_EXC_COMMON  0x800
#define OFF_IRQ_IPI     0x880
#define OFF_GDT         0x900
#define OFF_TSS         0xA00
#define OFF_IDT         0x1000
#define OFF_PML4        0x2000
#define OFF_PDPT        0x3000
#define OFF_PD          0x4000  /* four page directories: 0..4 GiB in 2 MiB pages */
#define OFF_END         0x8000

#define TSS_ADDR        (ZX_IMAGE_BASE + OFF_TSS)
#define TSS_STRIDE      0x140   /* one TSS per CPU, each with its I/O bitmap */
#define IOMAP_OFF       0x68
#define IOMAP_BYTES     0xC1    /* ports 0x000..0x607 */
#define TSS_LIMIT       (IOMAP_OFF + IOMAP_BYTES + 1 - 1)   /* + one 0xFF terminator byte */

        .section .boot, "awx", @progbits
        .code64

/* ------------------------------------------------------------------------------------------
 * Entry: Zircon's 64-bit initial state, RDI = boot info (kept for ring 3), RSP = 0.
 * ---------------------------------------------------------------------------------------- */
        .globl _start
_start:
        cli
        leaq    kstack_top(%rip), %rsp
        lgdt    gdtr(%rip)
        lidt    idtr(%rip)
        leaq    pml4(%rip), %rax
        movq    %rax, %cr3
        movq    %cr0, %rax                      /* caches on: clear CD (30) and NW (29) */
        andl    $0x9FFFFFFF, %eax
        movq    %rax, %cr0
        movl    $SEL_TSS, %eax
        ltr     %ax
        xorl    %eax, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %fs
        movl    %eax, %gs
        /* Local APIC: software-enable (spurious vector 0xFF); periodic watchdog timer. */
        movl    $LAPIC_SVR, %eax
        movl    $0x1FF, (%rax)
        movl    $LAPIC_TIMER_DCR, %eax
        movl    $0x0B, (%rax)
        movl    $LAPIC_LVT_TIMER, %eax
        movl    $(0x20000 | VEC_WATCHDOG), (%rax)
        movl    $LAPIC_TIMER_ICR, %eax
        movl    $WATCHDOG_COUNT, (%rax)
        /* To ring 3 with IF=1, IOPL=0.  RDI still holds the boot-info address. */
        pushq   $SEL_UDATA
        leaq    ustack_top(%rip), %rax
        pushq   %rax
        pushq   $0x202
        pushq   $SEL_UCODE
        leaq    user_entry(%rip), %rax
        pushq   %rax
        iretq

/* ------------------------------------------------------------------------------------------
 * Exception stubs: vector v at OFF_EXC + 16*v.  Push a zero error code where the CPU does
 * not, then the vector.
 * ---------------------------------------------------------------------------------------- */
        .set    v, 0
        .rept   32
        .org    OFF_EXC + 16 * v
        .if (v == 8) || (v == 10) || (v == 11) || (v == 12) || (v == 13) || (v == 14) || (v == 17) || (v == 21) || (v == 29) || (v == 30)
        .else
        pushq   $0
        .endif
        pushq   $v
        jmp     exc_common
        .set    v, v + 1
        .endr

/* EOI to the local APIC; clobbers %rdx. */
.macro  EOI
        movl    $LAPIC_EOI, %edx
        movl    $0, (%rdx)
.endm

/* Count an interrupt in this CPU's struct percpu (CPU = local APIC id); leaves the CPU in %edx
 * (times PERCPU_SIZE).  Every CPU may take any vector, so shared counters use LOCK. */
.macro  PERCPU_INC field
        movl    $LAPIC_ID, %edx
        movl    (%rdx), %edx
        shrl    $24, %edx
        andl    $(ZX_MAX_CPUS - 1), %edx
        shll    $6, %edx
        lock incl zx_percpu + \field(%rdx)
.endm

/* Device interrupt of a virtio-mmio device: acknowledge InterruptStatus, record it. */
.macro  VIRTIO_ISR regs, count, status, pcfield
        pushq   %rax
        pushq   %rdx
        movl    $\regs, %edx
        movl    VIRTIO_INT_STATUS(%rdx), %eax
        movl    %eax, VIRTIO_INT_ACK(%rdx)
        lock orl %eax, \status(%rip)
        lock incl \count(%rip)
        lock incl zx_irq_count(%rip)
        PERCPU_INC \pcfield
        EOI
        popq    %rdx
        popq    %rax
        iretq
.endm

        .org    OFF_IRQ_DEFAULT         /* any other vector >= 32: count, EOI */
isr_default:
        pushq   %rdx
        lock incl zx_other_irqs(%rip)
        lock incl zx_irq_count(%rip)
        PERCPU_INC PERCPU_OTHER
        EOI
        popq    %rdx
        iretq

        .org    OFF_IRQ_TIMER           /* vector 32: periodic timer */
isr_timer:                              /* bound to every CPU: zx_ticks counts CPU 0's */
        pushq   %rdx
        lock incl zx_irq_count(%rip)
        PERCPU_INC PERCPU_TICKS
        testl   %edx, %edx
        jnz     1f
        incl    zx_ticks(%rip)
1:      EOI
        popq    %rdx
        iretq

        .org    OFF_IRQ_UART            /* vector 36: 16550; reading IIR clears THRE */
isr_uart:
        pushq   %rax
        pushq   %rdx
        movl    $(PORT_UART + 2), %edx
        inb     %dx, %al
        lock incl zx_uart_irqs(%rip)
        lock incl zx_irq_count(%rip)
        PERCPU_INC PERCPU_UART
        EOI
        popq    %rdx
        popq    %rax
        iretq

        .org    OFF_IRQ_VCON            /* vector 40: virtio-console */
isr_vcon:
        VIRTIO_ISR VCON_REGS, zx_vcon_irqs, zx_vcon_status, PERCPU_VCON

        .org    OFF_IRQ_VBLK            /* vector 41: virtio-blk */
isr_vblk:
        VIRTIO_ISR VBLK_REGS, zx_vblk_irqs, zx_vblk_status, PERCPU_VBLK

        .org    OFF_IRQ_WD              /* vector 48: local APIC timer (watchdog) */
isr_watchdog:
        pushq   %rdx
        lock incl zx_wd_ticks(%rip)
        lock incl zx_irq_count(%rip)
        PERCPU_INC PERCPU_WD
        EOI
        popq    %rdx
        iretq

        .org    OFF_SYSCALL             /* int3 from ring 3 (vector 3, DPL 3) */
isr_syscall:
        testq   %rax, %rax
        jnz     2f
        /* SYS_WAIT: halt once, unless *(u32 *)RDI already differs from ESI. */
        cmpl    %esi, (%rdi)
        jne     1f
        sti                             /* the STI shadow covers HLT: no lost wake-up */
        hlt
        cli
1:      xorl    %eax, %eax
        iretq
2:      movq    $-1, %rax
        iretq

        .org    OFF_SPURIOUS            /* vector 0xFF: APIC spurious, no EOI */
isr_spurious:
        iretq

        .org    OFF_EXC_COMMON
exc_common:                             /* [vector][error][rip][cs][rflags][rsp][ss] */
        movq    0(%rsp), %rdi
        movq    8(%rsp), %rsi
        movq    16(%rsp), %rdx
        movq    24(%rsp), %rcx
        movq    40(%rsp), %r8
        movq    %cr2, %r9
        andq    $-16, %rsp
        call    zx_fault                /* reports via the UART, powers off with code 3 */
3:      cli
        hlt
        jmp     3b

        .org    OFF_IRQ_IPI             /* vector 80: IPI from another zxos CPU */
isr_ipi:
        pushq   %rdx
        lock incl zx_irq_count(%rip)
        PERCPU_INC PERCPU_IPI
        EOI
        popq    %rdx
        iretq

/* ------------------------------------------------------------------------------------------
 * GDT: null, kernel code, kernel data, user data, user code, 64-bit TSS.
 * ---------------------------------------------------------------------------------------- */
        .org    OFF_GDT
        .balign 8
gdt:
        .quad   0
        .quad   0x00AF9B000000FFFF      /* 0x08 kernel code, L=1 */
        .quad   0x00CF93000000FFFF      /* 0x10 kernel data */
        .quad   0x00CFF3000000FFFF      /* 0x18 user data, DPL 3 */
        .quad   0x00AFFB000000FFFF      /* 0x20 user code, DPL 3, L=1 */
        .set    c, 0                    /* 0x28 + 16 * cpu: TSS of each CPU (available 64-bit TSS) */
        .rept   ZX_MAX_CPUS
        .word   TSS_LIMIT & 0xFFFF
        .word   (TSS_ADDR + c * TSS_STRIDE) & 0xFFFF
        .byte   ((TSS_ADDR + c * TSS_STRIDE) >> 16) & 0xFF
        .byte   0x89
        .byte   (TSS_LIMIT >> 16) & 0x0F
        .byte   ((TSS_ADDR + c * TSS_STRIDE) >> 24) & 0xFF
        .long   0
        .long   0
        .set    c, c + 1
        .endr
gdt_end:
        .balign 8
        .word   0
        .globl  gdtr, idtr, pml4
gdtr:   .word   (5 + 2 * ZX_MAX_CPUS) * 8 - 1
        .quad   gdt
        .word   0, 0, 0
idtr:   .word   256 * 16 - 1
        .quad   idt

/* ------------------------------------------------------------------------------------------
 * One TSS per CPU with RSP0, IST1 (double fault) and an I/O permission bitmap granting ring 3 the
 * UART (0x3F8-0x3FF), the timer (0x500-0x507) and power control (0x600-0x601).
 * ---------------------------------------------------------------------------------------- */
        .org    OFF_TSS
tss:
        .set    c, 0
        .rept   ZX_MAX_CPUS
        .org    OFF_TSS + c * TSS_STRIDE
        .long   0
        .if c == 0
        .quad   kstack_top              /* RSP0 */
        .else
        .quad   ap_stacks + (c - 1) * AP_STACK_STRIDE + 0x2000
        .endif
        .quad   0, 0                    /* RSP1, RSP2 */
        .quad   0
        .if c == 0
        .quad   dfstack_top             /* IST1 */
        .else
        .quad   ap_stacks + (c - 1) * AP_STACK_STRIDE + 0x3000
        .endif
        .quad   0, 0, 0, 0, 0, 0        /* IST2..IST7 */
        .quad   0
        .word   0
        .word   IOMAP_OFF
        .org    OFF_TSS + c * TSS_STRIDE + IOMAP_OFF
        .set    b, 0
        .rept   IOMAP_BYTES
        .if b == (0x3F8 >> 3)
        .byte   0x00
        .elseif b == (0x500 >> 3)
        .byte   0x00
        .elseif b == (0x600 >> 3)
        .byte   0xFC                    /* 0x600, 0x601 */
        .else
        .byte   0xFF
        .endif
        .set    b, b + 1
        .endr
        .byte   0xFF                    /* terminator (the CPU reads two bytes) */
        .set    c, c + 1
        .endr

/* ------------------------------------------------------------------------------------------
 * IDT: exceptions 0-31 to their stubs (#DF on IST1), 32.. to the handlers above.
 * ---------------------------------------------------------------------------------------- */
.macro  GATE off, ist=0, attr=0x8E
        .word   (ZX_IMAGE_BASE + (\off)) & 0xFFFF
        .word   SEL_KCODE
        .byte   \ist
        .byte   \attr
        .word   ((ZX_IMAGE_BASE + (\off)) >> 16) & 0xFFFF
        .long   0
        .long   0
.endm

        .org    OFF_IDT
idt:
        .set    v, 0
        .rept   256
        .if v == VEC_SYSCALL
          GATE OFF_SYSCALL, 0, 0xEE
        .elseif v < 32
          .if v == 8
            GATE (OFF_EXC + 16 * v), 1
          .else
            GATE (OFF_EXC + 16 * v)
          .endif
        .elseif v == VEC_TIMER
          GATE OFF_IRQ_TIMER
        .elseif v == VEC_UART
          GATE OFF_IRQ_UART
        .elseif v == VEC_VCON
          GATE OFF_IRQ_VCON
        .elseif v == VEC_VBLK
          GATE OFF_IRQ_VBLK
        .elseif v == VEC_WATCHDOG
          GATE OFF_IRQ_WD
        .elseif v == VEC_SPURIOUS
          GATE OFF_SPURIOUS
        .elseif v == VEC_IPI
          GATE OFF_IRQ_IPI
        .else
          GATE OFF_IRQ_DEFAULT
        .endif
        .set    v, v + 1
        .endr

/* ------------------------------------------------------------------------------------------
 * Page tables: identity map of 0..4 GiB with 2 MiB pages, present | writable | user.
 * Covers RAM (<= 4 GiB), the virtio windows at 0xD0000000 and the local APIC.
 * ---------------------------------------------------------------------------------------- */
        .org    OFF_PML4
pml4:
        .quad   pdpt + 0x007
        .fill   511, 8, 0

        .org    OFF_PDPT
pdpt:
        .quad   pd + 0x0007
        .quad   pd + 0x1007
        .quad   pd + 0x2007
        .quad   pd + 0x3007
        .fill   508, 8, 0

        .org    OFF_PD
pd:
        .set    i, 0
        .rept   2048
        .quad   (i << 21) | 0x87
        .set    i, i + 1
        .endr
        .org    OFF_END

/* ------------------------------------------------------------------------------------------
 * State shared with ring 3 (read-only there).  In .data so it is part of the image.
 * ---------------------------------------------------------------------------------------- */
        .section .data
        .balign 64
        .globl  zx_ticks, zx_irq_count, zx_uart_irqs, zx_vcon_irqs, zx_vcon_status
        .globl  zx_vblk_irqs, zx_vblk_status, zx_wd_ticks, zx_other_irqs
zx_ticks:       .long 0         /* vector 32 count */
zx_irq_count:   .long 0         /* every interrupt; SYS_WAIT waits on this */
zx_uart_irqs:   .long 0
zx_vcon_irqs:   .long 0
zx_vcon_status: .long 0         /* OR of InterruptStatus values acknowledged */
zx_vblk_irqs:   .long 0
zx_vblk_status: .long 0
zx_wd_ticks:    .long 0         /* local APIC timer count */
zx_other_irqs:  .long 0

        /* struct percpu[ZX_MAX_CPUS] (zxos.h): what each CPU did, indexed by local APIC id. */
        .balign 64
        .globl  zx_percpu
zx_percpu:      .fill   ZX_MAX_CPUS * PERCPU_SIZE, 1, 0

/* Stacks: not part of the image, not cleared (RAM starts zeroed). */
        .section .stacks, "aw", @nobits
        .balign 4096
        .space  8192
kstack_top:
        .space  4096
dfstack_top:
        .globl  ustack_top
        .space  16384
ustack_top:
        /* CPUs 1..ZX_MAX_CPUS-1: AP_STACK_STRIDE each: kernel stack top +0x2000, #DF +0x3000, user +0x8000 */
        .balign 4096
        .globl  ap_stacks
ap_stacks:
        .space  (ZX_MAX_CPUS - 1) * AP_STACK_STRIDE

        .section .note.GNU-stack, "", @progbits
