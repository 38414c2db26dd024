using Zircon.Kernel.Objects;
using Zircon.Kernel.Platform;
using Zircon.Kernel.Ports;

namespace Zircon.Kernel.Tests;

/// <summary>
/// Sequences a fuzzer found (issue 8, items 1 and 2): an ack while the interrupt's packet is
/// still queued followed by a new trigger, and a waiter stranded by a bind and a destroy.
/// </summary>
public class InterruptRegressionTests
{
    private const long T1 = 111, T2 = 222;

    private static PortDispatcher PortOf(uint port)
    {
        Assert.Equal(ZxStatus.Ok, KernelContext.Handles.Get(port, ZxRights.None, out PortDispatcher dispatcher));
        return dispatcher;
    }

    private static InterruptDispatcher InterruptOf(uint irq)
    {
        Assert.Equal(ZxStatus.Ok, KernelContext.Handles.Get(irq, ZxRights.None, out InterruptDispatcher dispatcher));
        return dispatcher;
    }

    [Fact]
    public void VirtualTrigger_AfterAnAckWithThePacketStillQueued_LeavesThatPacketAlone()
    {
        uint port = Zx.Port(ZxPortOptions.BindToInterrupt);
        uint irq = Zx.VirtualInterrupt();
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, 7, ZxInterruptOptions.Bind));
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptTrigger(irq, 0, T1));
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptAck(irq)); // packet still unread
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptTrigger(irq, 0, T2));

        Assert.Equal(1, PortOf(port).PendingCount);
        Assert.Equal(ZxStatus.Ok, Syscalls.PortWait(port, 0, out ZxPortPacket packet));
        Assert.Equal((7ul, ZxPacketType.Interrupt, T1), (packet.Key, packet.Type, packet.Interrupt.Timestamp));
        Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.PortWait(port, 0, out _));

        // The state machine still works: ack re-arms, the next trigger queues a packet.
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptAck(irq));
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptTrigger(irq, 0, T2));
        Assert.Equal(ZxStatus.Ok, Syscalls.PortWait(port, 0, out packet));
        Assert.Equal(T2, packet.Interrupt.Timestamp);
        Zx.Close(irq, port);
    }

    [Fact]
    public void PhysicalRaise_AfterAnAckWithThePacketStillQueued_DoesNotKillTheLineThread()
    {
        const uint Line = 140;
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptCreate(Syscalls.GetRootResource(), Line, 0, out uint irq));
        uint port = Zx.Port(ZxPortOptions.BindToInterrupt);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, 9, ZxInterruptOptions.Bind));
        PortDispatcher portObject = PortOf(port);

        Assert.Equal(ZxStatus.Ok, HostInterruptLines.Raise(Line));
        Assert.True(SpinWait.SpinUntil(() => portObject.PendingCount == 1, 5000), "first raise never queued a packet");
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptAck(irq)); // packet still unread
        InterruptDispatcher irqObject = InterruptOf(irq);
        var flags = System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance;
        var state = typeof(InterruptDispatcher).GetField("_state", flags)!;
        var stored = typeof(InterruptDispatcher).GetField("_storedTimestamp", flags)!;
        Assert.Equal("Idle", state.GetValue(irqObject)!.ToString());

        // The first raise re-enters NEEDACK and leaves the queued packet alone (this killed the
        // line thread); a second one is coalesced into a stored timestamp. The eventfd merges
        // raises the thread has not read yet, so each is awaited.
        Assert.Equal(ZxStatus.Ok, HostInterruptLines.Raise(Line));
        Assert.True(SpinWait.SpinUntil(() => state.GetValue(irqObject)!.ToString() == "NeedAck", 5000), "the line thread did not handle the raise");
        Assert.Equal(ZxStatus.Ok, HostInterruptLines.Raise(Line));
        Assert.True(SpinWait.SpinUntil(() => (long)stored.GetValue(irqObject)! != 0, 5000), "the line thread stopped handling raises");
        Assert.Equal(1, portObject.PendingCount);
        Assert.Equal(ZxStatus.Ok, Syscalls.PortWait(port, 0, out ZxPortPacket first));
        Assert.Equal(0, portObject.PendingCount);

        // The line thread survived: the ack delivers the coalesced raise, and a later raise works too.
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptAck(irq));
        Assert.Equal(ZxStatus.Ok, Syscalls.PortWait(port, 0, out ZxPortPacket second));
        Assert.True(second.Interrupt.Timestamp >= first.Interrupt.Timestamp);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptAck(irq));
        Assert.Equal(ZxStatus.Ok, HostInterruptLines.Raise(Line));
        Assert.Equal(ZxStatus.Ok, Syscalls.PortWait(port, Syscalls.DeadlineAfter(5_000_000_000), out _));
        Zx.Close(irq, port);
    }

    [Fact]
    public void Waiter_StrandedByTriggerBindDestroy_WakesUp()
    {
        for (int round = 0; round < 50; round++)
        {
            uint irq = Zx.VirtualInterrupt();
            uint port = Zx.Port(ZxPortOptions.BindToInterrupt);
            InterruptDispatcher irqObject = InterruptOf(irq);
            ZxStatus waitStatus = ZxStatus.ErrInternal;
            bool bound = false;
            // The waiter must not return between the trigger and the bind: hold it in its sleep.
            var waiter = new Thread(() => waitStatus = Syscalls.InterruptWait(irq, out _)) { IsBackground = true };
            waiter.Start();
            Assert.True(SpinWait.SpinUntil(() => irqObject.IsWaiting, 5000));
            lock (GetParkedWaiter(irqObject))
            {
                Assert.Equal(ZxStatus.Ok, Syscalls.InterruptTrigger(irq, 0, T1));
                bound = Syscalls.InterruptBind(irq, port, 1, ZxInterruptOptions.Bind) == ZxStatus.Ok;
                Syscalls.InterruptDestroy(irq);
            }
            Zx.Close(irq);
            Assert.True(waiter.Join(5000), $"round {round}: the waiter was stranded (bound: {bound})");
            Assert.True(waitStatus is ZxStatus.ErrCanceled or ZxStatus.ErrBadState, $"wait returned {waitStatus}");
            Zx.Close(port);
        }
    }

    [Fact]
    public void Destroy_WhileBoundToAPort_WakesAWaiterBlockedBeforeTheBind_WithCanceled()
    {
        uint irq = Zx.VirtualInterrupt();
        uint port = Zx.Port(ZxPortOptions.BindToInterrupt);
        InterruptDispatcher irqObject = InterruptOf(irq);
        ZxStatus waitStatus = ZxStatus.ErrInternal;
        var waiter = new Thread(() => waitStatus = Syscalls.InterruptWait(irq, out _)) { IsBackground = true };
        waiter.Start();
        Assert.True(SpinWait.SpinUntil(() => irqObject.IsWaiting, 5000));
        lock (GetParkedWaiter(irqObject))
        {
            Syscalls.InterruptTrigger(irq, 0, T1);
            Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, 1, ZxInterruptOptions.Bind));
            Assert.Equal(ZxStatus.Ok, Syscalls.InterruptDestroy(irq));
        }
        Assert.True(waiter.Join(5000));
        Assert.Equal(ZxStatus.ErrCanceled, waitStatus);
        Zx.Close(irq, port);
    }

    // The parker of the thread blocked in zx_interrupt_wait. Holding its monitor keeps that thread
    // from returning from its sleep after a wake-up (Unpark, reentrant for the holder, still marks
    // it woken), so a test can order operations between a waiter's wake-up and its return. (The
    // interrupt's own lock is a ShortLock, which is not reentrant and cannot be held by a test
    // that then calls the syscalls.)
    private static object GetParkedWaiter(InterruptDispatcher irq)
    {
        var field = typeof(InterruptDispatcher).GetField("_parked", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        object? parker = null;
        Assert.True(SpinWait.SpinUntil(() => (parker = field.GetValue(irq)) is not null, 5000), "no thread parked in zx_interrupt_wait");
        return parker!;
    }
}
