/*
 * Raw KVM baselines for the VCPU benchmark rows: the same guest bytes the C# benchmarks load
 * (GuestImage in bench/Zircon.Benchmarks), run with nothing but KVM ioctls, no .NET in the path.
 *
 * Built by bench/run.sh as a shared library that zircon-bench loads, so that every raw C loop runs
 * in the same process, on the same thread and interleaved batch by batch with the Zircon loop it
 * is compared with. The set-up mirrors RawGuest: split irqchip, one memfd slot at guest-physical
 * 0, Zircon's initial 64-bit BSP state (KvmX86State.SetBootstrapProcessor), KVM's supported CPUID
 * and the LAPIC enabled with LINT0 in ExtINT mode.
 *
 * Every function returns 0 (or a count) on success and -errno on failure; -EPROTO means the guest
 * exited in a way the caller did not expect (kb_last_exit tells which).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define KB_API __attribute__((visibility("default")))

/* Real-time signal that makes KVM_RUN return; SIGRTMAX - 2 is Zircon's own kick signal. */
#define KB_KICK_SIGNAL (SIGRTMAX - 3)
/* First GSI above the split irqchip's IOAPIC pins, as KvmVm.AddMsiRoute picks. */
#define KB_MSI_GSI 24

struct kb_guest {
    int vm;
    int vcpu;
    int memfd;
    struct kvm_run *run;
    size_t run_size;
    uint8_t *memory;
    size_t memory_size;
    pid_t tid;               /* VCPU thread (the creator), for kicks */
    atomic_int pending;      /* an interrupt to inject at the next kick exit */
    atomic_int aborted;      /* the watchdog gave up: kb_run_to_handler returns -ETIMEDOUT */
    int irqfd;               /* eventfd bound as an irqfd, or -1 */
    int ioeventfd;           /* eventfd bound as an ioeventfd, or -1 */
    uint32_t last_exit;
};

static int s_kvm = -1;
static int s_run_size;
static struct kvm_cpuid2 *s_cpuid;
static pthread_mutex_t s_init_lock = PTHREAD_MUTEX_INITIALIZER;

static void kb_on_kick(int sig) { (void)sig; }

static int kb_init(void)
{
    pthread_mutex_lock(&s_init_lock);
    int status = 0;
    if (s_kvm < 0) {
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
        /* An empty handler: the signal only has to interrupt KVM_RUN. */
        struct sigaction action = { .sa_handler = kb_on_kick };
        sigemptyset(&action.sa_mask);
        sigaction(KB_KICK_SIGNAL, &action, NULL);
        s_cpuid = cpuid;
        s_run_size = size;
        s_kvm = kvm;
    }
out:
    pthread_mutex_unlock(&s_init_lock);
    return status;
}

static int64_t kb_now_ns(void)
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

/* The calling thread becomes the VCPU thread: the kick signal stays blocked except inside KVM_RUN. */
static int kb_bind_thread(struct kb_guest *g)
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
    struct { struct kvm_signal_mask header; uint64_t mask; } sm;
    sm.header.len = 8; /* the kernel's sigset size */
    memcpy(&sm.mask, &inside, 8);
    if (ioctl(g->vcpu, KVM_SET_SIGNAL_MASK, &sm) < 0)
        return -errno;
    g->tid = (pid_t)syscall(SYS_gettid);
    return 0;
}

KB_API void kb_destroy(struct kb_guest *g)
{
    if (g == NULL)
        return;
    if (g->irqfd >= 0)
        close(g->irqfd);
    if (g->ioeventfd >= 0)
        close(g->ioeventfd);
    if (g->run != NULL)
        munmap(g->run, g->run_size);
    if (g->vcpu >= 0)
        close(g->vcpu);
    if (g->vm >= 0)
        close(g->vm);
    if (g->memory != NULL)
        munmap(g->memory, g->memory_size);
    if (g->memfd >= 0)
        close(g->memfd);
    free(g);
}

