namespace Zircon.Vmm.Devices;

/// <summary>
/// A device on the address-space bus (port I/O or MMIO). Offsets are relative to the start of the
/// device's range; <c>size</c> is 1, 2, 4 or 8 bytes. Values are little-endian, zero-extended.
/// </summary>
public interface IBusDevice
{
    /// <summary>Reads <paramref name="size"/> bytes at <paramref name="offset"/>.</summary>
    ulong Read(ulong offset, int size);

    /// <summary>Writes the low <paramref name="size"/> bytes of <paramref name="value"/> at <paramref name="offset"/>.</summary>
    void Write(ulong offset, int size, ulong value);
}
