/*
 * Regression test of the raw KVM baseline's kick (bench/c/kvm_*.c): a kick must end a KVM_RUN in
 * which the guest halts with interrupts off. It once never did (the KVM_SET_SIGNAL_MASK argument
 * put the mask after 4 bytes of padding, which kept the kick blocked inside KVM_RUN), and the
 * benchmark's interrupt section hung. Needs /dev/kvm (the KVM rig has one); says so and exits 0
 * without it. A run that does not end within 20 s fails.
 *
 *   gcc -O2 -o /tmp/kbt bench/c/kvm_baseline_test.c bench/c/kvm_common.c bench/c/kvm_baseline.c bench/c/kvm_smp.c -lpthread
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct kb_guest;
int kb_create(const uint8_t *image, size_t size, size_t memory, struct kb_guest **out);
void kb_destroy(struct kb_guest *g);
int kb_run_to_out(struct kb_guest *g, int port);
int kb_run_to_handler(struct kb_guest *g, int port, int vector);
int kb_abort(struct kb_guest *g);

#define MEMORY (16u << 20)
#define IMAGE 0x12000

static uint8_t s_image[IMAGE];

static void put64(uint32_t at, uint64_t value) { memcpy(&s_image[at], &value, 8); }

/* Identity-mapped first 16 MiB (CR3 = 0, 2 MiB pages) and, at 0x2000: out 0x12; hlt; jmp hlt (IF = 0). */
static void build_image(void)
{
    put64(0x0, 0x1000 | 7);
    put64(0x1000, 0x10000 | 7);
    for (uint64_t i = 0; i < 8; i++)
        put64(0x10000 + (uint32_t)i * 8, (i << 21) | 0x87);
    const uint8_t code[] = { 0xE6, 0x12, 0xF4, 0xEB, 0xFD };
    memcpy(&s_image[0x2000], code, sizeof(code));
}

static void *abort_later(void *guest)
{
    usleep(100 * 1000); /* the VCPU thread is halted inside KVM_RUN by then (or enters it later: the kick stays pending) */
    kb_abort(guest);
    return NULL;
}

static void *watchdog(void *arg)
{
    (void)arg;
    sleep(20);
    printf("[FAIL] a kick did not end KVM_RUN of a halted guest within 20 s\n");
    fflush(stdout);
    _exit(1);
}

int main(void)
{
    if (access("/dev/kvm", R_OK | W_OK) != 0) {
        printf("[SKIP] no usable /dev/kvm: the kick test needs KVM (run it in the KVM rig)\n");
        return 0;
    }
    build_image();
    pthread_t dog, kicker;
    pthread_create(&dog, NULL, watchdog, NULL);
    struct kb_guest *g;
    int status = kb_create(s_image, sizeof(s_image), MEMORY, &g);
    if (status != 0) {
        printf("[FAIL] kb_create: %s\n", strerror(-status));
        return 1;
    }
    if ((status = kb_run_to_out(g, 0x12)) != 0) {
        printf("[FAIL] run to the guest's first OUT: %d\n", status);
        return 1;
    }
    pthread_create(&kicker, NULL, abort_later, g);
    status = kb_run_to_handler(g, 0x90, 0x40);
    pthread_join(kicker, NULL);
    kb_destroy(g);
    if (status != -ETIMEDOUT) {
        printf("[FAIL] kb_run_to_handler after kb_abort: %d, expected -ETIMEDOUT\n", status);
        return 1;
    }
    printf("[PASS] a kick ends KVM_RUN of a halted guest (kb_abort → -ETIMEDOUT)\n");
    return 0;
}
