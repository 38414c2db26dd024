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
#include "kvm_baseline.h"

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
    /* Diagnostics (kb_debug): where the VCPU thread is and what it has seen. */
    atomic_int in_run;       /* 1 while the VCPU thread is inside KVM_RUN */
    atomic_long eintr;       /* KVM_RUN calls that ended with EINTR */
    atomic_long injected;    /* KVM_INTERRUPT calls */
    atomic_long kicks_sent;  /* kb_kick calls */
    atomic_int last_errno;   /* the last failed ioctl's errno */
};

/* The calling thread becomes the VCPU thread (kicks go to it). */
static int kb_bind_thread(struct kb_guest *g)
{
    int tid = kb_bind_vcpu_thread(g->vcpu);
    if (tid < 0)
        return tid;
    g->tid = (pid_t)tid;
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
    g->run_size = (size_t)kb_run_size;
    status = kb_vm_create(image, size, memory, &g->vm, &g->memfd, &g->memory);
    if (status == 0)
        status = kb_vcpu_create(g->vm, 0, true, KB_BSP_ENTRY, &g->vcpu, &g->run);
    if (status == 0)
        status = kb_bind_thread(g);
    if (status != 0) {
        kb_destroy(g);
        return status;
    }
    *out = g;
    return 0;
}

/* The exit reason of the last KVM_RUN (KVM_EXIT_*). */
KB_API int kb_last_exit(struct kb_guest *g) { return (int)g->last_exit; }

static int kb_run_once(struct kb_guest *g)
{
    while (ioctl(g->vcpu, KVM_RUN, 0) < 0) {
        if (errno != EINTR)
            return -errno;
        kb_drain_kicks();
        if (atomic_load(&g->aborted))
            return -ETIMEDOUT;
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
    atomic_fetch_add(&g->kicks_sent, 1);
    return kb_kick_thread(g->tid);
}

/* Diagnostics, from any thread: OUT[0..5] = in KVM_RUN, EINTR exits, KVM_INTERRUPTs, kicks sent, last errno, last exit. */
KB_API void kb_debug(struct kb_guest *g, int64_t *out)
{
    out[0] = atomic_load(&g->in_run);
    out[1] = atomic_load(&g->eintr);
    out[2] = atomic_load(&g->injected);
    out[3] = atomic_load(&g->kicks_sent);
    out[4] = atomic_load(&g->last_errno);
    out[5] = (int64_t)g->last_exit;
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
        atomic_store(&g->in_run, 1);
        int r = ioctl(g->vcpu, KVM_RUN, 0);
        int error = errno;
        atomic_store(&g->in_run, 0);
        if (r < 0) {
            if (error != EINTR) {
                atomic_store(&g->last_errno, error);
                return -error;
            }
            atomic_fetch_add(&g->eintr, 1);
            /* Drain first, then look at the flags: a kick sent after the drain stays pending and
             * ends the next KVM_RUN at once, so its interrupt is injected then. */
            kb_drain_kicks();
            if (atomic_load(&g->aborted))
                return -ETIMEDOUT;
            if (!atomic_exchange(&g->pending, 0))
                continue;
            struct kvm_interrupt irq = { .irq = (uint32_t)vector };
            atomic_fetch_add(&g->injected, 1);
            if (ioctl(g->vcpu, KVM_INTERRUPT, &irq) < 0) {
                atomic_store(&g->last_errno, errno);
                return -errno;
            }
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
