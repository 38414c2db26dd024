using System.Buffers.Binary;

namespace Zircon.Vmm.Devices.Virtio;

/// <summary>
/// The device side of a split virtqueue (virtio 1.x §2.7) in guest memory: pops available descriptor
/// chains and puts used elements. VIRTIO_F_EVENT_IDX is not negotiated, so the driver's
/// VIRTQ_AVAIL_F_NO_INTERRUPT flag is the only interrupt suppression.
/// </summary>
/// <remarks>
/// <para>Everything read from the guest is checked: descriptor and ring indices, chain length (loops),
/// buffer address ranges, the order of readable and writable descriptors, and the number of available
/// entries. Anything malformed, indirect descriptors included (VIRTIO_F_INDIRECT_DESC is not offered),
/// or any ring or buffer outside RAM, marks the queue <see cref="IsBroken"/>; a broken queue pops and
/// puts nothing more. The transport then sets DEVICE_NEEDS_RESET.</para>
/// <para>Not thread-safe: used under the device lock.</para>
/// </remarks>
public sealed class Virtqueue
{
    /// <summary>Largest split-queue size the virtio specification allows.</summary>
    public const int MaxSize = 32768;

    private const int DescriptorSize = 16;
    private const int UsedElementSize = 8;
    private const ushort DescriptorFlagNext = 1;
    private const ushort DescriptorFlagWrite = 2;
    private const ushort DescriptorFlagIndirect = 4;
    private const ushort AvailableFlagNoInterrupt = 1;

    private readonly IGuestMemory _memory;
    private readonly ulong _descriptorTable;
    private readonly ulong _availableRing;
    private readonly ulong _usedRing;
    private readonly Segment[] _segments;
    private ushort _nextAvailable;
    private ushort _nextUsed;
    private int _generation;
    private bool _usedSinceLastCheck;

