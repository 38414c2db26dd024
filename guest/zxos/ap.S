/*
 * zxos application processors.  CPU 0 copies the trampoline (ap_trampoline .. ap_trampoline_end)
 * to AP_TRAMPOLINE and starts each AP with INIT and STARTUP (vector AP_TRAMPOLINE >> 12).  The AP
 * begins there in real mode (CS = 0x0800, IP = 0: Zircon's AP state, CS.base = entry), goes
 * through 32-bit protected mode into long mode on zxos's own page tables, and jumps to
 * ap_start64 at its linked address: the CPU's own stacks and TSS, the shared GDT and IDT, the
 * local APIC enabled, then ring 3 (zx_ap_main in smp.c) with IF=1.
 */
#include "layout.h"

#define TRAMP(label)    (AP_TRAMPOLINE + ((label) - ap_trampoline))
#define EFER_MSR        0xC0000080

        .section .text
        .globl  ap_trampoline, ap_trampoline_end
        .code16
ap_trampoline:
        cli
        cld
        lgdtl   %cs:(tramp_gdtr - ap_trampoline)
        movl    %cr0, %eax
        orl     $1, %eax                        /* PE */
        movl    %eax, %cr0
        ljmpl   $0x08, $TRAMP(tramp32)

        .code32
tramp32:
        movl    $0x10, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    $(ZX_IMAGE_BASE + 0x2000), %eax /* zxos's PML4 (boot.S OFF_PML4) */
        movl    %eax, %cr3
        movl    %cr4, %eax
        orl     $0x20, %eax                     /* PAE */
        movl    %eax, %cr4
        movl    $EFER_MSR, %ecx
        rdmsr
        orl     $0x100, %eax                    /* LME */
        wrmsr
        movl    %cr0, %eax
        orl     $0x80000001, %eax               /* PG | PE */
        andl    $0x9FFFFFFF, %eax               /* caches on: clear CD and NW */
        movl    %eax, %cr0
        ljmpl   $0x18, $TRAMP(tramp64)

        .code64
tramp64:
        movabsq $ap_start64, %rax
        jmpq    *%rax

        .balign 8
tramp_gdt:
        .quad   0
        .quad   0x00CF9A000000FFFF              /* 0x08 32-bit code */
        .quad   0x00CF92000000FFFF              /* 0x10 data */
        .quad   0x00AF9A000000FFFF              /* 0x18 64-bit code */
tramp_gdtr:
        .word   4 * 8 - 1
        .long   TRAMP(tramp_gdt)
ap_trampoline_end:

/* Long mode at the linked address, still on the trampoline's GDT, no stack yet. */
ap_start64:
        movl    $LAPIC_ID, %eax
        movl    (%rax), %ebx
        shrl    $24, %ebx                       /* this CPU's APIC id = zxos CPU number */
        cmpl    $ZX_MAX_CPUS, %ebx
        jae     ap_park
        testl   %ebx, %ebx
        jz      ap_park
        leal    -1(%rbx), %eax
        shll    $15, %eax                       /* (cpu - 1) * AP_STACK_STRIDE */
        leaq    ap_stacks(%rip), %r12
        addq    %rax, %r12                      /* this AP's stack block */
        leaq    0x2000(%r12), %rsp              /* kernel stack (also TSS RSP0) */
        lgdt    gdtr(%rip)
        lidt    idtr(%rip)
        pushq   $SEL_KCODE                      /* reload CS from zxos's GDT */
        leaq    1f(%rip), %rax
        pushq   %rax
        lretq
1:      movl    %ebx, %eax
        shll    $4, %eax
        addl    $SEL_TSS, %eax
        ltr     %ax
        xorl    %eax, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %fs
        movl    %eax, %gs
        movl    %eax, %ss
        movl    $LAPIC_SVR, %eax                /* software-enable the local APIC */
        movl    $0x1FF, (%rax)
        movl    %ebx, %eax
        shll    $6, %eax
        leaq    zx_percpu(%rip), %rdx
        lock incl PERCPU_STARTS(%rdx,%rax)      /* a CPU started twice would count 2 */
        /* To ring 3 with IF=1: zx_ap_main(cpu) on this AP's user stack. */
        movl    %ebx, %edi
        pushq   $SEL_UDATA
        leaq    AP_STACK_STRIDE(%r12), %rax
        pushq   %rax
        pushq   $0x202
        pushq   $SEL_UCODE
        leaq    ap_user_entry(%rip), %rax
        pushq   %rax
        iretq

ap_park:                                        /* an APIC id zxos does not use: stay halted */
        cli
        hlt
        jmp     ap_park

        .section .note.GNU-stack, "", @progbits
