using Zircon.Vmm.Bus;
using Zircon.Vmm.Exits;
using Zircon.Vmm.Tests.Support;

namespace Zircon.Vmm.Tests.Exits;

public sealed class ExitTraceTests
{
    private readonly AddressSpaceBus _bus = new();

    public ExitTraceTests()
    {
        _bus.Add(AddressSpaceKind.Io, 0x3F8, 8, new RecordingDevice(), "uart");
        _bus.Add(AddressSpaceKind.Memory, 0xD000_0000, 0x1000, new RecordingDevice(), "virtio-console");
    }

    private string Describe(ZxPortPacket packet, ulong value) => ExitTrace.Describe(packet, ExitHandler.Decide(packet, _bus), value);

    [Fact]
    public void Out_ShowsPortSizeValueAndDevice() =>
        Assert.Equal("io   out  port 0x03f8 size 1 value 0x41 -> uart", Describe(Packets.IoOut(0x3F8, 1, 0x41), 0x41));

    [Fact]
    public void In_ShowsTheValueRead() =>
        Assert.Equal("io   in   port 0x03fd size 1 value 0x60 <- uart", Describe(Packets.IoIn(0x3FD, 1), 0x60));

    [Fact]
    public void UnknownPort_ShowsNoDevice() =>
        Assert.EndsWith("-> -", Describe(Packets.IoOut(0x80, 1, 0), 0));

    [Fact]
    public void MmioWrite_ShowsAddressSizeValueAndDeviceOffset() =>
        Assert.Equal("mmio write 0xd0000070 size 4 value 0x1 virtio-console+0x70",
            Describe(Packets.Mem(0xD000_0070, [0x89, 0x08]), 1));

    [Fact]
    public void MmioRead_SaysRead() =>
        Assert.StartsWith("mmio read  0xd0000000 size 4", Describe(Packets.Mem(0xD000_0000, [0x8B, 0x03]), 0x74726976));

    [Fact]
    public void Lines_AreSingleLines()
    {
        foreach (ZxPortPacket packet in new[] { Packets.IoOut(0x3F8, 1, 0x41), Packets.Mem(0xD000_0000, [0x01, 0x08]), Packets.Bell(0xD000_1000) })
            Assert.DoesNotContain('\n', Describe(packet, 0));
    }
}
