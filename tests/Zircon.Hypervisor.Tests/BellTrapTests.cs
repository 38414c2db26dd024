namespace Zircon.Hypervisor.Tests;

/// <summary>BELL traps end to end: guest writes become port packets while the VCPU keeps running.</summary>
public class BellTrapTests
{
    private const uint Bell = (uint)ZxGuestTrap.Bell;

    private static uint BellPort(TestGuest g, ulong key)
    {
        Assert.Equal(ZxStatus.Ok, Syscalls.PortCreate(0, out uint port));
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(g.Guest, Bell, TestGuest.TrapAddr, TestGuest.Page, port, key));
        return port;
    }

    [HypervisorFact]
    public void GuestWrite_QueuesABellPacketWithAddressAndKey_AndTheGuestRunsOnToTheExit()
    {
        using var g = TestGuest.Create(a =>
        {
            a.mov(__qword_ptr[(long)(TestGuest.TrapAddr + 0x28)], 0x55);
            a.mov(eax, 1); // reached in the same resume
            TestGuest.Exit(a);
        });
        uint port = BellPort(g, key: 0xB311);
        g.ResumeToExit();
        Assert.Equal(1ul, g.ReadState().Rax);
        Assert.Equal(ZxStatus.Ok, Syscalls.PortWait(port, ZxTime.InfinitePast, out ZxPortPacket p));
        Assert.Equal((0xB311ul, ZxPacketType.GuestBell, ZxStatus.Ok, TestGuest.TrapAddr + 0x28), (p.Key, p.Type, p.Status, p.GuestBell.Addr));
        Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.PortWait(port, ZxTime.InfinitePast, out _)); // one write, one packet
        Syscalls.HandleClose(port);
    }

    [HypervisorFact]
    public void GuestRead_IsNotSupported()
    {
        using var g = TestGuest.Create(a =>
        {
            a.mov(rax, __qword_ptr[(long)TestGuest.TrapAddr]);
            TestGuest.Exit(a);
        });
        uint port = BellPort(g, key: 1);
        Assert.Equal(ZxStatus.ErrNotSupported, Syscalls.VcpuResume(g.Vcpu, out _));
        Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.PortWait(port, ZxTime.InfinitePast, out _));
        Syscalls.HandleClose(port);
    }

    [HypervisorFact]
    public void PortClosed_ResumeIsBadState_AndTheNextResumeContinuesAfterTheWrite()
    {
        using var g = TestGuest.Create(a =>
        {
            a.inc(rbx);
            a.mov(__qword_ptr[(long)TestGuest.TrapAddr], 0);
            a.inc(rcx);
            TestGuest.Exit(a);
        });
        uint port = BellPort(g, key: 2);
        Syscalls.HandleClose(port);
        Assert.Equal(ZxStatus.ErrBadState, Syscalls.VcpuResume(g.Vcpu, out _));
        g.ResumeToExit();
        ZxVcpuState s = g.ReadState();
        Assert.Equal((1ul, 1ul), (s.Rbx, s.Rcx)); // the write was not repeated and nothing before it ran twice
    }

    [HypervisorFact]
    public void ManyWrites_MoreThanThePacketBudget_AllArrive_WhileAReaderDrainsThePort()
    {
        const int Writes = 600; // more than the 256 a trap may have unread
        using var g = TestGuest.Create(a =>
        {
            Label loop = a.CreateLabel();
            a.mov(ecx, Writes);
            a.Label(ref loop);
            a.mov(__qword_ptr[(long)TestGuest.TrapAddr], rcx);
            a.dec(ecx);
            a.jnz(loop);
            TestGuest.Exit(a);
        });
        uint port = BellPort(g, key: 3);
        int received = 0;
        var reader = new Thread(() =>
        {
            while (received < Writes && Syscalls.PortWait(port, Syscalls.DeadlineAfter(10_000_000_000), out ZxPortPacket p) == ZxStatus.Ok)
            {
                if (p.Type == ZxPacketType.GuestBell && p.GuestBell.Addr == TestGuest.TrapAddr)
                    received++;
            }
        });
        reader.Start();
        g.ResumeToExit();
        Assert.True(reader.Join(TimeSpan.FromSeconds(30)));
        Assert.Equal(Writes, received);
        Syscalls.HandleClose(port);
    }

    [HypervisorFact]
    public void GuestDestroyed_TakesItsUnreadBellPacketsOffThePort_UserPacketsStay()
    {
        uint port;
        using (var g = TestGuest.Create(a =>
        {
            a.mov(__qword_ptr[(long)TestGuest.TrapAddr], 0);
            a.mov(__qword_ptr[(long)TestGuest.TrapAddr + 8], 0);
            TestGuest.Exit(a);
        }))
        {
            port = BellPort(g, key: 9);
            var user = new ZxPortPacket { Key = 9 };
            Assert.Equal(ZxStatus.Ok, Syscalls.PortQueue(port, user));
            g.ResumeToExit();
        }
        Assert.Equal(ZxStatus.Ok, Syscalls.PortWait(port, ZxTime.InfinitePast, out ZxPortPacket p));
        Assert.Equal((9ul, ZxPacketType.User), (p.Key, p.Type));
        Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.PortWait(port, ZxTime.InfinitePast, out _));
        Syscalls.HandleClose(port);
    }
}
