/*
 * Raw KVM baseline for the multi-processor rows (SmpBenchmarks in bench/Zircon.Benchmarks): the
 * same guest bytes as the Zircon side (SmpGuestImage), a VM with the split irqchip (KVM's in-kernel
 * LAPIC, as Zircon's KVM backend uses) and two VCPUs, each run by its own thread. VCPU 0 starts
 * in Zircon's 64-bit BSP state, VCPU 1 in Zircon's real-mode AP state at the AP entry.
 *
 * Every function returns 0 (or a port number) on success and -errno on failure; -EPROTO means
 * the guest exited in a way the caller did not expect.
 */
#include "kvm_baseline.h"

#define KB_SMP_CPUS 2

struct kb_smp_cpu {
    int fd;
    struct kvm_run *run;
    atomic_int tid;     /* the thread bound to it (kb_smp_bind), 0 before */
    atomic_int stop;    /* kb_smp_stop asked kb_smp_run_to_io to return -ECANCELED */
    atomic_long kicks;  /* EINTR exits seen, for diagnostics */
};

struct kb_smp {
    int vm;
    int memfd;
    uint8_t *memory;
    size_t memory_size;
    int irqfd;
    struct kb_smp_cpu cpu[KB_SMP_CPUS];
};

KB_API void kb_smp_destroy(struct kb_smp *g)
{
    if (g == NULL)
        return;
    if (g->irqfd >= 0)
        close(g->irqfd);
    for (int i = 0; i < KB_SMP_CPUS; i++) {
        if (g->cpu[i].run != NULL)
            munmap(g->cpu[i].run, (size_t)kb_run_size);
        if (g->cpu[i].fd >= 0)
            close(g->cpu[i].fd);
    }
    if (g->vm >= 0)
        close(g->vm);
    if (g->memory != NULL)
        munmap(g->memory, g->memory_size);
    if (g->memfd >= 0)
        close(g->memfd);
    free(g);
}

/* A VM holding IMAGE with VCPU 0 (BSP) and VCPU 1 (AP at AP_ENTRY); no thread is bound yet. */
KB_API int kb_smp_create(const uint8_t *image, size_t size, size_t memory, uint64_t ap_entry, struct kb_smp **out)
{
    *out = NULL;
    struct kb_smp *g = calloc(1, sizeof(*g));
    if (g == NULL)
        return -ENOMEM;
    g->irqfd = -1;
    g->memory_size = memory;
    for (int i = 0; i < KB_SMP_CPUS; i++)
        g->cpu[i].fd = -1;
    int status = kb_vm_create(image, size, memory, &g->vm, &g->memfd, &g->memory);
    for (int i = 0; status == 0 && i < KB_SMP_CPUS; i++)
        status = kb_vcpu_create(g->vm, i, i == 0, ap_entry, &g->cpu[i].fd, &g->cpu[i].run);
    if (status != 0) {
        kb_smp_destroy(g);
        return status;
    }
    *out = g;
    return 0;
}

/* The calling thread becomes VCPU CPU's thread (the only one that may run it). */
KB_API int kb_smp_bind(struct kb_smp *g, int cpu)
{
    int tid = kb_bind_vcpu_thread(g->cpu[cpu].fd);
    if (tid < 0)
        return tid;
    atomic_store(&g->cpu[cpu].tid, tid);
    return 0;
}

/*
 * CPU's thread: runs the VCPU until an IO exit and returns its port. A kick exit drains the
 * kick signal and re-enters, unless kb_smp_stop asked for -ECANCELED.
 */
KB_API int kb_smp_run_to_io(struct kb_smp *g, int cpu)
{
    struct kb_smp_cpu *c = &g->cpu[cpu];
    for (;;) {
        if (ioctl(c->fd, KVM_RUN, 0) < 0) {
            if (errno != EINTR)
                return -errno;
            atomic_fetch_add(&c->kicks, 1);
            kb_drain_kicks();
            if (atomic_exchange(&c->stop, 0))
                return -ECANCELED;
            continue;
        }
        if (c->run->exit_reason == KVM_EXIT_IO)
            return c->run->io.port;
        return -EPROTO;
    }
}

/* Any thread: makes CPU's kb_smp_run_to_io return -ECANCELED (now, or at its next call). */
KB_API int kb_smp_stop(struct kb_smp *g, int cpu)
{
    atomic_store(&g->cpu[cpu].stop, 1);
    int tid = atomic_load(&g->cpu[cpu].tid);
    return tid == 0 ? 0 : kb_kick_thread(tid);
}

/* Diagnostics: the last exit reason and the kick exits CPU's thread has seen. */
KB_API int kb_smp_last_exit(struct kb_smp *g, int cpu) { return (int)g->cpu[cpu].run->exit_reason; }

KB_API long kb_smp_kicks(struct kb_smp *g, int cpu) { return atomic_load(&g->cpu[cpu].kicks); }

/*
 * A device interrupt for APIC_ID: an eventfd bound as an irqfd to an MSI route (fixed, edge,
 * physical destination APIC_ID, VECTOR), as zx_interrupt_bind_vcpu routes a line to one VCPU.
 */
KB_API int kb_smp_msi_assign(struct kb_smp *g, int vector, int apic_id)
{
    struct { struct kvm_irq_routing header; struct kvm_irq_routing_entry entry; } routing;
    memset(&routing, 0, sizeof(routing));
    routing.header.nr = 1;
    routing.entry.gsi = KB_MSI_GSI;
    routing.entry.type = KVM_IRQ_ROUTING_MSI;
    routing.entry.u.msi.address_lo = 0xFEE00000u | ((uint32_t)apic_id << 12);
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

/* Any thread: raises the device interrupt (one eventfd write). */
KB_API int kb_smp_msi_signal(struct kb_smp *g)
{
    uint64_t one = 1;
    if (write(g->irqfd, &one, sizeof(one)) != sizeof(one))
        return -errno;
    return 0;
}
