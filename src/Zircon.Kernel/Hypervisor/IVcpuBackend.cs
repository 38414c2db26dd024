namespace Zircon.Kernel.Hypervisor;

/// <summary>
/// One VCPU of a machine. Everything but <see cref="Kick"/> runs on the VCPU's own thread.
/// </summary>
public interface IVcpuBackend : IDisposable
{
    /// <summary>The local APIC id interrupts are addressed to (KVM: its VCPU id).</summary>
    uint ApicId { get; }

    /// <summary>
    /// Makes the VCPU of a closed Zircon VCPU new again for the next VCPU with the same id, on the
    /// calling thread (its new owner): Zircon's initial state (<paramref name="bootstrap"/>,
    /// <paramref name="entry"/>), nothing pending. KVM cannot create a VCPU id twice in one VM nor
    /// more than 1,024 VCPUs in its life, so VCPUs are recycled rather than re-created.
    /// </summary>
    ZxStatus Reset(bool bootstrap, ulong entry);

    /// <summary>
    /// The Zircon VCPU using this backend is gone (never during <see cref="Run"/>); it waits for a
    /// <see cref="Reset"/> or a <see cref="IDisposable.Dispose"/>. Any thread.
    /// </summary>
    void Retire();

    /// <summary>Runs the guest until it exits to user space.</summary>
    ZxStatus Run(out VcpuExit exit);

    /// <summary>General registers, RIP and RFLAGS. Setting them takes effect at the next run.</summary>
    GuestRegisters Registers { get; set; }

    /// <summary>The state a page walk and the default operand size depend on.</summary>
    GuestControlState Control { get; }

    /// <summary>
    /// Finishes the instruction of the last exit without running guest code (an IN reads 0, an
    /// MMIO read loads 0, RIP moves past it), so the state user space sees and edits next is the
    /// state after the instruction, as Zircon reports it.
    /// </summary>
    ZxStatus CompletePendingExit();

    /// <summary>Makes a running (or the next) <see cref="Run"/> return <see cref="VcpuExitKind.Kicked"/>. Any thread.</summary>
    void Kick();

    /// <summary>Whether an external interrupt can be injected before the next run (IF=1, no shadow).</summary>
    bool CanInjectInterrupt { get; }

    /// <summary>Ask for an <see cref="VcpuExitKind.InterruptWindow"/> exit as soon as the guest can take an interrupt.</summary>
    bool RequestInterruptWindow { set; }

    ZxStatus InjectInterrupt(byte vector);

    ZxStatus InjectNmi();

    ZxStatus InjectException(byte vector, uint? errorCode);
}

/// <summary>Why a VCPU stopped.</summary>
public enum VcpuExitKind
{
    Io,
    Mmio,
    /// <summary>HLT reached user space (no in-kernel interrupt controller).</summary>
    Halt,
    Kicked,
    InterruptWindow,
    TripleFault,
    EmulationFailure,
    EntryFailure,
    Other,
}

/// <summary>A decoded VCPU exit.</summary>
public readonly record struct VcpuExit(VcpuExitKind Kind, VcpuIoAccess Io = default, VcpuMmioAccess Mmio = default);

/// <summary>Port I/O: <paramref name="Count"/> is more than 1 for string/REP forms.</summary>
public readonly record struct VcpuIoAccess(ushort Port, byte Size, bool IsWrite, uint Count, uint Data);

/// <summary>An access to guest-physical memory no slot backs.</summary>
public readonly record struct VcpuMmioAccess(ulong Address, uint Length, bool IsWrite, ulong Data);

/// <summary>The general registers in KVM's order, with RIP and RFLAGS.</summary>
public struct GuestRegisters
{
    public ulong Rax, Rbx, Rcx, Rdx, Rsi, Rdi, Rsp, Rbp;
    public ulong R8, R9, R10, R11, R12, R13, R14, R15;
    public ulong Rip, Rflags;
}

/// <summary>Control registers and the code segment, as a page walk and operand-size decision need them.</summary>
public readonly record struct GuestControlState(ulong Cr0, ulong Cr3, ulong Cr4, ulong Efer, ulong CodeBase, bool CodeLong, bool CodeDefault32)
{
    public bool PagingEnabled => (Cr0 & 0x8000_0000) != 0;

    public bool LongModeActive => (Efer & 0x400) != 0;

    /// <summary>In 64-bit code (long mode and CS.L).</summary>
    public bool Is64BitCode => LongModeActive && CodeLong;

    /// <summary>Zircon's <c>default_operand_size</c>: 4 in 64-bit mode or with CS.D, else 2.</summary>
    public byte DefaultOperandSize => Is64BitCode || CodeDefault32 ? (byte)4 : (byte)2;
}
