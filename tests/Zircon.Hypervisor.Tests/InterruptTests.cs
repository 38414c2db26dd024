using Zircon.Kernel.Platform;

namespace Zircon.Hypervisor.Tests;

/// <summary><c>zx_vcpu_interrupt</c> priorities and wake-ups, and <c>zx_interrupt_bind_vcpu</c>.</summary>
public class VcpuInterruptTests
{
    /// <summary>A guest with an IDT whose every vector's handler reports the vector in RAX and exits.</summary>
    private static TestGuest GuestWithHandlers(Action<Assembler> body)
    {
        var g = TestGuest.Create(a =>
        {
            TestGuest.LoadDescriptorTables(a);
            body(a);
        });
        g.WriteDescriptorTables(TestGuest.HandlerBase);
        g.WriteVectorHandlers(TestGuest.HandlerBase);
        return g;
    }

    [HypervisorFact]
    public void Interrupt_WhileHalted_WakesTheGuest_FromAnotherThread()
    {
        using var g = GuestWithHandlers(a =>
        {
            a.sti();
            a.hlt();
            a.mov(eax, 0x99); // not reached: the handler exits first
            TestGuest.Exit(a);
        });
        uint vcpu = g.Vcpu;
        var injector = new Thread(() =>
        {
            Thread.Sleep(50);
            Assert.Equal(ZxStatus.Ok, Syscalls.VcpuInterrupt(vcpu, 32));
        });
        injector.Start();
        ZxPortPacket p = g.ResumeToExit();
        injector.Join();
        Assert.Equal(32ul, g.ReadState().Rax);
        Assert.Equal(11, p.GuestMem.InstLen);
    }

    /// <summary>As Zircon's tests: the guest enables interrupts and exits; the test marks vectors pending and resumes.</summary>
    private static TestGuest GuestReadyForInterrupts()
    {
        var g = GuestWithHandlers(a =>
        {
            a.sti();
            TestGuest.Exit(a);
            a.mov(eax, 0x99); // reached only if nothing was injected
            TestGuest.Exit(a);
        });
        g.ResumeToExit();
        return g;
    }

    [HypervisorFact]
    public void HighestVectorFirst_AndExceptionsAreDroppedAfterAnInterrupt()
    {
        // Zircon: 16 then 32 pending -> the guest sees 32, and 16 is gone.
        using var g = GuestReadyForInterrupts();
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuInterrupt(g.Vcpu, 16));
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuInterrupt(g.Vcpu, 32));
        g.ResumeToExit();
        Assert.Equal(32ul, g.ReadState().Rax);
        // 16 was dropped: resuming runs on past handler 32's exit into handler 33's code, not into #MF.
        g.ResumeToExit();
        Assert.Equal(33ul, g.ReadState().Rax);
    }

    [HypervisorFact]
    public void Nmi_BeatsOtherVectors()
    {
        // Zircon: 32 then 2 pending -> the guest sees 2.
        using var g = GuestReadyForInterrupts();
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuInterrupt(g.Vcpu, 32));
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuInterrupt(g.Vcpu, 2));
        g.ResumeToExit();
        Assert.Equal(2ul, g.ReadState().Rax);
    }

    [HypervisorFact]
    public void Exception_IsInjectedAsAnException()
    {
        using var g = GuestReadyForInterrupts();
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuInterrupt(g.Vcpu, 16)); // #MF
        g.ResumeToExit();
        Assert.Equal(16ul, g.ReadState().Rax);
    }

    [HypervisorFact]
    public void ExternalInterrupt_WaitsUntilTheGuestEnablesInterrupts()
    {
        using var g = GuestWithHandlers(a =>
        {
            a.mov(eax, 1);
            TestGuest.Exit(a); // first stop: interrupts still disabled
            a.sti();
            a.hlt();
            a.mov(eax, 0x99);
            TestGuest.Exit(a);
        });
        g.ResumeToExit();
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuInterrupt(g.Vcpu, 40));
        g.ResumeToExit();
        Assert.Equal(40ul, g.ReadState().Rax);
    }

    [HypervisorFact]
    public void ReservedVector_MakesResumeFail_OutOfRangeVector_IsRejected()
    {
        using var g = GuestWithHandlers(TestGuest.Exit);
        Assert.Equal(ZxStatus.ErrOutOfRange, Syscalls.VcpuInterrupt(g.Vcpu, 256));
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuInterrupt(g.Vcpu, 25));
        Assert.Equal(ZxStatus.ErrNotSupported, Syscalls.VcpuResume(g.Vcpu, out _));
    }

    [HypervisorFact]
    public void BindVcpu_HostLineRaisedFromAnotherThread_ReachesTheGuestHandler()
    {
        const uint Line = 48; // vector = line number
        using var g = GuestWithHandlers(a =>
        {
            a.sti();
            a.hlt();
            a.mov(eax, 0x99);
            TestGuest.Exit(a);
        });
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptCreate(Syscalls.GetRootResource(), Line, 0, out uint irq));
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBindVcpu(irq, g.Vcpu, 0));
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBindVcpu(irq, g.Vcpu, 0)); // same VCPU again: OK
        Assert.Equal(ZxStatus.ErrBadState, Syscalls.InterruptWait(irq, out _));
        var raiser = new Thread(() =>
        {
            Thread.Sleep(50);
            Assert.Equal(ZxStatus.Ok, HostInterruptLines.Raise(Line));
        });
        raiser.Start();
        g.ResumeToExit();
        raiser.Join();
        Assert.Equal(Line, g.ReadState().Rax);
        Syscalls.HandleClose(irq);
    }

    [HypervisorFact]
    public void BindVcpu_Errors()
    {
        using var g = GuestWithHandlers(TestGuest.Exit);
        uint virt = 0;
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptCreate(0, 0, ZxInterruptOptions.Virtual, out virt));
        Assert.Equal(ZxStatus.ErrNotSupported, Syscalls.InterruptBindVcpu(virt, g.Vcpu, 0));
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptCreate(Syscalls.GetRootResource(), 49, 0, out uint irq));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.InterruptBindVcpu(irq, g.Vcpu, 1));
        Assert.Equal(ZxStatus.Ok, Syscalls.PortCreate(ZxPortOptions.BindToInterrupt, out uint port));
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, 0, ZxInterruptOptions.Bind));
        Assert.Equal(ZxStatus.ErrAlreadyBound, Syscalls.InterruptBindVcpu(irq, g.Vcpu, 0));
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, 0, ZxInterruptOptions.Unbind));
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBindVcpu(irq, g.Vcpu, 0));
        Assert.Equal(ZxStatus.ErrAlreadyBound, Syscalls.InterruptBind(irq, port, 0, ZxInterruptOptions.Bind));
        Assert.Equal(ZxStatus.ErrNotFound, Syscalls.InterruptBind(irq, port, 0, ZxInterruptOptions.Unbind));
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptDestroy(irq));
        Assert.Equal(ZxStatus.ErrCanceled, Syscalls.InterruptBindVcpu(irq, g.Vcpu, 0));
        Syscalls.HandleClose(irq);
        Syscalls.HandleClose(virt);
        Syscalls.HandleClose(port);
    }
}
