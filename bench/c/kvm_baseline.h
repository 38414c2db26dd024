/*
 * What the raw KVM baselines share (bench/c/kvm_baseline.c: one VCPU; bench/c/kvm_smp.c: two).
 * Both files are built into one shared library that zircon-bench loads; only KB_API functions are
 * exported (-fvisibility=hidden), the rest stays inside the library.
 */
#ifndef KVM_BASELINE_H
#define KVM_BASELINE_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
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
/* Where Zircon's bootstrap processor starts (GuestImage.Entry). */
#define KB_BSP_ENTRY 0x2000

/* /dev/kvm, KVM_RUN's mapping size and KVM's supported CPUID, opened once per process. */
extern int kb_kvm;
extern int kb_run_size;
extern struct kvm_cpuid2 *kb_cpuid;

int kb_init(void);
int64_t kb_now_ns(void);

/* A VM with the split irqchip and MEMORY bytes of memfd at guest-physical 0 holding IMAGE. */
int kb_vm_create(const uint8_t *image, size_t size, size_t memory, int *vm, int *memfd, uint8_t **mapped);

/*
 * KVM VCPU ID of VM with its kvm_run mapping, KVM's CPUID and the LAPIC enabled as Zircon's KVM
 * backend does (SVR on, LINT0 ExtINT, LINT1 NMI). BOOTSTRAP: Zircon's 64-bit BSP state at
 * KB_BSP_ENTRY; otherwise Zircon's real-mode AP state at ENTRY (CS.base = ENTRY, IP = 0), made
 * runnable (KVM parks every VCPU but the first until INIT/SIPI; Zircon starts every VCPU running).
 */
int kb_vcpu_create(int vm, int id, bool bootstrap, uint64_t entry, int *vcpu, struct kvm_run **run);

/*
 * The calling thread becomes VCPU's thread: the kick signal stays blocked on it except inside
 * KVM_RUN. Returns the thread id (for kicks) or -errno.
 */
int kb_bind_vcpu_thread(int vcpu);

/*
 * Consumes the kick signals pending on the calling thread. KVM restores the thread's own signal
 * mask before KVM_RUN returns, so a kick that interrupted KVM_RUN (or arrived outside it) is
 * still pending afterwards, no handler having run: left there, it makes every later KVM_RUN
 * return EINTR at once, and the guest never runs again. Call after every EINTR, before looking
 * at what the kicker asked for (then a kick sent meanwhile stays pending and is seen next time).
 */
void kb_drain_kicks(void);

/* Sends the kick signal to thread TID of this process. */
int kb_kick_thread(pid_t tid);

#endif
