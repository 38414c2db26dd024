namespace Zircon.Linux.Kvm;

/// <summary>
/// KVM capability numbers (<c>KVM_CAP_*</c> in &lt;linux/kvm.h&gt;) asked with
/// <see cref="KvmSystem.CheckExtension"/> or <see cref="KvmVm.CheckExtension"/>.
/// </summary>
public enum KvmCapability : uint
{
    /// <summary><c>KVM_CAP_IRQCHIP</c>: an in-kernel interrupt controller.</summary>
    Irqchip = 0,
    /// <summary><c>KVM_CAP_HLT</c>: HLT exits to user space are available.</summary>
    Hlt = 1,
    /// <summary><c>KVM_CAP_USER_MEMORY</c>: guest memory from user-space mappings.</summary>
    UserMemory = 3,
    /// <summary><c>KVM_CAP_SET_TSS_ADDR</c>: the TSS address can be set (needed on Intel).</summary>
    SetTssAddr = 4,
    /// <summary><c>KVM_CAP_EXT_CPUID</c>: KVM_GET_SUPPORTED_CPUID and KVM_SET_CPUID2.</summary>
    ExtCpuid = 7,
    /// <summary><c>KVM_CAP_NR_VCPUS</c>: the recommended VCPU count.</summary>
    NrVcpus = 9,
    /// <summary><c>KVM_CAP_NR_MEMSLOTS</c>: the number of memory slots.</summary>
    NrMemslots = 10,
    /// <summary><c>KVM_CAP_MP_STATE</c>: KVM_GET/SET_MP_STATE.</summary>
    MpState = 14,
    /// <summary><c>KVM_CAP_SET_GUEST_DEBUG</c>: guest debugging controls.</summary>
    SetGuestDebug = 23,
    /// <summary><c>KVM_CAP_IRQ_ROUTING</c>: GSI routing tables.</summary>
    IrqRouting = 25,
    /// <summary><c>KVM_CAP_IRQFD</c>: an eventfd raises a guest interrupt line.</summary>
    Irqfd = 32,
    /// <summary><c>KVM_CAP_IOEVENTFD</c>: a guest write signals an eventfd.</summary>
    Ioeventfd = 36,
    /// <summary><c>KVM_CAP_SET_IDENTITY_MAP_ADDR</c>: the identity-map page address can be set.</summary>
    SetIdentityMapAddr = 37,
    /// <summary><c>KVM_CAP_VCPU_EVENTS</c>: KVM_GET/SET_VCPU_EVENTS.</summary>
    VcpuEvents = 41,
    /// <summary><c>KVM_CAP_MAX_VCPUS</c>: the maximum VCPU count.</summary>
    MaxVcpus = 66,
    /// <summary><c>KVM_CAP_TSC_DEADLINE_TIMER</c>: the APIC TSC-deadline timer mode.</summary>
    TscDeadlineTimer = 72,
    /// <summary><c>KVM_CAP_SYNC_REGS</c>: registers synchronized through kvm_run.</summary>
    SyncRegs = 74,
    /// <summary><c>KVM_CAP_SIGNAL_MSI</c>: KVM_SIGNAL_MSI.</summary>
    SignalMsi = 77,
    /// <summary><c>KVM_CAP_READONLY_MEM</c>: read-only memory slots.</summary>
    ReadonlyMem = 81,
    /// <summary><c>KVM_CAP_SPLIT_IRQCHIP</c>: an in-kernel local APIC with the IOAPIC/PIC in user space.</summary>
    SplitIrqchip = 121,
    /// <summary><c>KVM_CAP_IOEVENTFD_ANY_LENGTH</c>: an MMIO ioeventfd of length 0 matches a write of any length.</summary>
    IoeventfdAnyLength = 122,
    /// <summary><c>KVM_CAP_X2APIC_API</c>: 32-bit APIC IDs and the x2APIC interface.</summary>
    X2apicApi = 129,
    /// <summary><c>KVM_CAP_IMMEDIATE_EXIT</c>: kvm_run.immediate_exit.</summary>
    ImmediateExit = 136,
    /// <summary><c>KVM_CAP_EXCEPTION_PAYLOAD</c>: exception payloads (CR2, DR6) in vcpu events.</summary>
    ExceptionPayload = 164,
    /// <summary><c>KVM_CAP_X86_TRIPLE_FAULT_EVENT</c>: triple faults in vcpu events.</summary>
    X86TripleFaultEvent = 218,
}
