using Zircon.Kernel.Hypervisor;
using Zircon.Kernel.Tests.Fakes;

namespace Zircon.Kernel.Tests;

/// <summary>
/// The kernel half of <c>Vcpu.Resume(CancellationToken)</c> on the fake hypervisor: a kick no
/// resume consumed can be withdrawn, so a cancellation that lost the race with an exit does not
/// cancel the next resume; an unwithdrawn kick still cancels it once.
/// </summary>
public class VcpuKickWithdrawTests : FakeHypervisorTest
{
    private const uint Io = (uint)ZxGuestTrap.Io;

    [Fact]
    public void Kick_CancelsTheNextResumeOnce()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x10, 1, ZxHandleValues.Invalid, 0));
        backend.ThenIo(0x10, 1, true);
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuKick(vcpu));
        Assert.Equal(ZxStatus.ErrCanceled, Syscalls.VcpuResume(vcpu, out _));
        Assert.Equal(ZxPacketType.GuestIo, ResumeOk(vcpu).Type);
    }

    [Fact]
    public void WithdrawnKick_DoesNotCancelTheNextResume()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x10, 1, ZxHandleValues.Invalid, 0));
        backend.ThenIo(0x10, 1, true);
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuKick(vcpu));
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuWithdrawKick(vcpu));
        Assert.Equal(ZxPacketType.GuestIo, ResumeOk(vcpu).Type);
    }

    [Fact]
    public void WithdrawKick_ChecksTheHandleLikeKick()
    {
        (_, uint vcpu, _) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.VcpuWithdrawKick(vcpu ^ 0x100));
        uint noExecute = Zx.Duplicate(vcpu, ZxRights.Read);
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.VcpuWithdrawKick(noExecute));
        Syscalls.HandleClose(noExecute);
    }
}
