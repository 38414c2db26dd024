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
    public void RefusedMemoryAccess_NamesAddressAndRip()
    {
        // What the bzImage boot said in the KVM rig before the page walker learnt five levels.
        var packet = new ZxPortPacket { Key = 0xFFFF_FFFF_9E26_902F, Type = ZxPacketType.GuestMem };
        packet.GuestMem.Addr = 0xfec0_0000;
        var fault = new ZxInfoVcpuFault { Reason = ZxVcpuFaultReason.UnsupportedAccess, Rip = 0xFFFF_FFFF_9E26_902F };

        Assert.Equal("the guest accessed guest-physical address 0xfec00000 at RIP 0xffffffff9e26902f: an instruction the hypervisor could not fetch or decode, "
            + "or a read of a doorbell page (zx_vcpu_resume: ZX_ERR_NOT_SUPPORTED)", VcpuLoop.DescribeResumeFailure(ZxStatus.ErrNotSupported, packet, fault));
    }

    [Fact]
    public void RefusedPortAccess_SaysStringIo()
    {
        var packet = new ZxPortPacket { Key = 0x10_0080, Type = ZxPacketType.GuestIo };
        packet.GuestIo.Port = 0x3f8;
        packet.GuestIo.AccessSize = 1;
        packet.GuestIo.U32 = 0x41;
        var fault = new ZxInfoVcpuFault { Reason = ZxVcpuFaultReason.UnsupportedAccess, Rip = 0x10_0080 };

        Assert.Equal("the guest wrote 0x41 to I/O port 0x3f8 (1 byte) at RIP 0x100080: a string or REP I/O instruction, which the hypervisor does not serve "
            + "(zx_vcpu_resume: ZX_ERR_NOT_SUPPORTED)", VcpuLoop.DescribeResumeFailure(ZxStatus.ErrNotSupported, packet, fault));
    }

    [Fact]
    public void TripleFault_NamesItsRip() =>
        Assert.Equal("the guest crashed: a triple fault or an instruction the hypervisor cannot run (zx_vcpu_resume: ZX_ERR_NOT_SUPPORTED); triple fault at guest RIP 0x8016",
            VcpuLoop.DescribeResumeFailure(ZxStatus.ErrNotSupported, default, new ZxInfoVcpuFault { Reason = ZxVcpuFaultReason.TripleFault, Rip = 0x8016 }));

    [Fact]
    public void TripleFault_IgnoresThePacket() =>
        Assert.StartsWith("the guest crashed", VcpuLoop.DescribeResumeFailure(ZxStatus.ErrNotSupported, new ZxPortPacket { Type = ZxPacketType.GuestIo }));
}
