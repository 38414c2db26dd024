using Zircon.Linux.Kvm;

namespace Zircon.Kernel.Hypervisor.Kvm;

/// <summary>One KVM VCPU seen through the kernel's backend interface.</summary>
internal sealed class KvmVcpuBackend : IVcpuBackend
{
    private const uint CpuidExtendedTopology = 0xB, CpuidExtendedTopologyV2 = 0x1F;
    private const uint CpuidFeatures = 1, CpuidHypervisorBit = 1u << 31, CpuidX2ApicBit = 1u << 21;
    private readonly KvmVcpu _vcpu;
    private readonly kvm_lapic_state _initialLapic;
    private readonly bool _hasLapic;
    private readonly Lock _parkingLock = new();
    private KvmApParking? _parking;

    public KvmVcpuBackend(KvmVcpu vcpu)
    {
        _vcpu = vcpu;
        // The LAPIC as Initialize left it, restored when the VCPU is recycled.
        _hasLapic = vcpu.Vm.IrqchipMode == KvmIrqchipMode.Split && vcpu.GetLapic(out _initialLapic) == ZxStatus.Ok;
    }

    /// <inheritdoc />
    public void Retire()
    {
        // Nothing to do now: the KVM VCPU keeps its descriptor and page until Reset or Dispose.
    }

    /// <inheritdoc />
    public void Park(Action<ulong> startup)
    {
        lock (_parkingLock)
        {
            // Without an in-kernel local APIC there are no INIT/STARTUP IPIs to wait for.
            if (_parking is not null || !_hasLapic)
                return;
            if (KvmApParking.Start(_vcpu, startup, out KvmApParking? parking) == ZxStatus.Ok)
                _parking = parking;
        }
    }

    private void Unpark()
    {
        lock (_parkingLock)
        {
            _parking?.Stop();
            _parking = null;
        }
    }

    /// <inheritdoc />
    public ZxStatus Reset(bool bootstrap, ulong entry)
    {
        Unpark();
        // Let KVM finish whatever the last exit left half done (an IN, an MMIO read), so it cannot
        // write into the fresh state at the next entry; then clear events, LAPIC and MP state.
        ZxStatus status = _vcpu.CompletePendingExit();
        if (status != ZxStatus.Ok)
            return status;
        _vcpu.RequestInterruptWindow = false;
        status = _vcpu.SetVcpuEvents(default);
        if (status == ZxStatus.Ok && _hasLapic)
            status = _vcpu.SetLapic(_initialLapic);
        if (status == ZxStatus.Ok && _hasLapic)
            status = _vcpu.SetMpState(KvmMpState.Runnable);
        if (status != ZxStatus.Ok)
            return status;
        status = _vcpu.Refresh(KvmRegisterSets.All);
        if (status != ZxStatus.Ok)
            return status;
        SetInitialState(bootstrap, entry);
        return ZxStatus.Ok;
    }

    /// <summary>CPUID as Zircon presents it (hypervisor and x2APIC bits, APIC id), the LAPIC enabled, and the VCPU runnable.</summary>
    public static ZxStatus Initialize(KvmVcpu vcpu, KvmCpuid supported)
    {
        KvmCpuid cpuid = supported.Clone();
        int leaf1 = cpuid.IndexOf(CpuidFeatures);
        if (leaf1 >= 0)
        {
            ref kvm_cpuid_entry2 e = ref cpuid.Entries[leaf1];
            e.ecx |= CpuidHypervisorBit;
            e.ebx = (e.ebx & 0x00FF_FFFF) | (vcpu.Id << 24);
        }
        // The extended topology leaves report the x2APIC id in EDX, per VCPU (KVM leaves it to
        // user space): without it every processor of a multi-processor guest says it is APIC 0.
        foreach (ref kvm_cpuid_entry2 e in cpuid.Entries)
        {
            if (e.function is CpuidExtendedTopology or CpuidExtendedTopologyV2)
                e.edx = vcpu.Id;
        }
        ZxStatus status = vcpu.SetCpuid(cpuid);
        if (status != ZxStatus.Ok)
            return status;
        if (vcpu.Vm.IrqchipMode == KvmIrqchipMode.Split)
        {
            status = vcpu.EnableLapic();
            // With an in-kernel LAPIC, KVM parks every VCPU but its BSP (KVM id 0) until INIT/SIPI;
            // Zircon starts every VCPU running (docs/semantics.md §8.2), and KVM ids are not reused, so a VCPU created
            // after the first one was closed would be parked too.
            if (status == ZxStatus.Ok)
                status = vcpu.SetMpState(KvmMpState.Runnable);
        }
        return status;
    }

