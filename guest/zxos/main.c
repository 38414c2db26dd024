/* zxos ring-3 main: UART banner, timer, virtio-blk, virtio-console, the other CPUs, power off. */
#include "virtio.h"

#define TIMER_PERIOD_US     10000   /* 10 ms */
#define TIMER_WAIT_TICKS    10
#define IRQ_WAIT_TICKS      5       /* wait this long for a completion interrupt ... */
#define POLL_WAIT_TICKS     100     /* ... then poll the used ring this long */
#define CONSOLE_WAIT_TICKS  50

static struct vq_mem blk_mem, con_rx_mem, con_tx_mem;

/* ---------------------------------------------------------------------------------------- */

static int timer_test(void)
{
    outl(PORT_TIMER_PERIOD, TIMER_PERIOD_US);
    uint32_t host0 = inl(PORT_TIMER_TICKS);
    uint32_t t0 = zx_ticks, w0 = zx_wd_ticks;
    for (;;) {
        uint32_t seen = zx_irq_count;
        if (zx_ticks - t0 >= TIMER_WAIT_TICKS)
            break;
        if (zx_wd_ticks - w0 >= 10) {   /* ~1 s by the local APIC timer */
            uprintf("zxos: timer: FAIL: %u ticks after ~1 s (host counter %u -> %u)\n", zx_ticks - t0,
                    host0, inl(PORT_TIMER_TICKS));
            return -1;
        }
        sys_wait(&zx_irq_count, seen);
    }
    uint32_t host1 = inl(PORT_TIMER_TICKS);
    uprintf("zxos: timer: %u ticks (host ticks %u -> %u, elapsed %u)\n", TIMER_WAIT_TICKS, host0, host1,
            host1 - host0);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */

#define VIRTIO_BLK_T_IN     0
#define VIRTIO_BLK_T_OUT    1

struct blk_req_hdr {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};

static struct vdev blk_dev = { "virtio-blk", VBLK_REGS, VBLK_BELL, &zx_vblk_irqs };
static struct vq blk_q;
static struct blk_req_hdr blk_hdr __attribute__((aligned(16)));
static uint8_t blk_buf[512] __attribute__((aligned(512)));
static volatile uint8_t blk_status;

static int blk_rw(int write, uint64_t sector)
{
    blk_hdr.type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
    blk_hdr.reserved = 0;
    blk_hdr.sector = sector;
    blk_status = 0xFF;
    struct vring_desc *d = blk_q.desc;
    d[0] = (struct vring_desc){ (uintptr_t)&blk_hdr, sizeof blk_hdr, VRING_DESC_F_NEXT, 1 };
    d[1] = (struct vring_desc){ (uintptr_t)blk_buf, sizeof blk_buf,
                                (uint16_t)(VRING_DESC_F_NEXT | (write ? 0 : VRING_DESC_F_WRITE)), 2 };
    d[2] = (struct vring_desc){ (uintptr_t)&blk_status, 1, VRING_DESC_F_WRITE, 0 };
    vq_post(&blk_q, 0);
    vq_kick(&blk_q);
    struct vring_used_elem e;
    if (vq_wait(&blk_q, &e, IRQ_WAIT_TICKS, POLL_WAIT_TICKS) < 0) {
        uprintf("zxos: disk: FAIL: %s of sector %u timed out\n", write ? "write" : "read", (unsigned)sector);
        return -1;
    }
    if (e.id != 0 || blk_status != 0) {
        uprintf("zxos: disk: FAIL: %s of sector %u: id %u status %u\n", write ? "write" : "read",
                (unsigned)sector, e.id, blk_status);
        return -1;
    }
    return 0;
}

static int disk_test(const struct bootinfo *bi)
{
    if (bi->disk_sectors == 0) {
        uprintf("zxos: disk: none\n");
        return 0;
    }
    if (vdev_init(&blk_dev, 2) < 0 || vq_setup(&blk_q, &blk_dev, 0, 8, &blk_mem) < 0) {
        uprintf("zxos: disk: FAIL: virtio-blk init failed\n");
        return EXIT_VIRTIO_INIT;
    }
    uint32_t gen, lo, hi;
    do {
        gen = vreg_read(&blk_dev, VIRTIO_MMIO_CONFIG_GEN);
        lo = vreg_read(&blk_dev, VIRTIO_MMIO_CONFIG + 0);
        hi = vreg_read(&blk_dev, VIRTIO_MMIO_CONFIG + 4);
    } while (gen != vreg_read(&blk_dev, VIRTIO_MMIO_CONFIG_GEN));
    uint64_t capacity = (uint64_t)hi << 32 | lo;
    vdev_driver_ok(&blk_dev);
    uprintf("zxos: disk: %lu sectors (%lu KiB)%s\n", capacity, capacity / 2,
            capacity == bi->disk_sectors ? "" : " [differs from boot info]");

    if (blk_rw(0, 0) < 0)
        return EXIT_DISK;
    char line[128];
    int n = fmt(line, sizeof line, "zxos: disk: sector 0:");
    for (int i = 0; i < 16; i++)
        n += fmt(line + n, sizeof line - (size_t)n, " %02x", blk_buf[i]);
    n += fmt(line + n, sizeof line - (size_t)n, "  |");
    for (int i = 0; i < 16; i++)
        line[n++] = blk_buf[i] >= 0x20 && blk_buf[i] < 0x7F ? (char)blk_buf[i] : '.';
    fmt(line + n, sizeof line - (size_t)n, "|\n");
    uprintf("%s", line);

    if (capacity < 2) {
        uprintf("zxos: disk: too small to write sector 1, skipped\n");
        return 0;
    }
    static const char msg[] = "zxos wrote this sector";
    memset(blk_buf, 0, sizeof blk_buf);
    memcpy(blk_buf, msg, sizeof msg - 1);
    if (blk_rw(1, 1) < 0)
        return EXIT_DISK;
    memset(blk_buf, 0xAA, sizeof blk_buf);
    if (blk_rw(0, 1) < 0)
        return EXIT_DISK;
    static uint8_t expect[512];
    memset(expect, 0, sizeof expect);
    memcpy(expect, msg, sizeof msg - 1);
    if (memcmp(blk_buf, expect, sizeof expect) != 0) {
        uprintf("zxos: disk: FAIL: sector 1 read back differs from what was written\n");
        return EXIT_DISK;
    }
    uprintf("zxos: disk: wrote sector 1 (\"%s\"), read back, match (%u by interrupt, %u by polling)\n",
            msg, vq_by_irq, vq_by_poll);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */

#define CON_RX_BUFS 4
#define CON_RX_SIZE 128

static struct vdev con_dev = { "virtio-console", VCON_REGS, VCON_BELL, &zx_vcon_irqs };
static struct vq con_rx, con_tx;
static uint8_t con_rx_buf[CON_RX_BUFS][CON_RX_SIZE];
static char con_tx_buf[512];

static int con_write(const char *s, size_t n)
{
    while (n) {
        size_t k = n < sizeof con_tx_buf ? n : sizeof con_tx_buf;
        memcpy(con_tx_buf, s, k);
        con_tx.desc[0] = (struct vring_desc){ (uintptr_t)con_tx_buf, (uint32_t)k, 0, 0 };
        vq_post(&con_tx, 0);
        vq_kick(&con_tx);
        struct vring_used_elem e;
        if (vq_wait(&con_tx, &e, IRQ_WAIT_TICKS, POLL_WAIT_TICKS) < 0) {
            uprintf("zxos: console: FAIL: transmit timed out\n");
            return -1;
        }
        s += k;
        n -= k;
    }
    return 0;
}

static void con_post_rx(uint16_t id)
{
    con_rx.desc[id] = (struct vring_desc){ (uintptr_t)con_rx_buf[id], CON_RX_SIZE, VRING_DESC_F_WRITE, 0 };
    vq_post(&con_rx, id);
}

static int console_test(void)
{
    if (vdev_init(&con_dev, 3) < 0 || vq_setup(&con_rx, &con_dev, 0, 8, &con_rx_mem) < 0 ||
        vq_setup(&con_tx, &con_dev, 1, 8, &con_tx_mem) < 0) {
        uprintf("zxos: console: FAIL: virtio-console init failed\n");
        return EXIT_VIRTIO_INIT;
    }
    vdev_driver_ok(&con_dev);

    /* Receive buffers first, so input typed early is not held back. */
    uint16_t nbufs = con_rx.num < CON_RX_BUFS ? con_rx.num : CON_RX_BUFS;
    for (uint16_t i = 0; i < nbufs; i++)
        con_post_rx(i);
    vq_kick(&con_rx);

    static const char hello[] = "zxos: hello over virtio-console\n";
    if (con_write(hello, sizeof hello - 1) < 0)
        return EXIT_CONSOLE;

    /* Collect one line (or whatever arrives) for up to CONSOLE_WAIT_TICKS. */
    static char line[256];
    size_t len = 0;
    int eol = 0;
    struct deadline d;
    deadline_start(&d, CONSOLE_WAIT_TICKS);
    while (!eol) {
        uint32_t seen = zx_irq_count;
        struct vring_used_elem e;
        if (vq_pop(&con_rx, &e)) {
            if (e.id >= nbufs) {
                uprintf("zxos: console: FAIL: bad receive id %u\n", e.id);
                return EXIT_CONSOLE;
            }
            uint32_t n = e.len < CON_RX_SIZE ? e.len : CON_RX_SIZE;
            for (uint32_t i = 0; i < n && !eol; i++) {
                char c = (char)con_rx_buf[e.id][i];
                if (c == '\n')
                    eol = 1;
                else if (c != '\r' && len < sizeof line)
                    line[len++] = c;
            }
            con_post_rx((uint16_t)e.id);
            vq_kick(&con_rx);
            continue;
        }
        if (deadline_expired(&d))
            break;
        sys_wait(&zx_irq_count, seen);
    }
    if (len > 0 || eol) {
        static char out[sizeof line + 8];
        memcpy(out, "echo: ", 6);
        memcpy(out + 6, line, len);
        out[6 + len] = '\n';
        if (con_write(out, len + 7) < 0)
            return EXIT_CONSOLE;
    }
    uprintf("zxos: console: echoed %u bytes%s\n", (unsigned)len, eol ? "" : len ? " (no newline)" : " (no input)");
    return 0;
}

/* ---------------------------------------------------------------------------------------- */

int zx_main(const struct bootinfo *bi)
{
    uart_init();
    if (bi->magic != BOOTINFO_MAGIC) {
        uprintf("zxos: FAIL: bad boot info magic 0x%lx at %p\n", bi->magic, (const void *)bi);
        return EXIT_BOOTINFO;
    }
    uprintf("zxos: hello from ring 3 (RAM %lu MiB)\n", bi->ram_size >> 20);

    if (timer_test() < 0)
        return EXIT_TIMER;
    int rc = disk_test(bi);
    if (rc)
        return rc;
    rc = console_test();
    if (rc)
        return rc;
    rc = smp_test(bi);
    if (rc)
        return rc;

    uprintf("zxos: interrupts: timer %u, uart %u, virtio-console %u, virtio-blk %u, apic-timer %u, other %u\n",
            zx_ticks, zx_uart_irqs, zx_vcon_irqs, zx_vblk_irqs, zx_wd_ticks, zx_other_irqs);
    uprintf("zxos: done\n");
    return EXIT_OK;
}
