// Fault-tolerant access to caller ("user") memory for libzircon's C ABI, x86-64.
//
// Every read or write of memory a C caller handed to a zx_* export goes through these two
// routines. Only instructions inside each routine's [begin, end) range touch that memory; if one
// faults, the signal handler in usercopy.c sees the faulting address is in that range and resumes
// at the routine's fixup, which returns -1 (the routines keep nothing on the stack, so "ret" from
// the fixup returns to the caller). No system call, no check per pointer: a good pointer costs
// only the copy. Real kernels handle copy_from_user/copy_to_user the same way (exception tables).

    .text

// int zxn_user_copy(void* dst, const void* src, size_t len): 0, or -1 if either side faulted.
// Small copies (the structs of most calls) move 8 bytes at a time, larger ones use rep movsb;
// every instruction between zxn_user_copy_begin and zxn_user_copy_end may fault.
    .globl zxn_user_copy
    .type zxn_user_copy, @function
    .p2align 4
zxn_user_copy:
    .globl zxn_user_copy_begin
zxn_user_copy_begin:
    cmp     $64, %rdx
    ja      3f
1:
    cmp     $8, %rdx
    jb      2f
    mov     (%rsi), %rax
    mov     %rax, (%rdi)
    add     $8, %rsi
    add     $8, %rdi
    sub     $8, %rdx
    jmp     1b
2:
    test    %rdx, %rdx
    jz      4f
    movb    (%rsi), %al
    movb    %al, (%rdi)
    inc     %rsi
    inc     %rdi
    dec     %rdx
    jmp     2b
3:
    mov     %rdx, %rcx
    rep movsb
4:
    xor     %eax, %eax
    ret
    .globl zxn_user_copy_end
zxn_user_copy_end:
    .globl zxn_user_copy_fixup
zxn_user_copy_fixup:
    mov     $-1, %eax
    ret
    .size zxn_user_copy, . - zxn_user_copy

// int zxn_user_probe_write(void* ptr, size_t len): 0 if every page of [ptr, ptr+len) takes a
// write, else -1. It writes back the byte it read, one per page: the caller is about to overwrite
// that memory with its output anyway (a caller writing its own output buffer from another thread
// at the same time races with the call itself), and a plain store costs a third of a locked one.
    .globl zxn_user_probe_write
    .type zxn_user_probe_write, @function
    .p2align 4
zxn_user_probe_write:
    xor     %eax, %eax
    test    %rsi, %rsi
    jz      2f
    lea     -1(%rdi,%rsi), %rdx        // last byte
1:
    .globl zxn_user_probe_begin
zxn_user_probe_begin:
    movb    (%rdi), %cl
    movb    %cl, (%rdi)
    .globl zxn_user_probe_end
zxn_user_probe_end:
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
