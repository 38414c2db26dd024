namespace Zircon.Vmm.Devices.Virtio;

/// <summary>
/// A validated descriptor chain popped from a <see cref="Virtqueue"/>: its device-readable buffers
/// (seen as one byte range of <see cref="ReadableLength"/> bytes) followed by its device-writable ones
/// (<see cref="WritableLength"/> bytes). Valid until the next <see cref="Virtqueue.TryPop"/> on the same queue.
/// </summary>
public readonly struct DescriptorChain
{
    private readonly Virtqueue? _queue;

    internal DescriptorChain(Virtqueue queue, ushort head, int readableCount, int count, long readableLength, long writableLength, int generation)
    {
        _queue = queue;
        Head = head;
        ReadableCount = readableCount;
        Count = count;
        ReadableLength = readableLength;
        WritableLength = writableLength;
        Generation = generation;
    }

    /// <summary>Index of the chain's first descriptor (the id returned in the used ring).</summary>
    public ushort Head { get; }

    /// <summary>Total bytes in the device-readable descriptors.</summary>
    public long ReadableLength { get; }

    /// <summary>Total bytes in the device-writable descriptors.</summary>
    public long WritableLength { get; }

    /// <summary>Number of descriptors in the chain.</summary>
    public int Count { get; }

    internal int ReadableCount { get; }

    internal int Generation { get; }

    internal Virtqueue Queue => _queue ?? throw new InvalidOperationException("Empty descriptor chain.");

    /// <summary>
    /// Reads <paramref name="destination"/>.Length bytes at <paramref name="offset"/> within the readable
    /// part. False when guest memory is out of RAM (the queue is then broken).
    /// </summary>
    public bool TryRead(long offset, Span<byte> destination) => Queue.ReadChain(this, offset, destination);

    /// <summary>
    /// Writes <paramref name="source"/> at <paramref name="offset"/> within the writable part.
    /// False when guest memory is out of RAM (the queue is then broken).
    /// </summary>
    public bool TryWrite(long offset, ReadOnlySpan<byte> source) => Queue.WriteChain(this, offset, source);
}
