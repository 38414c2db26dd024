using Zircon.Vmm.Devices;

namespace Zircon.Vmm.Bus;

/// <summary>Which address space a bus range lives in.</summary>
public enum AddressSpaceKind
{
    /// <summary>x86 port I/O (IN/OUT).</summary>
    Io,

    /// <summary>Guest-physical memory (MMIO).</summary>
    Memory,
}

/// <summary>One device's range on the bus.</summary>
public sealed record BusRange(AddressSpaceKind Kind, ulong Base, ulong Length, IBusDevice Device, string Name)
{
    public ulong End => Base + Length;

    public bool Contains(ulong address) => address >= Base && address - Base < Length;
}

/// <summary>
/// The machine's devices by address: non-overlapping ranges in the I/O and memory spaces. Built
/// once before the guest starts, then only read (so lookups need no lock).
/// </summary>
public sealed class AddressSpaceBus
{
    private readonly List<BusRange> _io = new();
    private readonly List<BusRange> _memory = new();

    /// <summary>Adds a device; ranges may not overlap within one space.</summary>
    /// <exception cref="ArgumentException">The range is empty or overlaps another.</exception>
    public BusRange Add(AddressSpaceKind kind, ulong baseAddress, ulong length, IBusDevice device, string name)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (length == 0 || baseAddress + length < baseAddress)
            throw new ArgumentException($"{name}: empty or wrapping range 0x{baseAddress:x}+0x{length:x}");
        List<BusRange> space = Space(kind);
        foreach (BusRange existing in space)
        {
            if (baseAddress < existing.End && existing.Base < baseAddress + length)
                throw new ArgumentException($"{name} at 0x{baseAddress:x} overlaps {existing.Name} at 0x{existing.Base:x}");
        }
        var range = new BusRange(kind, baseAddress, length, device, name);
        space.Add(range);
        space.Sort((a, b) => a.Base.CompareTo(b.Base));
        return range;
    }

    /// <summary>The stretches of [<paramref name="start"/>, <paramref name="end"/>) no device covers, in address order.</summary>
    public IEnumerable<(ulong Start, ulong Length)> Gaps(AddressSpaceKind kind, ulong start, ulong end)
    {
        ulong at = start;
        foreach (BusRange range in Space(kind).ToList())
        {
            if (range.End <= at || range.Base >= end)
                continue;
            if (range.Base > at)
                yield return (at, range.Base - at);
            at = Math.Max(at, range.End);
        }
        if (at < end)
            yield return (at, end - at);
    }

    /// <summary>The range holding <paramref name="address"/>, or null.</summary>
    public BusRange? Find(AddressSpaceKind kind, ulong address)
    {
        foreach (BusRange range in Space(kind))
        {
            if (range.Contains(address))
                return range;
        }
        return null;
    }

    /// <summary>Every range of one space, by address.</summary>
    public IReadOnlyList<BusRange> Ranges(AddressSpaceKind kind) => Space(kind);

    private List<BusRange> Space(AddressSpaceKind kind) => kind == AddressSpaceKind.Io ? _io : _memory;
}
