using System.Buffers.Binary;
using Zircon.Kernel.Hypervisor;
using Zircon.Kernel.Tests.Fakes;

namespace Zircon.Kernel.Tests;

/// <summary>
/// A trapped access the kernel refuses ends <c>zx_vcpu_resume</c> with NOT_SUPPORTED, as on Zircon,
/// and says what and where: ZX_INFO_VCPU_FAULT gives UNSUPPORTED_ACCESS and the guest RIP, and the
/// packet describes the access (key = guest RIP). Before, these failures left no fault record, so a
/// VMM could only say "the guest crashed" (how the bzImage boot in the KVM rig first showed up).
/// </summary>
[Collection(FakeHypervisorCollection.Name)]
public class HypervisorUnsupportedAccessTests : FakeHypervisorTest
{
    private const uint Mem = (uint)ZxGuestTrap.Mem, Bell = (uint)ZxGuestTrap.Bell, Io = (uint)ZxGuestTrap.Io;
    private const ulong TrapAddr = 0xFFE000;

    [Fact]
    public void MemWrite_WhoseInstructionCannotBeFetched_NamesTheAddressAndRip()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = GuestWithCode([0x89, 0x02]);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Mem, TrapAddr, ZxPage.Size, ZxHandleValues.Invalid, 3));
        backend.Then(b =>
        {
            b.RawRegisters.Rip = 0x4000_0000_0002; // past an instruction on a page the guest's tables do not map
            return new VcpuExit(VcpuExitKind.Mmio, Mmio: new VcpuMmioAccess(TrapAddr, 4, true, 0));
        });

        Assert.Equal(ZxStatus.ErrNotSupported, Resume(vcpu, out ZxPortPacket packet));

        Assert.Equal((ZxPacketType.GuestMem, TrapAddr, 0x4000_0000_0002UL), (packet.Type, packet.GuestMem.Addr, packet.Key));
        Assert.Equal((ZxVcpuFaultReason.UnsupportedAccess, 0x4000_0000_0002UL), ReadFault(vcpu));
    }

    [Fact]
    public void MemRead_WhoseInstructionCannotBeFetched_IsNotSupported_NotNotFound()
    {
        // The access is trapped: NOT_FOUND ("no trap") would send the user looking for a missing device.
        (uint guest, uint vcpu, FakeVcpuBackend backend) = GuestWithCode([0x8B, 0x02]);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Mem, TrapAddr, ZxPage.Size, ZxHandleValues.Invalid, 3));
        backend.RawRegisters.Rip = 0x4000_0000_0000;
        backend.ThenMmio(TrapAddr + 8, 4, isWrite: false);

        Assert.Equal(ZxStatus.ErrNotSupported, Resume(vcpu, out ZxPortPacket packet));

        Assert.Equal((ZxPacketType.GuestMem, TrapAddr + 8, 0x4000_0000_0000UL), (packet.Type, packet.GuestMem.Addr, packet.Key));
        Assert.Equal((ZxVcpuFaultReason.UnsupportedAccess, 0x4000_0000_0000UL), ReadFault(vcpu));
    }

    [Fact]
    public void BellRead_NamesTheAddressAndRip()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        uint port = Track(Zx.Port());
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Bell, TrapAddr, ZxPage.Size, port, 1));
        backend.RawRegisters.Rip = 0x10_0040;
        backend.ThenMmio(TrapAddr + 0x10, 4, isWrite: false);

        Assert.Equal(ZxStatus.ErrNotSupported, Resume(vcpu, out ZxPortPacket packet));

        Assert.Equal((ZxPacketType.GuestMem, TrapAddr + 0x10, 0x10_0040UL), (packet.Type, packet.GuestMem.Addr, packet.Key));
        Assert.Equal((ZxVcpuFaultReason.UnsupportedAccess, 0x10_0040UL), ReadFault(vcpu));
    }

    [Fact]
    public void RepeatedPortIo_NamesThePortAndRip()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x3F8, 8, ZxHandleValues.Invalid, 0));
        backend.RawRegisters.Rip = 0x10_0080;
        backend.ThenIo(0x3F8, 1, isWrite: true, data: 0x41, count: 4);

        Assert.Equal(ZxStatus.ErrNotSupported, Resume(vcpu, out ZxPortPacket packet));

        Assert.Equal((ZxPacketType.GuestIo, (ushort)0x3F8, false, 0x10_0080UL), (packet.Type, packet.GuestIo.Port, packet.GuestIo.Input, packet.Key));
        Assert.Equal((ZxVcpuFaultReason.UnsupportedAccess, 0x10_0080UL), ReadFault(vcpu));
    }

    private static (uint Reason, ulong Rip) ReadFault(uint vcpu)
    {
        var buffer = new byte[16];
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectGetInfo(vcpu, ZxInfoTopic.VcpuFault, buffer, out _, out _));
        return (BinaryPrimitives.ReadUInt32LittleEndian(buffer), BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(8)));
    }
}