    /// <summary>Creates a queue over rings the driver placed in guest memory.</summary>
    /// <param name="memory">Guest memory.</param>
    /// <param name="size">Queue size (power of two, 1..32768).</param>
    /// <param name="descriptorTable">Guest-physical address of the descriptor table (16-byte aligned).</param>
    /// <param name="availableRing">Guest-physical address of the available (driver) ring (2-byte aligned).</param>
    /// <param name="usedRing">Guest-physical address of the used (device) ring (4-byte aligned).</param>
    public Virtqueue(IGuestMemory memory, int size, ulong descriptorTable, ulong availableRing, ulong usedRing)
    {
        ArgumentNullException.ThrowIfNull(memory);
        if (!IsValidSize(size))
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "A split virtqueue size is a power of two from 1 to 32768.");
        }
        if (!AreValidAddresses(descriptorTable, availableRing, usedRing))
        {
            throw new ArgumentException("Virtqueue rings are misaligned.");
        }
        _memory = memory;
        Size = (ushort)size;
        _descriptorTable = descriptorTable;
        _availableRing = availableRing;
        _usedRing = usedRing;
        _segments = new Segment[size];
    }

    /// <summary>The queue size.</summary>
    public int Size { get; }

    /// <summary>True once the driver handed the device something malformed; nothing more is processed.</summary>
    public bool IsBroken { get; private set; }

    /// <summary>Index (mod 2^16) of the next available-ring entry the device will pop.</summary>
    public ushort NextAvailableIndex => _nextAvailable;

    /// <summary>The used ring's idx as last published.</summary>
    public ushort NextUsedIndex => _nextUsed;

    /// <summary>True when <paramref name="size"/> is a valid split-queue size.</summary>
    public static bool IsValidSize(int size) => size is > 0 and <= MaxSize && (size & (size - 1)) == 0;

    /// <summary>True when the ring addresses have the alignment the specification requires.</summary>
    public static bool AreValidAddresses(ulong descriptorTable, ulong availableRing, ulong usedRing) =>
        descriptorTable % 16 == 0 && availableRing % 2 == 0 && usedRing % 4 == 0;

    /// <summary>Marks the queue broken (a device found a request it cannot make sense of).</summary>
    public void MarkBroken() => IsBroken = true;

    /// <summary>
    /// Pops the next available chain. False when there is none or when the queue is (or just became)
    /// broken; check <see cref="IsBroken"/> to tell them apart.
    /// </summary>
    public bool TryPop(out DescriptorChain chain)
    {
        chain = default;
        if (IsBroken)
        {
            return false;
        }
        if (!TryReadUInt16(_availableRing + 2, out ushort availableIndex))
        {
            return Break();
        }
        int available = (ushort)(availableIndex - _nextAvailable);
        if (available == 0)
        {
            return false;
        }
        if (available > Size)
        {
            return Break();
        }
        // The ring entry must be read after the index that published it.
        Interlocked.MemoryBarrier();
        ulong entry = _availableRing + 4 + 2 * (ulong)(_nextAvailable % Size);
        if (!TryReadUInt16(entry, out ushort head) || !TryWalkChain(head, out chain))
        {
            return Break();
        }
        _nextAvailable++;
        return true;
    }

    /// <summary>
    /// Returns <paramref name="chain"/> to the driver through the used ring, saying the device wrote
    /// <paramref name="writtenLength"/> bytes into its writable part. False when the used ring is out of RAM.
    /// </summary>
    public bool PushUsed(in DescriptorChain chain, uint writtenLength)
    {
        if (chain.Queue != this)
        {
            throw new ArgumentException("The chain belongs to another queue.", nameof(chain));
        }
        ArgumentOutOfRangeException.ThrowIfGreaterThan(writtenLength, chain.WritableLength, nameof(writtenLength));
        if (IsBroken)
        {
            return false;
        }
        Span<byte> element = stackalloc byte[UsedElementSize];
        BinaryPrimitives.WriteUInt32LittleEndian(element, chain.Head);
        BinaryPrimitives.WriteUInt32LittleEndian(element[4..], writtenLength);
        ulong slot = _usedRing + 4 + UsedElementSize * (ulong)(_nextUsed % Size);
        if (!_memory.TryWrite(slot, element))
        {
            return Break();
        }
        ushort nextUsed = (ushort)(_nextUsed + 1);
        // The element must be visible before the index that publishes it.
        Interlocked.MemoryBarrier();
        Span<byte> index = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(index, nextUsed);
        if (!_memory.TryWrite(_usedRing + 2, index))
        {
            return Break();
        }
        _nextUsed = nextUsed;
        _usedSinceLastCheck = true;
        return true;
    }

    /// <summary>
    /// True when used elements were put since the last call and the driver has not set
    /// VIRTQ_AVAIL_F_NO_INTERRUPT: the transport should interrupt. Resets the "used since" flag.
    /// </summary>
    internal bool TakeInterruptNeeded()
    {
        if (!_usedSinceLastCheck)
        {
            return false;
        }
        _usedSinceLastCheck = false;
        Interlocked.MemoryBarrier();
        if (!TryReadUInt16(_availableRing, out ushort flags))
        {
            Break();
            return false;
        }
        return (flags & AvailableFlagNoInterrupt) == 0;
    }

    internal bool ReadChain(in DescriptorChain chain, long offset, Span<byte> destination)
    {
        CheckCurrent(chain);
        CheckRange(offset, destination.Length, chain.ReadableLength);
        if (IsBroken)
        {
            return false;
        }
        int done = 0;
        long skip = offset;
        for (int i = 0; i < chain.ReadableCount && done < destination.Length; i++)
        {
            Segment segment = _segments[i];
            if (skip >= segment.Length)
            {
                skip -= segment.Length;
                continue;
            }
            int count = (int)Math.Min(segment.Length - skip, destination.Length - done);
            if (!_memory.TryRead(segment.Address + (ulong)skip, destination.Slice(done, count)))
            {
                return Break();
            }
            done += count;
            skip = 0;
        }
        return true;
    }

    internal bool WriteChain(in DescriptorChain chain, long offset, ReadOnlySpan<byte> source)
    {
        CheckCurrent(chain);
        CheckRange(offset, source.Length, chain.WritableLength);
        if (IsBroken)
        {
            return false;
        }
        int done = 0;
        long skip = offset;
        for (int i = chain.ReadableCount; i < chain.Count && done < source.Length; i++)
        {
            Segment segment = _segments[i];
            if (skip >= segment.Length)
            {
                skip -= segment.Length;
                continue;
            }
            int count = (int)Math.Min(segment.Length - skip, source.Length - done);
            if (!_memory.TryWrite(segment.Address + (ulong)skip, source.Slice(done, count)))
            {
                return Break();
            }
            done += count;
            skip = 0;
        }
        return true;
    }

    private bool TryWalkChain(ushort head, out DescriptorChain chain)
    {
        chain = default;
        Span<byte> descriptor = stackalloc byte[DescriptorSize];
        int count = 0;
        int readableCount = 0;
        long readableLength = 0;
        long writableLength = 0;
        int index = head;
        while (true)
        {
            if (index >= Size || count >= Size)
            {
                return false; // out-of-range index, or a chain longer than the queue (a loop)
            }
            if (!_memory.TryRead(_descriptorTable + DescriptorSize * (ulong)index, descriptor))
            {
                return false;
            }
            ulong address = BinaryPrimitives.ReadUInt64LittleEndian(descriptor);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(descriptor[8..]);
            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(descriptor[12..]);
            ushort next = BinaryPrimitives.ReadUInt16LittleEndian(descriptor[14..]);
            if ((flags & DescriptorFlagIndirect) != 0)
            {
                return false; // VIRTIO_F_INDIRECT_DESC was not offered
            }
            if (length != 0 && address > ulong.MaxValue - (length - 1))
            {
                return false; // the buffer wraps around the address space
            }
            bool writable = (flags & DescriptorFlagWrite) != 0;
            if (writable)
            {
                writableLength += length;
            }
            else if (readableCount < count)
            {
                return false; // a device-readable descriptor after a device-writable one
            }
            else
            {
                readableLength += length;
                readableCount++;
            }
            _segments[count++] = new Segment(address, length);
            if ((flags & DescriptorFlagNext) == 0)
            {
                break;
            }
            index = next;
        }
        chain = new DescriptorChain(this, head, readableCount, count, readableLength, writableLength, ++_generation);
        return true;
    }

    private void CheckCurrent(in DescriptorChain chain)
    {
        if (chain.Generation != _generation)
        {
            throw new InvalidOperationException("The descriptor chain is stale: another chain was popped since.");
        }
    }

    private static void CheckRange(long offset, int length, long available)
    {
        if (offset < 0 || offset > available - length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, "The access goes past the chain's buffers.");
        }
    }

    private bool TryReadUInt16(ulong address, out ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        if (!_memory.TryRead(address, bytes))
        {
            value = 0;
            return false;
        }
        value = BinaryPrimitives.ReadUInt16LittleEndian(bytes);
        return true;
    }

    private bool Break()
    {
        IsBroken = true;
        return false;
    }

    private readonly record struct Segment(ulong Address, uint Length);
}
