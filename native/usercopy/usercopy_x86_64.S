// Fault-tolerant access to caller ("user") memory for libzircon's C ABI, x86-64.
//
// Every read or write of memory a C caller handed to a zx_* export goes through these two
// routines. Each has exactly one instruction that touches that memory; if it faults, the signal
// handler in usercopy.c sees the faulting address is that instruction and resumes at the
// routine's fixup, which returns -1. No system call, no check per pointer: a good pointer costs
// only the copy. Real kernels handle copy_from_user/copy_to_user the same way (exception tables).

    .text

// int zxn_user_copy(void* dst, const void* src, size_t len): 0, or -1 if either side faulted.
    .globl zxn_user_copy
    .type zxn_user_copy, @function
    .p2align 4
zxn_user_copy:
    mov     %rdx, %rcx
    .globl zxn_user_copy_access
zxn_user_copy_access:
    rep movsb
    xor     %eax, %eax
    ret
    .globl zxn_user_copy_fixup
zxn_user_copy_fixup:
    mov     $-1, %eax
    ret
    .size zxn_user_copy, . - zxn_user_copy

// int zxn_user_probe_write(void* ptr, size_t len): 0 if every page of [ptr, ptr+len) takes a
// write, else -1. Writes nothing: an atomic OR with 0 leaves each byte as it is, even if another
// thread writes it at the same moment.
    .globl zxn_user_probe_write
    .type zxn_user_probe_write, @function
    .p2align 4
zxn_user_probe_write:
    xor     %eax, %eax
    test    %rsi, %rsi
    jz      2f
    lea     -1(%rdi,%rsi), %rdx        // last byte
1:
    .globl zxn_user_probe_access
zxn_user_probe_access:
    lock orb $0, (%rdi)
    and     $-4096, %rdi               // next page
    add     $4096, %rdi
    jc      2f                         // wrapped past the top: done
    cmp     %rdx, %rdi
    jbe     1b
2:
    ret
    .globl zxn_user_probe_fixup
zxn_user_probe_fixup:
    mov     $-1, %eax
    ret
    .size zxn_user_probe_write, . - zxn_user_probe_write

    .section .note.GNU-stack, "", @progbits