    /// <summary>Zircon's initial state: the bootstrap processor in 64-bit mode at entry, others in real mode.</summary>
    public void SetInitialState(bool bootstrap, ulong entry)
    {
        if (bootstrap)
            KvmX86State.SetBootstrapProcessor(ref _vcpu.Regs, ref _vcpu.Sregs, entry);
        else
            KvmX86State.SetApplicationProcessor(ref _vcpu.Regs, ref _vcpu.Sregs, entry);
        _vcpu.MarkDirty(KvmRegisterSets.Regs | KvmRegisterSets.Sregs);
    }

    public uint ApicId => _vcpu.Id;

    public ZxStatus Run(out VcpuExit exit)
    {
        ZxStatus status = _vcpu.Run(out KvmExit e);
        exit = status != ZxStatus.Ok ? default : e.Kind switch
        {
            KvmExitKind.Io => new VcpuExit(VcpuExitKind.Io, Io: new VcpuIoAccess(e.Io.Port, e.Io.Size, e.Io.IsWrite, e.Io.Count, e.Io.Data)),
            KvmExitKind.Mmio => new VcpuExit(VcpuExitKind.Mmio, Mmio: new VcpuMmioAccess(e.Mmio.Address, e.Mmio.Length, e.Mmio.IsWrite, e.Mmio.Data)),
            KvmExitKind.Hlt => new VcpuExit(VcpuExitKind.Halt),
            KvmExitKind.Intr => new VcpuExit(VcpuExitKind.Kicked),
            KvmExitKind.IrqWindowOpen => new VcpuExit(VcpuExitKind.InterruptWindow),
            KvmExitKind.Shutdown => new VcpuExit(VcpuExitKind.TripleFault),
            KvmExitKind.InternalError => new VcpuExit(VcpuExitKind.EmulationFailure),
            KvmExitKind.FailEntry => new VcpuExit(VcpuExitKind.EntryFailure),
            _ => new VcpuExit(VcpuExitKind.Other),
        };
        return status;
    }

    public GuestRegisters Registers
    {
        get
        {
            ref kvm_regs r = ref _vcpu.Regs;
            return new GuestRegisters
            {
                Rax = r.rax, Rbx = r.rbx, Rcx = r.rcx, Rdx = r.rdx, Rsi = r.rsi, Rdi = r.rdi, Rsp = r.rsp, Rbp = r.rbp,
                R8 = r.r8, R9 = r.r9, R10 = r.r10, R11 = r.r11, R12 = r.r12, R13 = r.r13, R14 = r.r14, R15 = r.r15,
                Rip = r.rip, Rflags = r.rflags,
            };
        }
        set
        {
            ref kvm_regs r = ref _vcpu.Regs;
            r.rax = value.Rax; r.rbx = value.Rbx; r.rcx = value.Rcx; r.rdx = value.Rdx;
            r.rsi = value.Rsi; r.rdi = value.Rdi; r.rsp = value.Rsp; r.rbp = value.Rbp;
            r.r8 = value.R8; r.r9 = value.R9; r.r10 = value.R10; r.r11 = value.R11;
            r.r12 = value.R12; r.r13 = value.R13; r.r14 = value.R14; r.r15 = value.R15;
            r.rip = value.Rip; r.rflags = value.Rflags;
            _vcpu.MarkDirty(KvmRegisterSets.Regs);
        }
    }

    public GuestControlState Control
    {
        get
        {
            ref kvm_sregs s = ref _vcpu.Sregs;
            return new GuestControlState(s.cr0, s.cr3, s.cr4, s.efer, s.cs.@base, s.cs.l != 0, s.cs.db != 0);
        }
    }

    public ZxStatus CompletePendingExit() => _vcpu.CompletePendingExit();

    public void Kick() => _vcpu.Kick();

    public bool CanInjectInterrupt => _vcpu.ReadyForInterruptInjection;

    public bool RequestInterruptWindow { set => _vcpu.RequestInterruptWindow = value; }

    public ZxStatus InjectInterrupt(byte vector) => _vcpu.InjectInterrupt(vector);

    public ZxStatus InjectNmi() => _vcpu.InjectNmi();

    public ZxStatus InjectException(byte vector, uint? errorCode) => _vcpu.QueueException(vector, errorCode);

    public void Dispose()
    {
        Unpark();
        _vcpu.Dispose();
    }
}
