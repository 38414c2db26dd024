/* zxos SMP: CPU 0 starts the other CPUs (INIT + STARTUP), each runs work in ring 3, IPIs go both
 * ways, and every CPU counts the interrupts it took (the timer is bound to every CPU).  The local
 * APIC page is mapped user-accessible, so ring 3 sends IPIs itself through the ICR. */
#include "zxos.h"

#define SMP_WAIT_TICKS      100         /* 1 s for every step */
#define ICR_INIT            0x00004500  /* INIT, level assert, physical destination */
#define ICR_STARTUP         0x00004600  /* STARTUP: vector = entry >> 12 */
#define ICR_FIXED           0x00004000  /* fixed delivery, level assert */
#define ABSENT_CPU          7           /* an APIC id no processor of this machine has */

extern const char ap_trampoline[], ap_trampoline_end[];

static void send_ipi(uint32_t apic_id, uint32_t icr)
{
    mmio_write32(LAPIC_ICR_HI, apic_id << 24);
    mmio_write32(LAPIC_ICR_LO, icr);
}

static void start_cpu(uint32_t apic_id)
{
    send_ipi(apic_id, ICR_INIT);
    send_ipi(apic_id, ICR_STARTUP | (AP_TRAMPOLINE >> 12));
    send_ipi(apic_id, ICR_STARTUP | (AP_TRAMPOLINE >> 12)); /* the x86 protocol sends two */
}

/* The work an AP does in ring 3, and CPU 0 checks: a short hash chain seeded by the CPU number. */
uint64_t smp_work(uint32_t cpu)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ cpu;
    for (uint32_t i = 0; i < 100000; i++)
        h = (h ^ i) * 0x100000001b3ULL;
    return h;
}

/* Waits (halting between interrupts) until cond(arg) holds or SMP_WAIT_TICKS of CPU 0 passed. */
static int wait_until(int (*cond)(uint32_t), uint32_t arg)
{
    struct deadline d;
    deadline_start(&d, SMP_WAIT_TICKS);
    for (;;) {
        uint32_t seen = zx_irq_count;
        if (cond(arg))
            return 0;
        if (deadline_expired(&d))
            return -1;
        sys_wait(&zx_irq_count, seen);
    }
}

static int all_ready(uint32_t n)
{
    for (uint32_t c = 1; c < n; c++)
        if (zx_percpu[c].ready < 1)
            return 0;
    return 1;
}

static int all_answered(uint32_t n)
{
    for (uint32_t c = 1; c < n; c++)
        if (zx_percpu[c].ready < 2)
            return 0;
    return zx_percpu[0].ipi >= n - 1;
}

static int all_ticked(uint32_t n)
{
    for (uint32_t c = 0; c < n; c++)
        if (zx_percpu[c].ticks == 0)
            return 0;
    return 1;
}

static void report(uint32_t n)
{
    for (uint32_t c = 0; c < n; c++) {
        volatile struct percpu *p = &zx_percpu[c];
        uprintf("zxos: cpu %u: timer %u, ipi %u, uart %u, virtio-console %u, virtio-blk %u, apic-timer %u, other %u\n",
                c, p->ticks, p->ipi, p->uart, p->vcon, p->vblk, p->wd, p->other);
    }
}

int smp_test(const struct bootinfo *bi)
{
    uint32_t n = bi->cpus ? (uint32_t)bi->cpus : 1;
    if (n == 1)
        return 0;
    if (n > ZX_MAX_CPUS) {
        uprintf("zxos: smp: %u cpus, zxos uses the first %u\n", n, ZX_MAX_CPUS);
        n = ZX_MAX_CPUS;
    }
    memcpy((void *)AP_TRAMPOLINE, ap_trampoline, (size_t)(ap_trampoline_end - ap_trampoline));
    for (uint32_t c = 1; c < n; c++)
        start_cpu(c);
    if (wait_until(all_ready, n) < 0) {
        for (uint32_t c = 1; c < n; c++)
            if (zx_percpu[c].ready < 1)
                uprintf("zxos: smp: FAIL: cpu %u did not come up (started %u times)\n", c, zx_percpu[c].starts);
        return EXIT_SMP;
    }
    for (uint32_t c = 1; c < n; c++) {
        volatile struct percpu *p = &zx_percpu[c];
        uint64_t expect = smp_work(c);
        uprintf("zxos: cpu %u: up, ring %u work 0x%lx (%s)\n", c, p->ring, p->work, p->work == expect ? "ok" : "WRONG");
        if (p->work != expect || p->ring != 3)
            return EXIT_SMP;
    }

    /* A second STARTUP to a running CPU, and INIT + STARTUP to a CPU this machine lacks: both
     * are ignored (a running CPU is not restarted, an absent one never answers). */
    send_ipi(1, ICR_STARTUP | (AP_TRAMPOLINE >> 12));
    start_cpu(ABSENT_CPU);

    /* IPIs: CPU 0 -> each AP; each AP answers CPU 0. */
    for (uint32_t c = 1; c < n; c++)
        send_ipi(c, ICR_FIXED | VEC_IPI);
    if (wait_until(all_answered, n) < 0) {
        uprintf("zxos: smp: FAIL: IPIs: cpu 0 took %u, answers:", zx_percpu[0].ipi);
        for (uint32_t c = 1; c < n; c++)
            uprintf(" cpu %u took %u, ready %u;", c, zx_percpu[c].ipi, zx_percpu[c].ready);
        uprintf("\n");
        return EXIT_SMP;
    }
    if (wait_until(all_ticked, n) < 0) {
        uprintf("zxos: smp: FAIL: the timer did not reach every cpu\n");
        report(n);
        return EXIT_SMP;
    }
    int restarted = 0;
    for (uint32_t c = 1; c < n; c++)
        restarted |= zx_percpu[c].starts != 1;
    report(n);
    uprintf("zxos: smp: %u cpus up, IPIs both ways, timer on every cpu, second STARTUP %s\n", n,
            restarted ? "RESTARTED a cpu" : "ignored");
    return restarted ? EXIT_SMP : 0;
}

/* An application processor in ring 3 (from ap.S): work, report, answer CPU 0's IPI, then keep
 * taking interrupts (halting in between) until the machine powers off. */
__attribute__((noreturn)) void zx_ap_main(uint32_t cpu)
{
    volatile struct percpu *me = &zx_percpu[cpu];
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    me->ring = cs & 3;
    me->work = smp_work(cpu);
    __atomic_store_n(&me->ready, 1, __ATOMIC_RELEASE);
    for (;;) {
        uint32_t seen = zx_irq_count;
        if (me->ipi > 0)
            break;
        sys_wait(&zx_irq_count, seen);
    }
    send_ipi(0, ICR_FIXED | VEC_IPI);
    __atomic_store_n(&me->ready, 2, __ATOMIC_RELEASE);
    for (;;) {
        uint32_t seen = zx_irq_count;
        sys_wait(&zx_irq_count, seen);
    }
}
