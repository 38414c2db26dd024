using Zircon.Vmm.Devices;

namespace Zircon.Vmm.Tests.Support;

/// <summary>A thread-safe bus device: counts writes, keeps the last one, answers reads with a fixed value.</summary>
internal sealed class CountingDevice(ulong readValue = 0) : IBusDevice
{
    private readonly Lock _lock = new();
    private readonly List<(ulong Offset, int Size, ulong Value)> _writes = new();

    public int WriteCount
    {
        get
        {
            lock (_lock)
                return _writes.Count;
        }
    }

    public (ulong Offset, int Size, ulong Value)[] Writes
    {
        get
        {
            lock (_lock)
                return _writes.ToArray();
        }
    }

    public ulong Read(ulong offset, int size) => readValue;

    public void Write(ulong offset, int size, ulong value)
    {
        lock (_lock)
            _writes.Add((offset, size, value));
    }
}
