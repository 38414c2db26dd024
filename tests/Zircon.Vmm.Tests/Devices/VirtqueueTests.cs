using Zircon.Vmm.Devices.Virtio;

namespace Zircon.Vmm.Tests.Devices;

public sealed class VirtqueueTests
{
    private const ulong QueueBase = 0x10000;
    private const ulong BufferA = 0x40000;
    private const ulong BufferB = 0x41000;
    private const ulong BufferC = 0x42000;

    private readonly FakeGuestMemory _memory = new(1 << 20);
    private readonly GuestQueue _guest;
    private readonly Virtqueue _queue;

    public VirtqueueTests()
    {
        _guest = new GuestQueue(_memory, 8, QueueBase);
        _queue = _guest.CreateDeviceQueue();
    }

    [Fact]
    public void TryPop_OnEmptyRing_ReturnsFalseWithoutBreaking()
    {
        Assert.False(_queue.TryPop(out _));
        Assert.False(_queue.IsBroken);
    }

    [Fact]
    public void SingleDescriptor_IsReadableAndReturnedThroughUsedRing()
    {
        _memory.WriteBytes(BufferA, "hello"u8);
        ushort head = _guest.Add(GuestBuffer.Readable(BufferA, 5));

        Assert.True(_queue.TryPop(out DescriptorChain chain));
        Assert.Equal(head, chain.Head);
        Assert.Equal(5, chain.ReadableLength);
        Assert.Equal(0, chain.WritableLength);
        var bytes = new byte[5];
        Assert.True(chain.TryRead(0, bytes));
        Assert.Equal("hello"u8.ToArray(), bytes);

        Assert.True(_queue.PushUsed(chain, 0));
        Assert.Equal((head, 0u), _guest.TakeUsed());
        Assert.False(_queue.TryPop(out _));
    }

    [Fact]
    public void ChainedDescriptors_ReadAndWriteAcrossBufferBoundaries()
    {
        _memory.WriteBytes(BufferA, "abc"u8);
        _memory.WriteBytes(BufferB, "defg"u8);
        _guest.Add(GuestBuffer.Readable(BufferA, 3), GuestBuffer.Readable(BufferB, 4),
            GuestBuffer.Writable(BufferC, 2), GuestBuffer.Writable(BufferC + 0x100, 3));

        Assert.True(_queue.TryPop(out DescriptorChain chain));
        Assert.Equal(4, chain.Count);
        Assert.Equal(7, chain.ReadableLength);
        Assert.Equal(5, chain.WritableLength);
        var middle = new byte[4];
        Assert.True(chain.TryRead(1, middle));
        Assert.Equal("bcde"u8.ToArray(), middle);
        Assert.True(chain.TryWrite(1, "XYZ"u8));
        Assert.Equal((byte)'X', _memory.ReadBytes(BufferC + 1, 1)[0]);
        Assert.Equal("YZ"u8.ToArray(), _memory.ReadBytes(BufferC + 0x100, 2));

        Assert.True(_queue.PushUsed(chain, 4));
        Assert.Equal(4u, _guest.TakeUsed().Length);
    }

    [Fact]
    public void SeveralChains_PopInAvailableOrder()
    {
        ushort first = _guest.Add(GuestBuffer.Readable(BufferA, 1));
        ushort second = _guest.Add(GuestBuffer.Readable(BufferB, 1), GuestBuffer.Writable(BufferC, 1));

        Assert.True(_queue.TryPop(out DescriptorChain a));
        Assert.Equal(first, a.Head);
        Assert.True(_queue.TryPop(out DescriptorChain b));
        Assert.Equal(second, b.Head);
        Assert.Equal(2, _queue.NextAvailableIndex);
    }

    [Fact]
    public void RingIndices_WrapAroundTheQueueSize()
    {
        for (int i = 0; i < 20; i++)
        {
            ushort head = _guest.Add(GuestBuffer.Writable(BufferA, 4));
            Assert.True(_queue.TryPop(out DescriptorChain chain));
            Assert.True(_queue.PushUsed(chain, 4));
            Assert.Equal((head, 4u), _guest.TakeUsed());
        }
        Assert.Equal(20, _queue.NextUsedIndex);
    }

