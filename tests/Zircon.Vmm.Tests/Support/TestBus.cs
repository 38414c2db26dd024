using Zircon.Vmm.Devices;

namespace Zircon.Vmm.Tests.Support;

/// <summary>A bus device that records accesses and answers reads with a fixed value.</summary>
internal sealed class RecordingDevice(ulong readValue = 0) : IBusDevice
{
    public List<(ulong Offset, int Size, ulong Value)> Writes { get; } = new();

    public List<(ulong Offset, int Size)> Reads { get; } = new();

    public ulong Read(ulong offset, int size)
    {
        Reads.Add((offset, size));
        return readValue;
    }

    public void Write(ulong offset, int size, ulong value) => Writes.Add((offset, size, value));
}
