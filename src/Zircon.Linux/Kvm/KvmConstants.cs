#pragma warning disable IDE1006

namespace Zircon.Linux.Kvm;

/// <summary>The non-ioctl <c>#define</c>s of &lt;linux/kvm.h&gt; this backend uses, C names kept.</summary>
internal static class KvmConstants
{
    internal const int KVM_API_VERSION = 12;

    // kvm_run.exit_reason
    internal const uint KVM_EXIT_UNKNOWN = 0;
    internal const uint KVM_EXIT_EXCEPTION = 1;
    internal const uint KVM_EXIT_IO = 2;
    internal const uint KVM_EXIT_HYPERCALL = 3;
    internal const uint KVM_EXIT_DEBUG = 4;
    internal const uint KVM_EXIT_HLT = 5;
    internal const uint KVM_EXIT_MMIO = 6;
    internal const uint KVM_EXIT_IRQ_WINDOW_OPEN = 7;
    internal const uint KVM_EXIT_SHUTDOWN = 8;
    internal const uint KVM_EXIT_FAIL_ENTRY = 9;
    internal const uint KVM_EXIT_INTR = 10;
    internal const uint KVM_EXIT_NMI = 16;
    internal const uint KVM_EXIT_INTERNAL_ERROR = 17;
    internal const uint KVM_EXIT_SYSTEM_EVENT = 24;
    internal const uint KVM_EXIT_IOAPIC_EOI = 26;

    internal const byte KVM_EXIT_IO_IN = 0;
    internal const byte KVM_EXIT_IO_OUT = 1;

    // kvm_run.kvm_valid_regs / kvm_dirty_regs
    internal const ulong KVM_SYNC_X86_REGS = 1 << 0;
    internal const ulong KVM_SYNC_X86_SREGS = 1 << 1;
    internal const ulong KVM_SYNC_X86_EVENTS = 1 << 2;

    // kvm_userspace_memory_region.flags
    internal const uint KVM_MEM_READONLY = 1 << 1;

    // kvm_irqfd.flags
    internal const uint KVM_IRQFD_FLAG_DEASSIGN = 1 << 0;

    // kvm_ioeventfd.flags (no DATAMATCH, no PIO: an MMIO write of any value)
    internal const uint KVM_IOEVENTFD_FLAG_DEASSIGN = 1 << 2;

    // kvm_irq_routing_entry.type
    internal const uint KVM_IRQ_ROUTING_MSI = 2;

    // kvm_vcpu_events.flags
    internal const uint KVM_VCPUEVENT_VALID_NMI_PENDING = 0x1;
    internal const uint KVM_VCPUEVENT_VALID_SHADOW = 0x4;

    // The x86 MSI address window: 0xFEE00000 | destination APIC id << 12 (physical mode).
    internal const uint MsiAddressBase = 0xFEE00000;
    internal const int MsiDestinationShift = 12;
    // MSI data delivery modes (bits 8..10).
    internal const uint MsiDeliveryFixed = 0 << 8;
    internal const uint MsiDeliveryNmi = 4 << 8;
}
