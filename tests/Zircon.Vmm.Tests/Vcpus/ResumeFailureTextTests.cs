using Zircon.Vmm.Vcpus;

namespace Zircon.Vmm.Tests.Vcpus;

/// <summary>The one line a VMM user reads when the guest stops: it names the port or address and the guest RIP.</summary>
public sealed class ResumeFailureTextTests
{
    [Fact]
    public void UntrappedPortWrite_NamesPortValueAndRip()
    {
        var packet = new ZxPortPacket { Key = 0x10_0000, Type = ZxPacketType.GuestIo };
        packet.GuestIo.Port = 0x80;
        packet.GuestIo.AccessSize = 1;
        packet.GuestIo.U32 = 0x2a;

        string line = VcpuLoop.DescribeResumeFailure(ZxStatus.ErrNotFound, packet);

        Assert.Equal("the guest wrote 0x2a to I/O port 0x80 (1 byte) at RIP 0x100000: no device or RAM there (zx_vcpu_resume: ZX_ERR_NOT_FOUND)", line);
    }

    [Fact]
    public void UntrappedPortRead_SaysRead()
    {
        var packet = new ZxPortPacket { Key = 0x1234, Type = ZxPacketType.GuestIo };
        packet.GuestIo.Port = 0x3fd;
        packet.GuestIo.AccessSize = 2;
        packet.GuestIo.Input = true;

        Assert.StartsWith("the guest read I/O port 0x3fd (2 bytes) at RIP 0x1234: no device", VcpuLoop.DescribeResumeFailure(ZxStatus.ErrNotFound, packet));
    }

    [Fact]
    public void UntrappedMemory_NamesAddressAndRip()
    {
        var packet = new ZxPortPacket { Key = 0x20_0010, Type = ZxPacketType.GuestMem };
        packet.GuestMem.Addr = 0xfee0_0000;

        Assert.Equal("the guest accessed guest-physical address 0xfee00000 at RIP 0x200010: no device or RAM there (zx_vcpu_resume: ZX_ERR_NOT_FOUND)",
            VcpuLoop.DescribeResumeFailure(ZxStatus.ErrNotFound, packet));
    }

    [Fact]
    public void BeyondTheAddressSpace_SaysSo()
    {
        var packet = new ZxPortPacket { Key = 0x20_0010, Type = ZxPacketType.GuestMem };
        packet.GuestMem.Addr = 1UL << 48;

        Assert.Contains("address 0x1000000000000 at RIP 0x200010: beyond its physical address space (zx_vcpu_resume: ZX_ERR_OUT_OF_RANGE)",
            VcpuLoop.DescribeResumeFailure(ZxStatus.ErrOutOfRange, packet));
    }

    [Fact]
    public void WithoutADescribedAccess_TheStatusAloneIsExplained() =>
        Assert.Equal("the guest accessed a port or memory address with no device or RAM (zx_vcpu_resume: ZX_ERR_NOT_FOUND)",
            VcpuLoop.DescribeResumeFailure(ZxStatus.ErrNotFound));

    [Fact]
    public void TripleFault_IgnoresThePacket() =>
        Assert.StartsWith("the guest crashed", VcpuLoop.DescribeResumeFailure(ZxStatus.ErrNotSupported, new ZxPortPacket { Type = ZxPacketType.GuestIo }));
}
