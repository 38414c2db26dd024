using Zircon.Vmm.Machine;
using Zircon.Vmm.Tests.Support;

namespace Zircon.Vmm.Tests.Machine;

/// <summary>Guest RAM as the host sees it (a guest is needed, so KVM).</summary>
public sealed class GuestRamTests
{
    [Fact]
    public void MaxSize_IsTheLargestWholeMiBASpanCanHold()
    {
        Assert.Equal(2047UL << 20, GuestRam.MaxSize);
        Assert.True(GuestRam.MaxSize <= int.MaxValue);
    }

    [KvmTheory]
    [InlineData(0UL)]
    [InlineData(2UL << 30)] // one span cannot reach 2 GiB
    public void Create_SizeOutOfRange_IsRejectedUpFront(ulong size)
    {
        using Guest guest = Guest.Create(Resource.Root);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GuestRam.Create(guest, size));
        Assert.Contains("2047 MiB", e.Message);
    }

    [KvmFact]
    public void LargestRam_IsReachableToItsLastByte()
    {
        using Guest guest = Guest.Create(Resource.Root);
        using GuestRam ram = GuestRam.Create(guest, GuestRam.MaxSize);

        Assert.True(ram.TryWrite(GuestRam.MaxSize - 4, [1, 2, 3, 4]));
        var back = new byte[4];
        Assert.True(ram.TryRead(GuestRam.MaxSize - 4, back));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, back);
        Assert.False(ram.TryRead(GuestRam.MaxSize - 3, back));
    }

    [KvmFact]
    public void TryReadAndTryWrite_RefuseAnythingOutsideRam()
    {
        using var ram = new TestRam(8UL << 20);
        var buffer = new byte[16];

        Assert.True(ram.Ram.TryWrite(0x10_0000, [0xAA, 0xBB]));
        Assert.True(ram.Ram.TryRead(0x10_0000, buffer.AsSpan(0, 2)));
        Assert.Equal(new byte[] { 0xAA, 0xBB }, buffer[..2]);
        Assert.True(ram.Ram.TryRead((8UL << 20) - 16, buffer));
        Assert.False(ram.Ram.TryRead((8UL << 20) - 15, buffer));
        Assert.False(ram.Ram.TryWrite(8UL << 20, [1]));
        Assert.False(ram.Ram.TryWrite(ulong.MaxValue, [1]));
        Assert.True(ram.Ram.TryRead(8UL << 20, Span<byte>.Empty));
    }
}
