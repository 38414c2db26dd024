namespace Zircon.Vmm.Devices;

/// <summary>Guest-physical memory as the host sees it. Thread-safe.</summary>
public interface IGuestMemory
{
    /// <summary>Copies guest memory at <paramref name="address"/>; false (nothing guaranteed copied) when any byte is outside RAM.</summary>
    bool TryRead(ulong address, Span<byte> destination);

    /// <summary>Copies into guest memory at <paramref name="address"/>; false (nothing written) when any byte is outside RAM.</summary>
    bool TryWrite(ulong address, ReadOnlySpan<byte> source);
}
