/* zxos ring-3 entry: clear .bss, run zx_main(boot info), power off with its result. */
        .section .text
        .code64
        .globl  user_entry
user_entry:
        movq    %rdi, %r12
        leaq    __bss_start(%rip), %rdi
        leaq    __bss_end(%rip), %rcx
        subq    %rdi, %rcx
        xorl    %eax, %eax
        cld
        rep stosb
        movq    %r12, %rdi
        call    zx_main
        movl    %eax, %edi
        call    zx_poweroff
1:      jmp     1b

/* An application processor's ring-3 entry: EDI = CPU number; zx_ap_main never returns. */
        .globl  ap_user_entry
ap_user_entry:
        call    zx_ap_main
2:      jmp     2b

        .section .note.GNU-stack, "", @progbits