    [Fact]
    public void DescriptorLoop_BreaksQueue()
    {
        _guest.WriteDescriptor(0, BufferA, 1, GuestQueue.FlagNext, 1);
        _guest.WriteDescriptor(1, BufferA, 1, GuestQueue.FlagNext, 0);
        _guest.Publish(0);

        Assert.False(_queue.TryPop(out _));
        Assert.True(_queue.IsBroken);
    }

    [Fact]
    public void NextIndexOutOfRange_BreaksQueue()
    {
        _guest.WriteDescriptor(0, BufferA, 1, GuestQueue.FlagNext, 8);
        _guest.Publish(0);

        Assert.False(_queue.TryPop(out _));
        Assert.True(_queue.IsBroken);
    }

    [Fact]
    public void HeadIndexOutOfRange_BreaksQueue()
    {
        _guest.Publish(200);

        Assert.False(_queue.TryPop(out _));
        Assert.True(_queue.IsBroken);
    }

    [Fact]
    public void IndirectDescriptor_BreaksQueue()
    {
        _guest.WriteDescriptor(0, BufferA, 32, GuestQueue.FlagIndirect, 0);
        _guest.Publish(0);

        Assert.False(_queue.TryPop(out _));
        Assert.True(_queue.IsBroken);
    }

    [Fact]
    public void ReadableAfterWritable_BreaksQueue()
    {
        _guest.Add(GuestBuffer.Writable(BufferA, 1), GuestBuffer.Readable(BufferB, 1));

        Assert.False(_queue.TryPop(out _));
        Assert.True(_queue.IsBroken);
    }

    [Fact]
    public void AvailableIndexTooFarAhead_BreaksQueue()
    {
        _guest.SetAvailableIndex(9);

        Assert.False(_queue.TryPop(out _));
        Assert.True(_queue.IsBroken);
    }

    [Fact]
    public void BufferOutsideRam_BreaksQueueOnAccess()
    {
        _guest.Add(GuestBuffer.Readable((ulong)_memory.Size - 2, 4));
        Assert.True(_queue.TryPop(out DescriptorChain chain));

        Assert.False(chain.TryRead(0, new byte[4]));
        Assert.True(_queue.IsBroken);
        Assert.False(_queue.PushUsed(chain, 0));
        Assert.Equal(0, _guest.UsedIndex);
    }

    [Fact]
    public void BufferWrappingTheAddressSpace_BreaksQueue()
    {
        _guest.Add(GuestBuffer.Readable(ulong.MaxValue - 1, 4));

        Assert.False(_queue.TryPop(out _));
        Assert.True(_queue.IsBroken);
    }

    [Fact]
    public void RingsOutsideRam_BreakQueue()
    {
        var queue = new Virtqueue(_memory, 8, 0x1_0000_0000, 0x1_0000_1000, 0x1_0000_2000);

        Assert.False(queue.TryPop(out _));
        Assert.True(queue.IsBroken);
    }

    [Fact]
    public void BrokenQueue_PopsNothingMore()
    {
        _guest.Publish(200);
        Assert.False(_queue.TryPop(out _));
        _guest.Add(GuestBuffer.Readable(BufferA, 1));

        Assert.False(_queue.TryPop(out _));
    }

    [Fact]
    public void AccessPastChainBuffers_IsADeviceBugThatThrows()
    {
        _guest.Add(GuestBuffer.Readable(BufferA, 4));
        Assert.True(_queue.TryPop(out DescriptorChain chain));

        Assert.Throws<ArgumentOutOfRangeException>(() => chain.TryRead(2, new byte[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => chain.TryWrite(0, new byte[1]));
        Assert.False(_queue.IsBroken);
    }

    [Fact]
    public void StaleChain_AfterNextPop_Throws()
    {
        _guest.Add(GuestBuffer.Readable(BufferA, 4));
        _guest.Add(GuestBuffer.Readable(BufferB, 4));
        Assert.True(_queue.TryPop(out DescriptorChain first));
        Assert.True(_queue.TryPop(out _));

        Assert.Throws<InvalidOperationException>(() => first.TryRead(0, new byte[1]));
    }

    [Fact]
    public void InvalidSizeOrAlignment_IsRejectedAtConstruction()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Virtqueue(_memory, 6, QueueBase, QueueBase + 0x100, QueueBase + 0x200));
        Assert.Throws<ArgumentException>(() => new Virtqueue(_memory, 8, QueueBase + 8, QueueBase + 0x100, QueueBase + 0x200));
    }
}
