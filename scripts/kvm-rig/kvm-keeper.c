/*
 * kvm-keeper: holds a few idle KVM objects open for the whole life of the KVM rig.
 *
 * Why: KVM turns some of its static keys on and off as VMs and VCPUs come and go (a VCPU's local
 * APIC starts software-disabled, another may be hardware-disabled, a VM may have no in-kernel
 * APIC). Each 0 <-> 1 change of such a key makes the kernel patch its own code on every CPU at
 * once (text_poke_bp: an int3 written over live code, IPIs to every CPU). Under QEMU's
 * multi-threaded TCG that cross-CPU code patching sometimes leaves one emulated CPU looping in the
 * int3 handler with interrupts off and the other spinning on a lock: the whole rig stops (seen
 * by scripts/kvm-rig/stall-watch.sh: RIPs in exc_int3 and native_queued_spin_lock_slowpath,
 * timer interrupts pending and never taken). Tests that create hundreds of guests flip those keys
 * hundreds of times. Holding one user of each key keeps every count above zero, so the keys never
 * change and the kernel's code is never patched while the tests run. The keys only select fast
 * paths; KVM behaves the same either way.
 *
 * Built statically on the host by rig.sh into the rig's initramfs; /init starts it after loading
 * kvm-amd. It never returns on success; it exits 1 (with a line on stderr) when it cannot.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int must(int result, const char *what)
{
    if (result < 0) {
        perror(what);
        exit(1);
    }
    return result;
}

int main(void)
{
    int kvm = must(open("/dev/kvm", O_RDWR | O_CLOEXEC), "kvm-keeper: /dev/kvm");

    /* A VM with KVM's in-kernel interrupt controllers. */
    int vm = must(ioctl(kvm, KVM_CREATE_VM, 0), "kvm-keeper: KVM_CREATE_VM");
    must(ioctl(vm, KVM_CREATE_IRQCHIP, 0), "kvm-keeper: KVM_CREATE_IRQCHIP");
    /* VCPU 0: its local APIC stays software-disabled (it never runs). */
    must(ioctl(vm, KVM_CREATE_VCPU, 0), "kvm-keeper: KVM_CREATE_VCPU 0");
    /* VCPU 1: its local APIC hardware-disabled (APIC base MSR without its enable bit). */
    int vcpu1 = must(ioctl(vm, KVM_CREATE_VCPU, 1), "kvm-keeper: KVM_CREATE_VCPU 1");
    struct {
        struct kvm_msrs header;
        struct kvm_msr_entry entry;
    } msrs;
    memset(&msrs, 0, sizeof msrs);
    msrs.header.nmsrs = 1;
    msrs.entry.index = 0x1b;         /* IA32_APIC_BASE */
    msrs.entry.data = 0xfee00000ULL; /* default base, not enabled, not the BSP */
    if (ioctl(vcpu1, KVM_SET_MSRS, &msrs) != 1) {
        fprintf(stderr, "kvm-keeper: KVM_SET_MSRS (APIC base) failed\n");
        return 1;
    }

    /* A VM without an in-kernel local APIC, with one VCPU. */
    int bare = must(ioctl(kvm, KVM_CREATE_VM, 0), "kvm-keeper: KVM_CREATE_VM (no irqchip)");
    must(ioctl(bare, KVM_CREATE_VCPU, 0), "kvm-keeper: KVM_CREATE_VCPU (no irqchip)");

    for (;;)
        pause();
}
