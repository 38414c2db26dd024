namespace Zircon.Hypervisor.Tests;

/// <summary><c>zx_vcpu_kick</c> and closing a running VCPU from another thread.</summary>
public class KickTests
{
    private static void Spin(Assembler a)
    {
        Label loop = a.CreateLabel();
        a.Label(ref loop);
        a.jmp(loop);
    }

    [HypervisorFact]
    public void Kick_FromAnotherThread_EndsARunningResumeWithCanceled_Once()
    {
        using var g = TestGuest.Create(Spin);
        uint vcpu = g.Vcpu;
        var kicker = new Thread(() =>
        {
            Thread.Sleep(50);
            Assert.Equal(ZxStatus.Ok, Syscalls.VcpuKick(vcpu));
        });
        kicker.Start();
        Assert.Equal(ZxStatus.ErrCanceled, Syscalls.VcpuResume(vcpu, out _));
        kicker.Join();
        // The kick is consumed: a kick before the next resume makes that one return at once, too.
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuKick(vcpu));
        Assert.Equal(ZxStatus.ErrCanceled, Syscalls.VcpuResume(vcpu, out _));
    }

    [HypervisorFact]
    public void ClosingTheVcpu_FromAnotherThread_EndsARunningResume()
    {
        using var g = TestGuest.Create(Spin);
        uint vcpu = g.Vcpu;
        var closer = new Thread(() =>
        {
            Thread.Sleep(50);
            Assert.Equal(ZxStatus.Ok, Syscalls.HandleClose(vcpu));
        });
        closer.Start();
        Assert.Equal(ZxStatus.ErrCanceled, Syscalls.VcpuResume(vcpu, out _));
        closer.Join();
        // The thread may create a new VCPU afterwards (the guest's VCPU id is free again).
        g.CreateVcpu();
    }

    [HypervisorFact]
    public void Kick_NeedsExecute()
    {
        using var g = TestGuest.Create(Spin);
        Assert.Equal(ZxStatus.Ok, Syscalls.HandleDuplicate(g.Vcpu, ZxRights.Signal, out uint signalOnly));
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.VcpuKick(signalOnly));
        Syscalls.HandleClose(signalOnly);
    }
}
