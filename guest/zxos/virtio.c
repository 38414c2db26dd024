/* zxos virtio-mmio transport (ring 3). */
#include "virtio.h"

unsigned vq_by_irq, vq_by_poll;

void vdev_fail(struct vdev *d)
{
    vreg_write(d, VIRTIO_MMIO_STATUS, vreg_read(d, VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_FAILED);
}

static void set_status(struct vdev *d, uint32_t bits)
{
    vreg_write(d, VIRTIO_MMIO_STATUS, vreg_read(d, VIRTIO_MMIO_STATUS) | bits);
}

int vdev_init(struct vdev *d, uint32_t device_id)
{
    uint32_t magic = vreg_read(d, VIRTIO_MMIO_MAGIC);
    uint32_t version = vreg_read(d, VIRTIO_MMIO_VERSION);
    uint32_t id = vreg_read(d, VIRTIO_MMIO_DEVICE_ID);
    if (magic != VIRTIO_MAGIC || version != 2 || id != device_id) {
        uprintf("zxos: %s: no virtio-mmio v2 device %u at %p (magic 0x%x version %u id %u)\n", d->name,
                device_id, (void *)d->regs, magic, version, id);
        return -1;
    }
    vreg_write(d, VIRTIO_MMIO_STATUS, 0);
    for (unsigned i = 0; vreg_read(d, VIRTIO_MMIO_STATUS) != 0; i++) {
        if (i == 1000) {
            uprintf("zxos: %s: reset did not complete\n", d->name);
            return -1;
        }
        cpu_relax();
    }
    set_status(d, VIRTIO_STATUS_ACK);
    set_status(d, VIRTIO_STATUS_DRIVER);

    vreg_write(d, VIRTIO_MMIO_DEV_FEATURES_SEL, 1);
    uint32_t hi = vreg_read(d, VIRTIO_MMIO_DEV_FEATURES);
    if (!(hi & 1)) {
        uprintf("zxos: %s: device does not offer VIRTIO_F_VERSION_1\n", d->name);
        vdev_fail(d);
        return -1;
    }
    vreg_write(d, VIRTIO_MMIO_DRV_FEATURES_SEL, 0);
    vreg_write(d, VIRTIO_MMIO_DRV_FEATURES, 0);
    vreg_write(d, VIRTIO_MMIO_DRV_FEATURES_SEL, 1);
    vreg_write(d, VIRTIO_MMIO_DRV_FEATURES, 1);         /* VIRTIO_F_VERSION_1 (bit 32) */
    set_status(d, VIRTIO_STATUS_FEATURES_OK);
    if (!(vreg_read(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
        uprintf("zxos: %s: FEATURES_OK not accepted\n", d->name);
        vdev_fail(d);
        return -1;
    }
    return 0;
}

int vq_setup(struct vq *q, struct vdev *d, uint16_t index, uint16_t want, struct vq_mem *mem)
{
    vreg_write(d, VIRTIO_MMIO_QUEUE_SEL, index);
    if (vreg_read(d, VIRTIO_MMIO_QUEUE_READY) != 0) {
        uprintf("zxos: %s: queue %u already live\n", d->name, index);
        return -1;
    }
    uint32_t max = vreg_read(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
    uint16_t num = want;
    while (num > max)
        num >>= 1;                                      /* split rings: power of two */
    if (num == 0) {
        uprintf("zxos: %s: queue %u unavailable (QueueNumMax %u)\n", d->name, index, max);
        return -1;
    }
    memset(mem, 0, sizeof *mem);
    q->dev = d;
    q->index = index;
    q->num = num;
    q->desc = (struct vring_desc *)mem->page[0];
    q->avail = (volatile struct vring_avail *)mem->page[1];
    q->used = (volatile struct vring_used *)mem->page[2];
    q->avail_idx = 0;
    q->last_used = 0;
    uint64_t desc = (uintptr_t)mem->page[0], drv = (uintptr_t)mem->page[1], dev = (uintptr_t)mem->page[2];
    vreg_write(d, VIRTIO_MMIO_QUEUE_NUM, num);
    vreg_write(d, VIRTIO_MMIO_QUEUE_DESC_LO, (uint32_t)desc);
    vreg_write(d, VIRTIO_MMIO_QUEUE_DESC_HI, (uint32_t)(desc >> 32));
    vreg_write(d, VIRTIO_MMIO_QUEUE_DRIVER_LO, (uint32_t)drv);
    vreg_write(d, VIRTIO_MMIO_QUEUE_DRIVER_HI, (uint32_t)(drv >> 32));
    vreg_write(d, VIRTIO_MMIO_QUEUE_DEVICE_LO, (uint32_t)dev);
    vreg_write(d, VIRTIO_MMIO_QUEUE_DEVICE_HI, (uint32_t)(dev >> 32));
    vreg_write(d, VIRTIO_MMIO_QUEUE_READY, 1);
    return 0;
}

void vdev_driver_ok(struct vdev *d)
{
    set_status(d, VIRTIO_STATUS_DRIVER_OK);
}

void vq_post(struct vq *q, uint16_t head)
{
    q->avail->ring[q->avail_idx % q->num] = head;
    barrier();
    q->avail_idx++;
    q->avail->idx = q->avail_idx;
    barrier();
}

void vq_kick(struct vq *q)
{
    q->irqs_at_kick = *q->dev->irqs;
    /* Doorbell page: a 32-bit write at bell + 4 * queue index (BELL trap, no VCPU stop). */
    mmio_write32(q->dev->bell + 4u * q->index, q->index);
}

int vq_pop(struct vq *q, struct vring_used_elem *out)
{
    if (q->used->idx == q->last_used)
        return 0;
    barrier();
    volatile struct vring_used_elem *e = &q->used->ring[q->last_used % q->num];
    out->id = e->id;
    out->len = e->len;
    q->last_used++;
    return 1;
}

int vq_wait(struct vq *q, struct vring_used_elem *out, uint32_t irq_ticks, uint32_t poll_ticks)
{
    struct deadline d;

    deadline_start(&d, irq_ticks);
    for (;;) {
        uint32_t seen = zx_irq_count;
        if (vq_pop(q, out)) {
            if (*q->dev->irqs != q->irqs_at_kick)
                vq_by_irq++;
            else
                vq_by_poll++;
            return 0;
        }
        if (deadline_expired(&d))
            break;
        sys_wait(&zx_irq_count, seen);
    }
    /* No interrupt brought the completion: poll the used ring. */
    deadline_start(&d, poll_ticks);
    while (!deadline_expired(&d)) {
        if (vq_pop(q, out)) {
            vq_by_poll++;
            return 0;
        }
        cpu_relax();
    }
    return -1;
}
