using Zircon.Vmm.Devices;

namespace Zircon.Vmm.Machine;

/// <summary>
/// The guest's RAM: one VMO mapped at guest-physical 0 and into this process, so devices read and
/// write guest memory directly through the host mapping.
/// </summary>
public sealed class GuestRam : IGuestMemory, IDisposable
{
    private readonly VmoMapping _hostMapping;

    private GuestRam(Vmo vmo, VmoMapping hostMapping)
    {
        Vmo = vmo;
        _hostMapping = hostMapping;
    }

    /// <summary>
    /// The largest RAM (2047 MiB): the host reaches all of RAM through one span, so it must stay
    /// below 2 GiB.
    /// </summary>
    public const ulong MaxSize = (ulong)int.MaxValue & ~0xF_FFFFUL;

    public Vmo Vmo { get; }

    public ulong Size => _hostMapping.Length;

    /// <summary>All of RAM as host memory.</summary>
    public Span<byte> Bytes => _hostMapping.Span;

    /// <summary>Creates <paramref name="size"/> bytes of RAM and maps it at guest-physical 0 (read, write, execute).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is 0 or above <see cref="MaxSize"/>.</exception>
    public static GuestRam Create(Guest guest, ulong size)
    {
        if (size == 0 || size > MaxSize)
            throw new ArgumentOutOfRangeException(nameof(size), size, $"guest RAM must be 1 to {MaxSize} bytes ({MaxSize >> 20} MiB)");
        Vmar physical = guest.PhysicalMemory ?? throw new ArgumentException("the guest has no physical-memory VMAR", nameof(guest));
        Vmo vmo = Vmo.Create(size).ReplaceAsExecutable(Resource.Root);
        try
        {
            physical.Map(VmOptions.PermRead | VmOptions.PermWrite | VmOptions.PermExecute | VmOptions.Specific, 0, vmo, 0, size);
            return new GuestRam(vmo, Vmar.Root.CreateMapping(vmo, 0, size));
        }
        catch
        {
            vmo.Dispose();
            throw;
        }
    }

    public bool TryRead(ulong address, Span<byte> destination)
    {
        if (!InRange(address, destination.Length))
            return false;
        Bytes.Slice((int)address, destination.Length).CopyTo(destination);
        return true;
    }

    public bool TryWrite(ulong address, ReadOnlySpan<byte> source)
    {
        if (!InRange(address, source.Length))
            return false;
        source.CopyTo(Bytes.Slice((int)address, source.Length));
        return true;
    }

    private bool InRange(ulong address, int length) => address <= Size && (ulong)length <= Size - address && address + (ulong)length <= int.MaxValue;

    public void Dispose()
    {
        _hostMapping.Dispose();
        Vmo.Dispose();
    }
}
