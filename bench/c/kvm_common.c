/* VM, VCPU and kick plumbing shared by the raw KVM baselines (see kvm_baseline.h). */
#include "kvm_baseline.h"

int kb_kvm = -1;
int kb_run_size;
struct kvm_cpuid2 *kb_cpuid;
static pthread_mutex_t s_init_lock = PTHREAD_MUTEX_INITIALIZER;

/* Never runs while the signal is blocked outside KVM_RUN; it only keeps a stray kick harmless. */
static void kb_on_kick(int sig) { (void)sig; }

int kb_init(void)
{
    pthread_mutex_lock(&s_init_lock);
    int status = 0;
    if (kb_kvm < 0) {
        int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        if (kvm < 0) {
            status = -errno;
            goto out;
        }
        int size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
        if (size <= 0) {
            status = -errno;
            close(kvm);
            goto out;
        }
        int nent = 256;
        struct kvm_cpuid2 *cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(struct kvm_cpuid_entry2));
        cpuid->nent = nent;
        if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, cpuid) < 0) {
            status = -errno;
            free(cpuid);
            close(kvm);
            goto out;
        }
        struct sigaction action = { .sa_handler = kb_on_kick };
        sigemptyset(&action.sa_mask);
        sigaction(KB_KICK_SIGNAL, &action, NULL);
        kb_cpuid = cpuid;
        kb_run_size = size;
        kb_kvm = kvm;
    }
out:
    pthread_mutex_unlock(&s_init_lock);
    return status;
}

int64_t kb_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static struct kvm_segment kb_segment(uint8_t type, uint8_t s, uint8_t l)
{
    struct kvm_segment seg = { .base = 0, .limit = 0xFFFF, .type = type, .present = 1, .s = s, .l = l };
    return seg;
}

static void kb_lapic_set(struct kvm_lapic_state *lapic, int offset, uint32_t value)
{
    memcpy(&lapic->regs[offset], &value, sizeof(value));
}

