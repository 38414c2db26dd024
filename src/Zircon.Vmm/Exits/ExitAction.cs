using Zircon.Vmm.Bus;

namespace Zircon.Vmm.Exits;

/// <summary>What the VCPU loop must do for one exit.</summary>
public enum ExitActionKind
{
    /// <summary>OUT: write <see cref="ExitAction.Value"/> to the device.</summary>
    IoWrite,

    /// <summary>IN: read the device and complete the IN with <c>zx_vcpu_write_state(ZX_VCPU_IO)</c>.</summary>
    IoRead,

    /// <summary>MMIO store of a register (read it with <c>zx_vcpu_read_state</c> first).</summary>
    MemoryStoreRegister,

    /// <summary>MMIO store of an immediate.</summary>
    MemoryStoreImmediate,

    /// <summary>MMIO load: read the device, then set the register with <c>zx_vcpu_write_state</c>.</summary>
    MemoryLoad,

    /// <summary>
    /// The guest started an application processor (a STARTUP packet): create VCPU
    /// <see cref="ExitAction.Offset"/> at entry <see cref="ExitAction.Value"/> on a thread of its own.
    /// </summary>
    StartProcessor,

    /// <summary>Nothing on the bus can serve the exit: stop the machine with <see cref="ExitAction.Error"/>.</summary>
    Unhandled,
}

/// <summary>
/// The decision for one VCPU exit. <see cref="Offset"/> is relative to <see cref="Range"/>'s base;
/// <see cref="Size"/> is the access size in bytes.
/// </summary>
public readonly record struct ExitAction(ExitActionKind Kind, BusRange? Range, ulong Offset, int Size, ulong Value, MmioInstruction Instruction, string? Error)
{
    public static ExitAction Unhandled(string error) => new(ExitActionKind.Unhandled, null, 0, 0, 0, default, error);

    public static ExitAction StartProcessor(ulong id, ulong entry) => new(ExitActionKind.StartProcessor, null, id, 0, entry, default, null);
}
