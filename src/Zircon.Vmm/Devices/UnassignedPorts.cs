namespace Zircon.Vmm.Devices;

/// <summary>
/// What a PC's I/O bus does at a port nobody decodes: reads return all ones, writes vanish. Linux
/// probes many such ports (legacy PIC and PIT, COM2..4, PCI configuration, port 0x80 delays); the
/// Linux machine traps every port no device claims to this, so a probe is an answer, not a crash.
/// </summary>
public sealed class UnassignedPorts : IBusDevice
{
    private long _accesses;

    /// <summary>Accesses served (for --verbose).</summary>
    public long Accesses => Interlocked.Read(ref _accesses);

    public ulong Read(ulong offset, int size)
    {
        Interlocked.Increment(ref _accesses);
        return size >= 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;
    }

    public void Write(ulong offset, int size, ulong value) => Interlocked.Increment(ref _accesses);
}
