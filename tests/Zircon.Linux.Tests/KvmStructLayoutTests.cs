using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Zircon.Linux.Tests;

/// <summary>
/// Pins the C structs and ioctl numbers to &lt;linux/kvm.h&gt; (x86-64). The expected values were
/// printed by a C program compiled against the kernel headers (sizeof/offsetof and the _IO* macros).
/// </summary>
public sealed class KvmStructLayoutTests
{
    [Theory]
    [InlineData(typeof(kvm_regs), 144)]
    [InlineData(typeof(kvm_segment), 24)]
    [InlineData(typeof(kvm_dtable), 16)]
    [InlineData(typeof(kvm_sregs), 312)]
    [InlineData(typeof(kvm_vcpu_events), 64)]
    [InlineData(typeof(kvm_sync_regs), 520)]
    [InlineData(typeof(kvm_run), 2352)]
    [InlineData(typeof(kvm_lapic_state), 1024)]
    [InlineData(typeof(kvm_cpuid_entry2), 40)]
    [InlineData(typeof(kvm_cpuid2), 8)]
    [InlineData(typeof(kvm_msr_entry), 16)]
    [InlineData(typeof(kvm_msrs), 8)]
    [InlineData(typeof(kvm_userspace_memory_region), 32)]
    [InlineData(typeof(kvm_irqfd), 32)]
    [InlineData(typeof(kvm_ioeventfd), 64)]
    [InlineData(typeof(kvm_irq_routing_entry), 48)]
    [InlineData(typeof(kvm_irq_routing), 8)]
    [InlineData(typeof(kvm_msi), 32)]
    [InlineData(typeof(kvm_enable_cap), 104)]
    [InlineData(typeof(kvm_interrupt), 4)]
    [InlineData(typeof(kvm_mp_state), 4)]
    public void StructSize_MatchesTheKernelHeader(Type type, int size) =>
        Assert.Equal(size, Marshal.SizeOf(type));

    [Theory]
    [InlineData(typeof(kvm_run), "exit_reason", 8)]
    [InlineData(typeof(kvm_run), "ready_for_interrupt_injection", 12)]
    [InlineData(typeof(kvm_run), "cr8", 16)]
    [InlineData(typeof(kvm_run), "apic_base", 24)]
    [InlineData(typeof(kvm_run), "io", 32)]
    [InlineData(typeof(kvm_run), "mmio", 32)]
    [InlineData(typeof(kvm_run), "kvm_valid_regs", 288)]
    [InlineData(typeof(kvm_run), "kvm_dirty_regs", 296)]
    [InlineData(typeof(kvm_run), "s", 304)]
    [InlineData(typeof(kvm_run_mmio), "data", 8)]
    [InlineData(typeof(kvm_run_mmio), "len", 16)]
    [InlineData(typeof(kvm_run_mmio), "is_write", 20)]
    [InlineData(typeof(kvm_run_internal), "ndata", 4)]
    [InlineData(typeof(kvm_run_internal), "data", 8)]
    [InlineData(typeof(kvm_run_fail_entry), "cpu", 8)]
    [InlineData(typeof(kvm_sregs), "cr0", 224)]
    [InlineData(typeof(kvm_sregs), "efer", 264)]
    [InlineData(typeof(kvm_sregs), "interrupt_bitmap", 280)]
    [InlineData(typeof(kvm_sync_regs), "sregs", 144)]
    [InlineData(typeof(kvm_sync_regs), "events", 456)]
    [InlineData(typeof(kvm_vcpu_events), "sipi_vector", 16)]
    [InlineData(typeof(kvm_vcpu_events), "flags", 20)]
    [InlineData(typeof(kvm_vcpu_events), "smi", 24)]
    [InlineData(typeof(kvm_vcpu_events), "triple_fault_pending", 28)]
    [InlineData(typeof(kvm_vcpu_events), "exception_has_payload", 55)]
    [InlineData(typeof(kvm_vcpu_events), "exception_payload", 56)]
    [InlineData(typeof(kvm_irq_routing_entry), "msi", 16)]
    [InlineData(typeof(kvm_ioeventfd), "addr", 8)]
    [InlineData(typeof(kvm_ioeventfd), "len", 16)]
    [InlineData(typeof(kvm_ioeventfd), "fd", 20)]
    [InlineData(typeof(kvm_ioeventfd), "flags", 24)]
    public void FieldOffset_MatchesTheKernelHeader(Type type, string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf(type, field));

    [Fact]
    public void IoctlNumbers_MatchTheKernelHeader()
    {
        (nuint Actual, uint Expected)[] pairs =
        [
            (KvmIoctls.KVM_GET_API_VERSION, 0x0000ae00), (KvmIoctls.KVM_CREATE_VM, 0x0000ae01),
            (KvmIoctls.KVM_CHECK_EXTENSION, 0x0000ae03), (KvmIoctls.KVM_GET_VCPU_MMAP_SIZE, 0x0000ae04),
            (KvmIoctls.KVM_GET_SUPPORTED_CPUID, 0xc008ae05), (KvmIoctls.KVM_SET_USER_MEMORY_REGION, 0x4020ae46),
            (KvmIoctls.KVM_CREATE_VCPU, 0x0000ae41), (KvmIoctls.KVM_SET_TSS_ADDR, 0x0000ae47),
            (KvmIoctls.KVM_SET_IDENTITY_MAP_ADDR, 0x4008ae48), (KvmIoctls.KVM_SET_GSI_ROUTING, 0x4008ae6a),
            (KvmIoctls.KVM_IRQFD, 0x4020ae76), (KvmIoctls.KVM_SIGNAL_MSI, 0x4020aea5),
            (KvmIoctls.KVM_IOEVENTFD, 0x4040ae79),
            (KvmIoctls.KVM_ENABLE_CAP, 0x4068aea3), (KvmIoctls.KVM_RUN, 0x0000ae80),
            (KvmIoctls.KVM_GET_REGS, 0x8090ae81), (KvmIoctls.KVM_SET_REGS, 0x4090ae82),
            (KvmIoctls.KVM_GET_SREGS, 0x8138ae83), (KvmIoctls.KVM_SET_SREGS, 0x4138ae84),
            (KvmIoctls.KVM_INTERRUPT, 0x4004ae86), (KvmIoctls.KVM_GET_MSRS, 0xc008ae88),
            (KvmIoctls.KVM_SET_MSRS, 0x4008ae89), (KvmIoctls.KVM_SET_SIGNAL_MASK, 0x4004ae8b),
            (KvmIoctls.KVM_GET_LAPIC, 0x8400ae8e), (KvmIoctls.KVM_SET_LAPIC, 0x4400ae8f),
            (KvmIoctls.KVM_SET_CPUID2, 0x4008ae90), (KvmIoctls.KVM_GET_CPUID2, 0xc008ae91),
            (KvmIoctls.KVM_GET_MP_STATE, 0x8004ae98), (KvmIoctls.KVM_SET_MP_STATE, 0x4004ae99),
            (KvmIoctls.KVM_NMI, 0x0000ae9a), (KvmIoctls.KVM_GET_VCPU_EVENTS, 0x8040ae9f),
            (KvmIoctls.KVM_SET_VCPU_EVENTS, 0x4040aea0),
        ];
        foreach (var (actual, expected) in pairs)
            Assert.Equal(expected, (uint)actual);
    }

    [Fact]
    public void SignalMaskArgument_IsLengthThenTheKernelSigset() =>
        Assert.Equal(12, Unsafe.SizeOf<kvm_signal_mask>());
}