/* A VM with MEMORY bytes at guest-physical 0 holding IMAGE, one VCPU bound to the calling thread. */
KB_API int kb_create(const uint8_t *image, size_t size, size_t memory, struct kb_guest **out)
{
    *out = NULL;
    int status = kb_init();
    if (status != 0)
        return status;
    struct kb_guest *g = calloc(1, sizeof(*g));
    if (g == NULL)
        return -ENOMEM;
    g->vm = g->vcpu = g->memfd = g->irqfd = g->ioeventfd = -1;
    g->memory_size = memory;
    g->run_size = (size_t)s_run_size;

#define KB_CHECK(expr)            \
    do {                          \
        if ((expr) < 0) {         \
            status = -errno;      \
            goto fail;            \
        }                         \
    } while (0)

    KB_CHECK(g->vm = ioctl(s_kvm, KVM_CREATE_VM, 0));
    struct kvm_enable_cap split = { .cap = KVM_CAP_SPLIT_IRQCHIP, .args = { 24 } };
    KB_CHECK(ioctl(g->vm, KVM_ENABLE_CAP, &split));
    KB_CHECK(g->memfd = memfd_create("kb-guest", MFD_CLOEXEC));
    KB_CHECK(ftruncate(g->memfd, (off_t)memory));
    void *mem = mmap(NULL, memory, PROT_READ | PROT_WRITE, MAP_SHARED, g->memfd, 0);
    if (mem == MAP_FAILED) {
        status = -errno;
        goto fail;
    }
    g->memory = mem;
    memcpy(g->memory, image, size);
    struct kvm_userspace_memory_region region = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = memory, .userspace_addr = (uint64_t)(uintptr_t)g->memory,
    };
    KB_CHECK(ioctl(g->vm, KVM_SET_USER_MEMORY_REGION, &region));
    KB_CHECK(g->vcpu = ioctl(g->vm, KVM_CREATE_VCPU, 0));
    void *run = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, g->vcpu, 0);
    if (run == MAP_FAILED) {
        status = -errno;
        goto fail;
    }
    g->run = run;
    KB_CHECK(ioctl(g->vcpu, KVM_SET_CPUID2, s_cpuid));

    struct kvm_sregs sregs;
    KB_CHECK(ioctl(g->vcpu, KVM_GET_SREGS, &sregs));
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
    KB_CHECK(ioctl(g->vcpu, KVM_SET_SREGS, &sregs));
    struct kvm_regs regs = { .rip = 0x2000, .rflags = 0x2 };
    KB_CHECK(ioctl(g->vcpu, KVM_SET_REGS, &regs));

    struct kvm_lapic_state lapic;
    KB_CHECK(ioctl(g->vcpu, KVM_GET_LAPIC, &lapic));
    kb_lapic_set(&lapic, 0xF0, 0x1FF);  /* SVR: enabled, spurious vector 0xFF */
    kb_lapic_set(&lapic, 0x350, 0x700); /* LVT0: ExtINT */
    kb_lapic_set(&lapic, 0x360, 0x400); /* LVT1: NMI */
    KB_CHECK(ioctl(g->vcpu, KVM_SET_LAPIC, &lapic));
    status = kb_bind_thread(g);
    if (status != 0)
        goto fail;
#undef KB_CHECK
    *out = g;
    return 0;
fail:
    kb_destroy(g);
    return status;
}

/* The exit reason of the last KVM_RUN (KVM_EXIT_*). */
KB_API int kb_last_exit(struct kb_guest *g) { return (int)g->last_exit; }

static int kb_run_once(struct kb_guest *g)
{
    while (ioctl(g->vcpu, KVM_RUN, 0) < 0) {
        if (errno != EINTR)
            return -errno;
    }
    g->last_exit = g->run->exit_reason;
    return 0;
}

/* N round trips through KVM_RUN, whatever the exits (the guest loops on one kind). */
KB_API int kb_run(struct kb_guest *g, int n)
{
    for (int i = 0; i < n; i++) {
        int status = kb_run_once(g);
        if (status != 0)
            return status;
    }
    return 0;
}

/* Runs until an OUT to PORT; MMIO exits on the way are completed as writes (the bell loop). */
KB_API int kb_run_to_out(struct kb_guest *g, int port)
{
    for (;;) {
        int status = kb_run_once(g);
        if (status != 0)
            return status;
        if (g->last_exit == KVM_EXIT_IO && g->run->io.port == port && g->run->io.direction == KVM_EXIT_IO_OUT)
            return 0;
        if (g->last_exit != KVM_EXIT_MMIO)
            return -EPROTO;
    }
}

/* N MMIO read round trips: each exit's read is answered with VALUE before the next KVM_RUN. */
KB_API int kb_mmio_reads(struct kb_guest *g, int n, uint8_t value)
{
    for (int i = 0; i < n; i++) {
        if (g->last_exit != KVM_EXIT_MMIO || g->run->mmio.is_write)
            return -EPROTO;
        memset(g->run->mmio.data, value, g->run->mmio.len);
        int status = kb_run_once(g);
        if (status != 0)
            return status;
    }
    return 0;
}

/* Guest-physical address of the last MMIO exit. */
KB_API uint64_t kb_mmio_address(struct kb_guest *g) { return g->run->mmio.phys_addr; }

/* Any thread: makes the VCPU thread's KVM_RUN return (at once if it is not inside it). */
KB_API int kb_kick(struct kb_guest *g)
{
    if (syscall(SYS_tgkill, getpid(), g->tid, KB_KICK_SIGNAL) < 0)
        return -errno;
    return 0;
}

