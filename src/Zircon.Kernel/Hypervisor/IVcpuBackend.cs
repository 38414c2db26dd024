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

    /// <summary>
    /// Parks a VCPU no Zircon VCPU uses (a new application processor, or a retired one): it never
    /// runs guest code, but waits for the guest's INIT and STARTUP IPIs; each STARTUP that follows an
    /// INIT calls <paramref name="startup"/> with the entry it names (vector &lt;&lt; 12), from any
    /// thread. Parking ends at <see cref="Reset"/> or <see cref="IDisposable.Dispose"/>, which wait
    /// for it to end. Any thread.
    /// </summary>
    void Park(Action<ulong> startup);

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

    /// <summary>Injects external interrupt <paramref name="vector"/> (the guest must be able to take it).</summary>
    ZxStatus InjectInterrupt(byte vector);

    /// <summary>Injects a non-maskable interrupt.</summary>
    ZxStatus InjectNmi();

    /// <summary>Injects exception <paramref name="vector"/>, with <paramref name="errorCode"/> for the exceptions that push one.</summary>
    ZxStatus InjectException(byte vector, uint? errorCode);
}

/// <summary>Why a VCPU stopped.</summary>
public enum VcpuExitKind
{
    /// <summary>The guest executed IN or OUT.</summary>
    Io,
    /// <summary>The guest accessed memory no slot backs.</summary>
    Mmio,
    /// <summary>HLT reached user space (no in-kernel interrupt controller).</summary>
    Halt,
    /// <summary>The run was interrupted from another thread (kick or signal).</summary>
    Kicked,
    /// <summary>The guest can now take an interrupt that was waiting.</summary>
    InterruptWindow,
    /// <summary>The guest triple-faulted (shut down).</summary>
    TripleFault,
    /// <summary>The hypervisor could not emulate an instruction.</summary>
    EmulationFailure,
    /// <summary>The hardware refused to enter the guest (invalid state).</summary>
    EntryFailure,
    /// <summary>Any other exit.</summary>
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
    /// <summary>The first eight general registers.</summary>
    public ulong Rax, Rbx, Rcx, Rdx, Rsi, Rdi, Rsp, Rbp;
    /// <summary>R8 to R15.</summary>
    public ulong R8, R9, R10, R11, R12, R13, R14, R15;
    /// <summary>The instruction pointer and RFLAGS.</summary>
    public ulong Rip, Rflags;
}

/// <summary>Control registers and the code segment, as a page walk and operand-size decision need them.</summary>
public readonly record struct GuestControlState(ulong Cr0, ulong Cr3, ulong Cr4, ulong Efer, ulong CodeBase, bool CodeLong, bool CodeDefault32)
{
    /// <summary>CR0.PG: paging is on.</summary>
    public bool PagingEnabled => (Cr0 & 0x8000_0000) != 0;

    /// <summary>EFER.LMA: the guest runs in long mode.</summary>
    public bool LongModeActive => (Efer & 0x400) != 0;

    /// <summary>In 64-bit code (long mode and CS.L).</summary>
    public bool Is64BitCode => LongModeActive && CodeLong;

    /// <summary>Zircon's <c>default_operand_size</c>: 4 in 64-bit mode or with CS.D, else 2.</summary>
    public byte DefaultOperandSize => Is64BitCode || CodeDefault32 ? (byte)4 : (byte)2;
}
