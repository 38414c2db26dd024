using Zircon.Kernel.Platform;

namespace Zircon.Kernel.Tests;

/// <summary>Physical interrupts on host lines (eventfds), raised from other threads.</summary>
public class PhysicalInterruptTests
{
    // Each test uses its own line: lines are process-wide and tests run in parallel.
    private static uint Create(uint line, uint options = 0)
    {
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptCreate(Syscalls.GetRootResource(), line, options, out uint irq));
        return irq;
    }

    [Fact]
    public void Raise_FromAnotherThread_WakesInterruptWait_WithAMonotonicTimestamp()
    {
        uint irq = Create(100);
        long before = Syscalls.ClockGetMonotonic();
        var raiser = new Thread(() =>
        {
            Thread.Sleep(20);
            Assert.Equal(ZxStatus.Ok, HostInterruptLines.Raise(100));
        });
        raiser.Start();
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptWait(irq, out long ts));
        Assert.InRange(ts, before, Syscalls.ClockGetMonotonic());
        raiser.Join();
        Zx.Close(irq);
    }

    [Fact]
    public void WritingTheEventFd_RaisesTheLine()
    {
        uint irq = Create(101);
        Assert.Equal(ZxStatus.Ok, HostInterruptLines.GetEventFd(101, out int fd));
        Assert.True(fd >= 0);
        var raiser = new Thread(() =>
        {
            using var stream = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: false), FileAccess.Write, 1);
            stream.Write(BitConverter.GetBytes(1UL));
        });
        raiser.Start();
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptWait(irq, out _));
        raiser.Join();
        Zx.Close(irq);
    }

    [Fact]
    public void Raise_WhenBoundToAPort_QueuesAnInterruptPacket_AndAckRearms()
    {
        uint irq = Create(102, ZxInterruptOptions.ModeEdgeHigh);
        uint port = Zx.Port(ZxPortOptions.BindToInterrupt);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, 55, ZxInterruptOptions.Bind));
        for (int round = 0; round < 3; round++)
        {
            var raiser = new Thread(() => HostInterruptLines.Raise(102));
            raiser.Start();
            Assert.Equal(ZxStatus.Ok, Syscalls.PortWait(port, Syscalls.DeadlineAfter(5_000_000_000), out ZxPortPacket p));
            Assert.Equal((55ul, ZxPacketType.Interrupt), (p.Key, p.Type));
            Assert.True(p.Interrupt.Timestamp > 0);
            raiser.Join();
            Assert.Equal(ZxStatus.Ok, Syscalls.InterruptAck(irq));
        }
        Zx.Close(irq, port);
    }

    [Fact]
    public void Trigger_OnAPhysicalInterrupt_IsBadState()
    {
        uint irq = Create(103);
        Assert.Equal(ZxStatus.ErrBadState, Syscalls.InterruptTrigger(irq, 0, 1));
        Zx.Close(irq);
    }

    [Fact]
    public void Destroy_WakesAWaiter_AndTheLineCanBeClaimedAgainAfterClose()
    {
        uint irq = Create(104);
        var waiter = Task.Run(() => Syscalls.InterruptWait(irq, out _));
        var dispatcher = Zx.Object<Objects.InterruptDispatcher>(irq);
        Zx.WaitUntil(() => dispatcher.IsWaiting);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptDestroy(irq));
        Assert.Equal(ZxStatus.ErrCanceled, waiter.Result);
        Assert.Equal(ZxStatus.ErrAlreadyBound, Syscalls.InterruptCreate(Syscalls.GetRootResource(), 104, 0, out _));
        Zx.Close(irq);
        uint again = Create(104);
        Zx.Close(again);
    }

    [Fact]
    public void RaisesWhileNobodyOwnsTheLine_AreNotDeliveredToANewOwner()
    {
        Assert.Equal(ZxStatus.Ok, HostInterruptLines.Raise(105));
        uint irq = Create(105);
        uint port = Zx.Port(ZxPortOptions.BindToInterrupt);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, 1, ZxInterruptOptions.Bind));
        Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.PortWait(port, Syscalls.DeadlineAfter(30_000_000), out _));
        Zx.Close(irq, port);
    }

    [Fact]
    public void Create_Errors()
    {
        uint root = Syscalls.GetRootResource();
        uint ev = Zx.Event();
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.InterruptCreate(Zx.ClosedHandle(), 0, 0, out _));
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.InterruptCreate(ev, 0, 0, out _));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.InterruptCreate(root, HostInterruptLines.Count, 0, out _));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.InterruptCreate(root, 106, 0x100, out _));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.InterruptCreate(root, 106, ZxInterruptOptions.ModeEdgeBoth, out _));
        Assert.Equal(ZxStatus.ErrInvalidArgs, HostInterruptLines.Raise(HostInterruptLines.Count));
        Zx.Close(ev);
    }

    [Fact]
    public void Create_NeedsAnIrqOrRootResource()
    {
        var hypervisor = new Objects.ResourceDispatcher(ZxResourceKind.Hypervisor, 0, 0);
        Assert.Equal(ZxStatus.Ok, KernelContext.Handles.Add(hypervisor, hypervisor.DefaultRights, out uint wrongKind));
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.InterruptCreate(wrongKind, 107, 0, out _));
        var irqRange = new Objects.ResourceDispatcher(ZxResourceKind.Irq, 108, 2);
        Assert.Equal(ZxStatus.Ok, KernelContext.Handles.Add(irqRange, irqRange.DefaultRights, out uint irqResource));
        Assert.Equal(ZxStatus.ErrOutOfRange, Syscalls.InterruptCreate(irqResource, 110, 0, out _));
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptCreate(irqResource, 109, 0, out uint irq));
        Zx.Close(wrongKind, irqResource, irq);
    }
}
