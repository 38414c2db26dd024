/* zxos virtio-mmio (version 2) transport and split virtqueues (ring 3). */
#ifndef ZXOS_VIRTIO_H
#define ZXOS_VIRTIO_H

#include "zxos.h"

/* Register offsets */
#define VIRTIO_MMIO_MAGIC           0x000
#define VIRTIO_MMIO_VERSION         0x004
#define VIRTIO_MMIO_DEVICE_ID       0x008
#define VIRTIO_MMIO_VENDOR_ID       0x00C
#define VIRTIO_MMIO_DEV_FEATURES    0x010
#define VIRTIO_MMIO_DEV_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRV_FEATURES    0x020
#define VIRTIO_MMIO_DRV_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL       0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX   0x034
#define VIRTIO_MMIO_QUEUE_NUM       0x038
#define VIRTIO_MMIO_QUEUE_READY     0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY    0x050
#define VIRTIO_MMIO_STATUS          0x070
#define VIRTIO_MMIO_QUEUE_DESC_LO   0x080
#define VIRTIO_MMIO_QUEUE_DESC_HI   0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LO 0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HI 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LO 0x0A0
#define VIRTIO_MMIO_QUEUE_DEVICE_HI 0x0A4
#define VIRTIO_MMIO_CONFIG_GEN      0x0FC
#define VIRTIO_MMIO_CONFIG          0x100

#define VIRTIO_MAGIC                0x74726976
#define VIRTIO_STATUS_ACK           1
#define VIRTIO_STATUS_DRIVER        2
#define VIRTIO_STATUS_DRIVER_OK     4
#define VIRTIO_STATUS_FEATURES_OK   8
#define VIRTIO_STATUS_FAILED        128

#define VRING_DESC_F_NEXT           1
#define VRING_DESC_F_WRITE          2

struct vring_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct vring_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[];
};

struct vring_used_elem {
    uint32_t id;
    uint32_t len;
};

struct vring_used {
    uint16_t flags;
    uint16_t idx;
    struct vring_used_elem ring[];
};

struct vdev {
    const char *name;
    uintptr_t regs;
    uintptr_t bell;
    volatile uint32_t *irqs;    /* interrupt count kept by the ring-0 handler */
};

struct vq {
    struct vdev *dev;
    uint16_t index, num;
    struct vring_desc *desc;
    volatile struct vring_avail *avail;
    volatile struct vring_used *used;
    uint16_t avail_idx, last_used;
    uint32_t irqs_at_kick;      /* device interrupt count when last notified */
};

/* Memory for one queue: descriptor table, driver (avail) ring, device (used) ring, a page each. */
struct vq_mem {
    uint8_t page[3][4096];
} __attribute__((aligned(4096)));

static inline uint32_t vreg_read(struct vdev *d, unsigned off) { return mmio_read32(d->regs + off); }
static inline void vreg_write(struct vdev *d, unsigned off, uint32_t v) { mmio_write32(d->regs + off, v); }

/* Reset, ACK, DRIVER, negotiate VERSION_1 only, FEATURES_OK.  0 or -1 (message printed). */
int vdev_init(struct vdev *d, uint32_t device_id);
/* Set up queue `index` with up to `want` entries.  0 or -1. */
int vq_setup(struct vq *q, struct vdev *d, uint16_t index, uint16_t want, struct vq_mem *mem);
void vdev_driver_ok(struct vdev *d);
void vdev_fail(struct vdev *d);
/* Put a descriptor chain head in the driver ring (no notification). */
void vq_post(struct vq *q, uint16_t head);
/* Notify the device through the doorbell page (and note the device's interrupt count). */
void vq_kick(struct vq *q);
/* Take one used element if there is one. */
int vq_pop(struct vq *q, struct vring_used_elem *out);

/* Statistics of vq_wait: completions noticed after a device interrupt / by polling. */
extern unsigned vq_by_irq, vq_by_poll;
/* Wait for one used element: halt-wait for interrupts up to irq_ticks, then poll up to
 * poll_ticks more.  0 or -1 on timeout. */
int vq_wait(struct vq *q, struct vring_used_elem *out, uint32_t irq_ticks, uint32_t poll_ticks);

#endif