int kb_vm_create(const uint8_t *image, size_t size, size_t memory, int *vm, int *memfd, uint8_t **mapped)
{
    *vm = *memfd = -1;
    *mapped = NULL;
    int status = kb_init();
    if (status != 0)
        return status;
    if ((*vm = ioctl(kb_kvm, KVM_CREATE_VM, 0)) < 0)
        return -errno;
    struct kvm_enable_cap split = { .cap = KVM_CAP_SPLIT_IRQCHIP, .args = { 24 } };
    if (ioctl(*vm, KVM_ENABLE_CAP, &split) < 0)
        return -errno;
    if ((*memfd = memfd_create("kb-guest", MFD_CLOEXEC)) < 0 || ftruncate(*memfd, (off_t)memory) < 0)
        return -errno;
    void *mem = mmap(NULL, memory, PROT_READ | PROT_WRITE, MAP_SHARED, *memfd, 0);
    if (mem == MAP_FAILED)
        return -errno;
    *mapped = mem;
    memcpy(mem, image, size);
    struct kvm_userspace_memory_region region = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = memory, .userspace_addr = (uint64_t)(uintptr_t)mem,
    };
    if (ioctl(*vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        return -errno;
    return 0;
}

int kb_vcpu_create(int vm, int id, bool bootstrap, uint64_t entry, int *vcpu, struct kvm_run **run)
{
    *run = NULL;
    if ((*vcpu = ioctl(vm, KVM_CREATE_VCPU, id)) < 0)
        return -errno;
    void *mapping = mmap(NULL, (size_t)kb_run_size, PROT_READ | PROT_WRITE, MAP_SHARED, *vcpu, 0);
    if (mapping == MAP_FAILED)
        return -errno;
    *run = mapping;
    if (ioctl(*vcpu, KVM_SET_CPUID2, kb_cpuid) < 0)
        return -errno;

    struct kvm_sregs sregs;
    if (ioctl(*vcpu, KVM_GET_SREGS, &sregs) < 0)
        return -errno;
    uint64_t apic_base = sregs.apic_base;
    memset(&sregs, 0, sizeof(sregs));
    sregs.apic_base = apic_base;
    sregs.cs = kb_segment(0xF, 1, 1);
    sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = kb_segment(0x3, 1, 0);
    sregs.tr = kb_segment(0xB, 0, 0);
    sregs.ldt = kb_segment(0x2, 0, 0);
    sregs.gdt.limit = sregs.idt.limit = 0xFFFF;
    sregs.cr0 = 0xC0000011;
    sregs.cr4 = 0x20;
    sregs.efer = 0xD01;
    struct kvm_regs regs = { .rip = KB_BSP_ENTRY, .rflags = 0x2 };
    if (!bootstrap) {
        /* Zircon's AP state (KvmX86State.SetApplicationProcessor): real mode at ENTRY. */
        sregs.cs = kb_segment(0xF, 1, 0);
        sregs.cs.base = entry;
        sregs.cs.selector = (uint16_t)(entry >> 4);
        sregs.cr0 = 0x20; /* NE only (KvmX86State.ApCr0): protection and paging off */
        sregs.cr4 = 0;
        sregs.efer = 0xD01 & ~0x500ULL;
        regs.rip = 0;
    }
    if (ioctl(*vcpu, KVM_SET_SREGS, &sregs) < 0 || ioctl(*vcpu, KVM_SET_REGS, &regs) < 0)
        return -errno;

    struct kvm_lapic_state lapic;
    if (ioctl(*vcpu, KVM_GET_LAPIC, &lapic) < 0)
        return -errno;
    kb_lapic_set(&lapic, 0xF0, 0x1FF);  /* SVR: enabled, spurious vector 0xFF */
    kb_lapic_set(&lapic, 0x350, 0x700); /* LVT0: ExtINT */
    kb_lapic_set(&lapic, 0x360, 0x400); /* LVT1: NMI */
    if (ioctl(*vcpu, KVM_SET_LAPIC, &lapic) < 0)
        return -errno;
    if (!bootstrap) {
        struct kvm_mp_state runnable = { .mp_state = KVM_MP_STATE_RUNNABLE };
        if (ioctl(*vcpu, KVM_SET_MP_STATE, &runnable) < 0)
            return -errno;
    }
    return 0;
}

int kb_bind_vcpu_thread(int vcpu)
{
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, KB_KICK_SIGNAL);
    pthread_sigmask(SIG_BLOCK, &block, NULL);
    /* Inside KVM_RUN only the kick gets through, as in a C VMM: the .NET runtime's own signals
     * (GC suspension) wait until KVM_RUN returns, which they may, since the thread is in native code. */
    sigset_t inside;
    sigfillset(&inside);
    sigdelset(&inside, KB_KICK_SIGNAL);
    /* The kernel's 8-byte sigset follows the 4-byte length directly (offset 4). A struct with a
     * uint64_t after the header put it at offset 8: the kernel then read 4 bytes of padding and the
     * low half of the mask, which blocked the kick inside KVM_RUN, and every kick was lost. */
    uint8_t sm[sizeof(struct kvm_signal_mask) + 8];
    _Static_assert(sizeof(struct kvm_signal_mask) == 4, "the sigset follows a 4-byte length");
    uint32_t len = 8; /* the kernel's sigset size */
    memcpy(sm, &len, sizeof(len));
    memcpy(sm + sizeof(struct kvm_signal_mask), &inside, 8);
    if (ioctl(vcpu, KVM_SET_SIGNAL_MASK, sm) < 0)
        return -errno;
    return (int)syscall(SYS_gettid);
}

void kb_drain_kicks(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, KB_KICK_SIGNAL);
    struct timespec zero = { 0, 0 };
    while (sigtimedwait(&set, NULL, &zero) > 0) {
    }
}

int kb_kick_thread(pid_t tid)
{
    if (syscall(SYS_tgkill, getpid(), tid, KB_KICK_SIGNAL) < 0)
        return -errno;
    return 0;
}
