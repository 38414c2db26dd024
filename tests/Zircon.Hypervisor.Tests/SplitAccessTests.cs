namespace Zircon.Hypervisor.Tests;

/// <summary>
/// Issue 8 items 4, 5 and 7 on a real guest: accesses KVM splits into MMIO fragments are
/// reported once with the instruction the guest executed, string stores are reported, string
/// port I/O is refused, and VCPU ids are reused past KVM's 1,024 VCPUs per VM.
/// </summary>
public class SplitAccessTests
{
    // TrapAddr is the page before the exit page; both are MEM traps after this.
    private static void TrapTwoPages(TestGuest g) =>
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(g.Guest, (uint)ZxGuestTrap.Mem, TestGuest.TrapAddr, TestGuest.Page, ZxHandleValues.Invalid, 7));

    private static byte[] Bytes(in ZxPortPacket p) => ((ReadOnlySpan<byte>)p.GuestMem.InstBuf)[..p.GuestMem.InstLen].ToArray();

    [HypervisorFact]
    public void EightByteStore_AtTheLastFourBytesOfATrap_IsReportedOnce_WithRexW()
    {
        using var g = TestGuest.Create(a =>
        {
            a.mov(rax, (long)(TestGuest.TrapAddr + 0xFFC));
            a.mov(rdx, 0x1122_3344_5566_7788);
            a.mov(__qword_ptr[rax], rdx); // 48 89 10, crossing into the exit page (also trapped)
            a.mov(ebx, 1);
            TestGuest.Exit(a);
        });
        TrapTwoPages(g);
        ZxPortPacket p = g.Resume();
        Assert.Equal((7ul, TestGuest.TrapAddr + 0xFFC), (p.Key, p.GuestMem.Addr));
        Assert.Equal(new byte[] { 0x48, 0x89, 0x10 }, Bytes(p));
        // The next resume runs on: the second fragment is not a second packet, nor an error.
        g.ResumeToExit();
        Assert.Equal(1ul, g.ReadState().Rbx);
    }

    [HypervisorFact]
    public void Movdqu_IntoATrap_IsReportedOnce_WithItsF3Prefix()
    {
        using var g = TestGuest.Create(a =>
        {
            // SSE needs CR4.OSFXSR (Zircon's initial CR4 is PAE only): without it movdqu is #UD on
            // VMX and SVM, and so in KVM's emulator; PVM ran it regardless.
            a.mov(rax, cr4);
            a.or(rax, 1 << 9);
            a.mov(cr4, rax);
            a.mov(rax, (long)TestGuest.TrapAddr + 0x40);
            a.movdqu(__xmmword_ptr[rax], xmm0);
            a.mov(ebx, 1);
            TestGuest.Exit(a);
        });
        TrapTwoPages(g);
        ZxPortPacket p = g.Resume();
        Assert.Equal(new byte[] { 0xF3, 0x0F, 0x7F, 0x00 }, Bytes(p));
        g.ResumeToExit();
        Assert.Equal(1ul, g.ReadState().Rbx);
    }

    [HypervisorFact]
    public void RepMovsb_IntoATrap_IsReported_WithRipPastIt()
    {
        using var g = TestGuest.Create(a =>
        {
            a.mov(rdi, (long)TestGuest.TrapAddr);
            a.mov(rsi, 0x3000);
            a.mov(ecx, 16);
            a.cld();
            a.rep.movsb();
            a.mov(ebx, 1);
            TestGuest.Exit(a);
        });
        TrapTwoPages(g);
        ZxPortPacket p = g.Resume();
        Assert.Equal(new byte[] { 0xF3, 0xA4 }, Bytes(p));
        ZxVcpuState s = g.ReadState();
        Assert.Equal((16ul, TestGuest.TrapAddr, 0x3000ul), (s.Rcx, s.Rdi, s.Rsi));
        g.ResumeToExit();
        Assert.Equal(1ul, g.ReadState().Rbx);
    }

    [HypervisorFact]
    public void RepOutsb_ToATrappedPort_IsNotSupported()
    {
        using var g = TestGuest.Create(a =>
        {
            a.mov(edx, TestGuest.TrapPort);
            a.mov(rsi, 0x3000);
            a.mov(ecx, 4);
            a.rep.outsb();
            TestGuest.Exit(a);
        });
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(g.Guest, (uint)ZxGuestTrap.Io, TestGuest.TrapPort, 1, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.ErrNotSupported, Syscalls.VcpuResume(g.Vcpu, out _));
    }

    [HypervisorFact]
    public void VcpuIds_AreReused_PastKvmsLimitOfVcpusPerVm()
    {
        using var g = TestGuest.Create(TestGuest.Exit, createVcpu: false);
        for (int i = 0; i < 1100; i++)
        {
            ZxStatus status = Syscalls.VcpuCreate(g.Guest, 0, TestGuest.GuestEntry, out uint vcpu);
            Assert.True(status == ZxStatus.Ok, $"cycle {i}: {status}");
            Assert.Equal(ZxStatus.Ok, Syscalls.HandleClose(vcpu));
        }
        g.CreateVcpu();
        Assert.Equal(ZxPacketType.GuestMem, g.ResumeToExit().Type);
    }
}