/* Any thread: the watchdog's way to end kb_run_to_handler with -ETIMEDOUT. */
KB_API int kb_abort(struct kb_guest *g)
{
    atomic_store(&g->aborted, 1);
    return kb_kick(g);
}

/* Any thread: the raw "zx_vcpu_interrupt": remember the interrupt and kick the VCPU out of HLT. */
KB_API int kb_inject(struct kb_guest *g)
{
    atomic_store(&g->pending, 1);
    return kb_kick(g);
}

/*
 * VCPU thread: runs until the guest's handler reports with an OUT to PORT; a kick exit with an
 * interrupt pending injects VECTOR (KVM_INTERRUPT). Other signals (the .NET runtime's, which
 * KVM_RUN also lets through) just re-enter; after kb_abort it returns -ETIMEDOUT.
 */
KB_API int kb_run_to_handler(struct kb_guest *g, int port, int vector)
{
    for (;;) {
        if (ioctl(g->vcpu, KVM_RUN, 0) < 0) {
            if (errno != EINTR)
                return -errno;
            if (atomic_load(&g->aborted))
                return -ETIMEDOUT;
            if (!atomic_exchange(&g->pending, 0))
                continue;
            struct kvm_interrupt irq = { .irq = (uint32_t)vector };
            if (ioctl(g->vcpu, KVM_INTERRUPT, &irq) < 0)
                return -errno;
            continue;
        }
        g->last_exit = g->run->exit_reason;
        if (g->last_exit == KVM_EXIT_IO && g->run->io.port == port)
            return 0;
        if (g->last_exit != KVM_EXIT_INTR)
            return -EPROTO;
    }
}

/* An eventfd bound as an irqfd to an MSI route for VECTOR on APIC id 0 (fixed, edge). */
KB_API int kb_irqfd_assign(struct kb_guest *g, int vector)
{
    struct { struct kvm_irq_routing header; struct kvm_irq_routing_entry entry; } routing;
    memset(&routing, 0, sizeof(routing));
    routing.header.nr = 1;
    routing.entry.gsi = KB_MSI_GSI;
    routing.entry.type = KVM_IRQ_ROUTING_MSI;
    routing.entry.u.msi.address_lo = 0xFEE00000;
    routing.entry.u.msi.data = (uint32_t)vector;
    if (ioctl(g->vm, KVM_SET_GSI_ROUTING, &routing) < 0)
        return -errno;
    g->irqfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (g->irqfd < 0)
        return -errno;
    struct kvm_irqfd irqfd = { .fd = (uint32_t)g->irqfd, .gsi = KB_MSI_GSI };
    if (ioctl(g->vm, KVM_IRQFD, &irqfd) < 0)
        return -errno;
    return 0;
}

/* Any thread: raises the irqfd line (one eventfd write). */
KB_API int kb_irqfd_signal(struct kb_guest *g)
{
    uint64_t one = 1;
    if (write(g->irqfd, &one, sizeof(one)) != sizeof(one))
        return -errno;
    return 0;
}

/*
 * An ioeventfd on the 4-byte MMIO doorbell at ADDRESS (any value): the guest's store completes
 * inside KVM and only increments the eventfd's count. Returns the eventfd (the caller reads it).
 */
KB_API int kb_ioeventfd_assign(struct kb_guest *g, uint64_t address, int length)
{
    g->ioeventfd = eventfd(0, EFD_CLOEXEC);
    if (g->ioeventfd < 0)
        return -errno;
    struct kvm_ioeventfd io = { .addr = address, .len = (uint32_t)length, .fd = g->ioeventfd };
    if (ioctl(g->vm, KVM_IOEVENTFD, &io) < 0)
        return -errno;
    return g->ioeventfd;
}

/* Reads the ioeventfd's count (blocks until it is non-zero). */
KB_API int64_t kb_ioeventfd_read(struct kb_guest *g)
{
    uint64_t count;
    if (read(g->ioeventfd, &count, sizeof(count)) != sizeof(count))
        return -errno;
    return (int64_t)count;
}

/*
 * One guest lifecycle: create the VM (as kb_create), run to the first OUT to PORT, tear it all
 * down. CREATE_NS and TEARDOWN_NS receive the two phases' durations.
 */
KB_API int kb_lifecycle(const uint8_t *image, size_t size, size_t memory, int port, int64_t *create_ns, int64_t *teardown_ns)
{
    int64_t start = kb_now_ns();
    struct kb_guest *g;
    int status = kb_create(image, size, memory, &g);
    if (status != 0)
        return status;
    status = kb_run_once(g);
    if (status == 0 && (g->last_exit != KVM_EXIT_IO || g->run->io.port != port))
        status = -EPROTO;
    int64_t exited = kb_now_ns();
    kb_destroy(g);
    int64_t end = kb_now_ns();
    *create_ns = exited - start;
    *teardown_ns = end - exited;
    return status;
}
