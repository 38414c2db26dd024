namespace Zircon.Linux.Kvm;

/// <summary>Why <see cref="KvmVcpu.Run"/> returned.</summary>
public enum KvmExitKind
{
    /// <summary>KVM_EXIT_UNKNOWN: see <see cref="KvmExit.HardwareReason"/>.</summary>
    Unknown,
    /// <summary>Port I/O the kernel did not handle: see <see cref="KvmExit.Io"/>.</summary>
    Io,
    /// <summary>An access to guest-physical memory no slot backs (or a write to a read-only slot): see <see cref="KvmExit.Mmio"/>.</summary>
    Mmio,
    /// <summary>The guest executed HLT (only without an in-kernel LAPIC).</summary>
    Hlt,
    /// <summary>Triple fault (or another shutdown condition): the VCPU cannot continue.</summary>
    Shutdown,
    /// <summary>KVM could not continue (e.g. the instruction emulator failed): see <see cref="KvmExit.Internal"/>.</summary>
    InternalError,
    /// <summary>VM entry failed (invalid guest state): see <see cref="KvmExit.HardwareReason"/>.</summary>
    FailEntry,
    /// <summary><c>KVM_RUN</c> was interrupted: <see cref="KvmVcpu.Kick"/> (or a spurious signal). Nothing to complete.</summary>
    Intr,
    /// <summary>The guest can take an interrupt now (after <see cref="KvmVcpu.RequestInterruptWindow"/>).</summary>
    IrqWindowOpen,
    /// <summary>A debug exit (KVM_SET_GUEST_DEBUG): see <see cref="KvmExit.Debug"/>.</summary>
    Debug,
    /// <summary>A system event (shutdown/reset/crash request): see <see cref="KvmExit.SystemEvent"/>.</summary>
    SystemEvent,
    /// <summary>KVM_EXIT_EXCEPTION (not produced by x86 KVM in practice).</summary>
    Exception,
    /// <summary>KVM_EXIT_NMI.</summary>
    Nmi,
    /// <summary>An exit reason this backend does not decode: see <see cref="KvmExit.Reason"/>.</summary>
    Other,
}

/// <summary>A port I/O exit. RIP still points at the IN/OUT instruction; KVM advances it on the next run.</summary>
/// <param name="Port">The I/O port.</param>
/// <param name="Size">Bytes per element: 1, 2 or 4.</param>
/// <param name="IsWrite">OUT (true) or IN (false).</param>
/// <param name="Count">Elements: 1 except for string instructions (INS/OUTS, REP).</param>
/// <param name="Data">For OUT, the first element's value (zero-extended); 0 for IN.</param>
public readonly record struct KvmIoExit(ushort Port, byte Size, bool IsWrite, uint Count, uint Data);

/// <summary>
/// An MMIO exit. For a write KVM has already advanced RIP past the instruction; for a read RIP still
/// points at it and KVM writes the value supplied with <see cref="KvmVcpu.CompleteMmioRead"/> into the
/// destination on the next run.
/// </summary>
/// <param name="Address">Guest-physical address.</param>
/// <param name="Length">Bytes accessed: 1, 2, 4 or 8.</param>
/// <param name="IsWrite">Write (true) or read (false).</param>
/// <param name="Data">For a write, the value written (little-endian, zero-extended); 0 for a read.</param>
public readonly record struct KvmMmioExit(ulong Address, uint Length, bool IsWrite, ulong Data);

/// <summary>KVM_EXIT_INTERNAL_ERROR details.</summary>
/// <param name="Suberror">KVM_INTERNAL_ERROR_*: 1 emulation failure, 2 exception while emulating, 3 event delivery failure, 4 unexpected exit reason.</param>
/// <param name="DataCount">How many data words KVM supplied (ndata).</param>
/// <param name="Data0">data[0]; for an emulation failure with instruction bytes, the flags word (bit 0 set).</param>
/// <param name="Data1">data[1]; for an emulation failure, byte 0 is the instruction length and bytes 1..7 the first instruction bytes.</param>
/// <param name="Data2">data[2]; for an emulation failure, instruction bytes 8..15.</param>
public readonly record struct KvmInternalErrorExit(uint Suberror, uint DataCount, ulong Data0, ulong Data1, ulong Data2);

/// <summary>KVM_EXIT_SYSTEM_EVENT details.</summary>
/// <param name="Type">KVM_SYSTEM_EVENT_*: 1 shutdown, 2 reset, 3 crash, 4 wakeup, 5 suspend.</param>
/// <param name="Flags">data[0] (the flags word of older kernels).</param>
public readonly record struct KvmSystemEventExit(uint Type, ulong Flags);

/// <summary>KVM_EXIT_DEBUG details.</summary>
public readonly record struct KvmDebugExit(uint Exception, ulong Pc, ulong Dr6, ulong Dr7);

/// <summary>
/// Why a VCPU stopped, decoded from the <c>kvm_run</c> page: only the member that matches
/// <see cref="Kind"/> is meaningful, the others are default.
/// </summary>
public readonly struct KvmExit
{
    internal KvmExit(KvmExitKind kind, uint reason)
    {
        Kind = kind;
        Reason = reason;
    }

    /// <summary>The decoded exit kind.</summary>
    public KvmExitKind Kind { get; }

    /// <summary>The raw <c>kvm_run.exit_reason</c> (KVM_EXIT_*); 10 (KVM_EXIT_INTR) for <see cref="KvmExitKind.Intr"/>.</summary>
    public uint Reason { get; }

    /// <summary>Valid for <see cref="KvmExitKind.Io"/>.</summary>
    public KvmIoExit Io { get; init; }

    /// <summary>Valid for <see cref="KvmExitKind.Mmio"/>.</summary>
    public KvmMmioExit Mmio { get; init; }

    /// <summary>Valid for <see cref="KvmExitKind.InternalError"/>.</summary>
    public KvmInternalErrorExit Internal { get; init; }

    /// <summary>Valid for <see cref="KvmExitKind.SystemEvent"/>.</summary>
    public KvmSystemEventExit SystemEvent { get; init; }

    /// <summary>Valid for <see cref="KvmExitKind.Debug"/>.</summary>
    public KvmDebugExit Debug { get; init; }

    /// <summary>For <see cref="KvmExitKind.Unknown"/> the hardware exit reason; for <see cref="KvmExitKind.FailEntry"/> the hardware entry-failure reason.</summary>
    public ulong HardwareReason { get; init; }

    /// <summary>For <see cref="KvmExitKind.Exception"/>: vector in the low 32 bits, error code in the high 32 bits.</summary>
    public ulong ExceptionInfo { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        KvmExitKind.Io => $"Io {Io}",
        KvmExitKind.Mmio => $"Mmio {Mmio}",
        KvmExitKind.InternalError => $"InternalError {Internal}",
        KvmExitKind.SystemEvent => $"SystemEvent {SystemEvent}",
        KvmExitKind.Debug => $"Debug {Debug}",
        KvmExitKind.Unknown or KvmExitKind.FailEntry => $"{Kind} hardware reason 0x{HardwareReason:x}",
        KvmExitKind.Other => $"Other (exit_reason {Reason})",
        _ => Kind.ToString(),
    };
}
