namespace Zircon.Linux.Kvm;

/// <summary>
/// KVM capability numbers (<c>KVM_CAP_*</c> in &lt;linux/kvm.h&gt;) asked with
/// <see cref="KvmSystem.CheckExtension"/> or <see cref="KvmVm.CheckExtension"/>.
/// </summary>
public enum KvmCapability : uint
{
    Irqchip = 0,
    Hlt = 1,
    UserMemory = 3,
    SetTssAddr = 4,
    ExtCpuid = 7,
    NrVcpus = 9,
    NrMemslots = 10,
    MpState = 14,
    SetGuestDebug = 23,
    IrqRouting = 25,
    Irqfd = 32,
    Ioeventfd = 36,
    SetIdentityMapAddr = 37,
    VcpuEvents = 41,
    MaxVcpus = 66,
    TscDeadlineTimer = 72,
    SyncRegs = 74,
    SignalMsi = 77,
    ReadonlyMem = 81,
    SplitIrqchip = 121,
    X2apicApi = 129,
    ImmediateExit = 136,
    ExceptionPayload = 164,
    X86TripleFaultEvent = 218,
}
