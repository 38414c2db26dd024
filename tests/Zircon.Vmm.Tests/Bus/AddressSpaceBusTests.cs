using Zircon.Vmm.Bus;
using Zircon.Vmm.Tests.Support;

namespace Zircon.Vmm.Tests.Bus;

public sealed class AddressSpaceBusTests
{
    private readonly AddressSpaceBus _bus = new();
    private readonly RecordingDevice _device = new();

    [Theory]
    [InlineData(0x1000UL, 0x100UL)] // the same range
    [InlineData(0x0F80UL, 0x100UL)] // overlaps the start
    [InlineData(0x10FFUL, 0x10UL)]  // overlaps the last byte
    [InlineData(0x1010UL, 0x10UL)]  // inside
    [InlineData(0x0800UL, 0x1000UL)] // contains it
    public void Add_OverlappingRange_IsRejectedNamingBoth(ulong baseAddress, ulong length)
    {
        _bus.Add(AddressSpaceKind.Memory, 0x1000, 0x100, _device, "first");

        var e = Assert.Throws<ArgumentException>(() => _bus.Add(AddressSpaceKind.Memory, baseAddress, length, _device, "second"));

        Assert.Contains("second", e.Message);
        Assert.Contains("first", e.Message);
        Assert.Single(_bus.Ranges(AddressSpaceKind.Memory));
    }

    [Fact]
    public void Add_AdjacentRanges_AreAccepted()
    {
        _bus.Add(AddressSpaceKind.Io, 0x3F8, 8, _device, "uart");
        _bus.Add(AddressSpaceKind.Io, 0x3F0, 8, _device, "below");
        _bus.Add(AddressSpaceKind.Io, 0x400, 8, _device, "above");

        Assert.Equal(["below", "uart", "above"], _bus.Ranges(AddressSpaceKind.Io).Select(r => r.Name));
    }

    [Fact]
    public void Add_EmptyRange_IsRejected() =>
        Assert.Throws<ArgumentException>(() => _bus.Add(AddressSpaceKind.Io, 0x3F8, 0, _device, "empty"));

    [Fact]
    public void Add_WrappingRange_IsRejected() =>
        Assert.Throws<ArgumentException>(() => _bus.Add(AddressSpaceKind.Memory, ulong.MaxValue - 0xF, 0x100, _device, "wrap"));

    [Fact]
    public void Add_NullDevice_IsRejected() =>
        Assert.Throws<ArgumentNullException>(() => _bus.Add(AddressSpaceKind.Io, 0x3F8, 8, null!, "none"));

    [Fact]
    public void Add_ReturnsTheRangeWithItsEnd()
    {
        BusRange range = _bus.Add(AddressSpaceKind.Memory, 0xD000_0000, 0x1000, _device, "virtio");

        Assert.Equal(AddressSpaceKind.Memory, range.Kind);
        Assert.Equal(0xD000_0000UL, range.Base);
        Assert.Equal(0xD000_1000UL, range.End);
        Assert.Same(_device, range.Device);
    }

    [Theory]
    [InlineData(0xD000_0000UL, true)]
    [InlineData(0xD000_0FFFUL, true)]
    [InlineData(0xD000_1000UL, false)]
    [InlineData(0xCFFF_FFFFUL, false)]
    [InlineData(0UL, false)]
    [InlineData(ulong.MaxValue, false)]
    public void Find_HitsExactlyTheRangesBytes(ulong address, bool found)
    {
        BusRange range = _bus.Add(AddressSpaceKind.Memory, 0xD000_0000, 0x1000, _device, "virtio");

        Assert.Equal(found ? range : null, _bus.Find(AddressSpaceKind.Memory, address));
    }

    [Fact]
    public void Find_BetweenAdjacentRanges_PicksTheRightOne()
    {
        BusRange low = _bus.Add(AddressSpaceKind.Memory, 0xD000_0000, 0x1000, _device, "low");
        BusRange high = _bus.Add(AddressSpaceKind.Memory, 0xD000_1000, 0x1000, _device, "high");

        Assert.Same(low, _bus.Find(AddressSpaceKind.Memory, 0xD000_0FFF));
        Assert.Same(high, _bus.Find(AddressSpaceKind.Memory, 0xD000_1000));
    }

    [Fact]
    public void IoAndMemory_AreSeparateSpaces()
    {
        BusRange io = _bus.Add(AddressSpaceKind.Io, 0x500, 8, _device, "timer");
        BusRange memory = _bus.Add(AddressSpaceKind.Memory, 0x500, 8, _device, "memory at the same number"); // no overlap across spaces

        Assert.Same(io, _bus.Find(AddressSpaceKind.Io, 0x504));
        Assert.Same(memory, _bus.Find(AddressSpaceKind.Memory, 0x504));
        Assert.Null(_bus.Find(AddressSpaceKind.Memory, 0x3F8));
        Assert.Single(_bus.Ranges(AddressSpaceKind.Io));
        Assert.Single(_bus.Ranges(AddressSpaceKind.Memory));
    }

    [Fact]
    public void EmptyBus_FindsNothing()
    {
        Assert.Null(_bus.Find(AddressSpaceKind.Io, 0x3F8));
        Assert.Null(_bus.Find(AddressSpaceKind.Memory, 0xD000_0000));
        Assert.Empty(_bus.Ranges(AddressSpaceKind.Io));
    }
}
