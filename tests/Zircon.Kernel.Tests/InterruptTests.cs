namespace Zircon.Kernel.Tests;

/// <summary>The interrupt state machine of docs/semantics.md §5.3, row by row, on virtual interrupts.</summary>
public class InterruptTests
{
    private const long T1 = 12345, T2 = 67890;

    private static uint BoundPair(out uint port, ulong key = 789)
    {
        port = Zx.Port(ZxPortOptions.BindToInterrupt);
        uint irq = Zx.VirtualInterrupt();
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, key, ZxInterruptOptions.Bind));
        return irq;
    }

    private static ZxPortPacket Next(uint port)
    {
        Assert.Equal(ZxStatus.Ok, Syscalls.PortWait(port, Zx.Past, out ZxPortPacket p));
        return p;
    }

    // ---- create ----

    [Fact]
    public void CreateVirtual_IgnoresResourceAndNumber()
    {
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptCreate(0xDEADBEEF, 12345, ZxInterruptOptions.Virtual, out uint irq));
        Assert.Equal(ZxObjectType.Interrupt, Zx.Info(irq).Type);
        Assert.Equal(ZxDefaultRights.Interrupt, Zx.Info(irq).Rights);
        Zx.Close(irq);
    }

    [Theory]
    [InlineData(ZxInterruptOptions.SlotUser)] // 0x3E: VIRTUAL plus other bits (Zircon's VirtualInterrupts test)
    [InlineData(ZxInterruptOptions.Virtual | ZxInterruptOptions.ModeEdgeHigh)]
    [InlineData(ZxInterruptOptions.Virtual | ZxInterruptOptions.RemapIrq)]
    public void CreateVirtual_WithOtherOptions_IsInvalidArgs(uint options) =>
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.InterruptCreate(ZxHandleValues.Invalid, 0, options, out _));

    // ---- trigger / wait without a port ----

    [Fact]
    public void Trigger_ThenWait_ReturnsTheTimestamp()
    {
        uint irq = Zx.VirtualInterrupt();
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptTrigger(irq, 0, T1));
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptWait(irq, out long ts));
        Assert.Equal(T1, ts);
        Zx.Close(irq);
    }

    [Fact]
    public void Trigger_Twice_BeforeWait_KeepsTheFirstTimestamp()
    {
        uint irq = Zx.VirtualInterrupt();
        Syscalls.InterruptTrigger(irq, 0, T1);
        Syscalls.InterruptTrigger(irq, 0, T2);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptWait(irq, out long ts));
        Assert.Equal(T1, ts);
        Zx.Close(irq);
    }

    [Fact]
    public void Wait_BlocksUntilTriggeredFromAnotherThread()
    {
        uint irq = Zx.VirtualInterrupt();
        var waiter = Task.Run(() => (Syscalls.InterruptWait(irq, out long ts), ts));
        Thread.Sleep(20);
        Assert.False(waiter.IsCompleted);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptTrigger(irq, 0, T2));
        Assert.Equal((ZxStatus.Ok, T2), waiter.Result);
        Zx.Close(irq);
    }

    [Fact]
    public void Wait_SecondWaiter_IsBadState()
    {
        uint irq = Zx.VirtualInterrupt();
        var first = Task.Run(() => Syscalls.InterruptWait(irq, out _));
        WaitUntilWaiting(irq);
        Assert.Equal(ZxStatus.ErrBadState, Syscalls.InterruptWait(irq, out _));
        Syscalls.InterruptTrigger(irq, 0, T1);
        Assert.Equal(ZxStatus.Ok, first.Result);
        Zx.Close(irq);
    }

    [Fact]
    public void Destroy_WakesABlockedWaiter_WithCanceled()
    {
        uint irq = Zx.VirtualInterrupt();
        var waiter = Task.Run(() => Syscalls.InterruptWait(irq, out _));
        WaitUntilWaiting(irq);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptDestroy(irq));
        Assert.Equal(ZxStatus.ErrCanceled, waiter.Result);
        Zx.Close(irq);
    }

    [Fact]
    public void ClosingTheLastHandle_DestroysAndWakesTheWaiter()
    {
        uint irq = Zx.VirtualInterrupt();
        uint dup = Zx.Duplicate(irq, ZxRights.SameRights);
        var waiter = Task.Run(() => Syscalls.InterruptWait(dup, out _));
        WaitUntilWaiting(irq);
        Zx.Close(irq);
        Zx.Close(dup);
        Assert.Equal(ZxStatus.ErrCanceled, waiter.Result);
    }

    [Fact]
    public void AfterDestroy_WithoutPort_EverythingIsCanceled_AckIsBadState()
    {
        uint irq = Zx.VirtualInterrupt();
        uint port = Zx.Port(ZxPortOptions.BindToInterrupt);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptDestroy(irq));
        Assert.Equal(ZxStatus.ErrCanceled, Syscalls.InterruptTrigger(irq, 0, T1));
        Assert.Equal(ZxStatus.ErrCanceled, Syscalls.InterruptWait(irq, out _));
        Assert.Equal(ZxStatus.ErrBadState, Syscalls.InterruptAck(irq)); // never bound
        Assert.Equal(ZxStatus.ErrCanceled, Syscalls.InterruptBind(irq, port, 1, ZxInterruptOptions.Bind));
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptDestroy(irq)); // again: same path, OK
        Zx.Close(irq, port);
    }

    [Fact]
    public void Ack_WithoutPort_IsBadState()
    {
        uint irq = Zx.VirtualInterrupt();
        Assert.Equal(ZxStatus.ErrBadState, Syscalls.InterruptAck(irq));
        Zx.Close(irq);
    }

    [Fact]
    public void Wait_NullTimestampOutput_IsFine()
    {
        uint irq = Zx.VirtualInterrupt();
        Syscalls.InterruptTrigger(irq, 0, T1);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptWait(irq, out _));
        Zx.Close(irq);
    }

    // ---- port binding: Zircon's BindPort worked example ----

    [Fact]
    public void BindPort_WorkedExample()
    {
        uint irq = BoundPair(out uint port);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptTrigger(irq, 0, T1));
        ZxPortPacket p = Next(port);
        Assert.Equal((789ul, ZxPacketType.Interrupt, ZxStatus.Ok, T1), (p.Key, p.Type, p.Status, p.Interrupt.Timestamp));
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptTrigger(irq, 0, T1)); // NEEDACK: stored
        Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.PortWait(port, Zx.Past, out _));
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptAck(irq)); // re-queued
        Assert.Equal(T1, Next(port).Interrupt.Timestamp);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptAck(irq)); // IDLE
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptTrigger(irq, 0, T1));
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptTrigger(irq, 0, T2));
        Assert.Equal(T1, Next(port).Interrupt.Timestamp);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptAck(irq));
        Assert.Equal(T2, Next(port).Interrupt.Timestamp);
        Assert.Equal(ZxStatus.ErrNotFound, Syscalls.InterruptDestroy(irq)); // read, not acked
        Assert.Equal(ZxStatus.ErrCanceled, Syscalls.InterruptAck(irq));
        Assert.Equal(ZxStatus.ErrCanceled, Syscalls.InterruptTrigger(irq, 0, T1));
        Assert.Equal(ZxStatus.ErrBadState, Syscalls.InterruptWait(irq, out _)); // port bound beats destroyed
        Assert.Equal(ZxStatus.ErrCanceled, Syscalls.InterruptBind(irq, port, 0, ZxInterruptOptions.Unbind));
        Zx.Close(irq, port);
    }

    [Fact]
    public void Ack_WhileTheRequeuedPacketIsUnread_IsBadState()
    {
        uint irq = BoundPair(out uint port);
        Syscalls.InterruptTrigger(irq, 0, T1);
        Next(port);
        Syscalls.InterruptTrigger(irq, 0, T2);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptAck(irq)); // T2 queued, unread
        Syscalls.InterruptTrigger(irq, 0, T1);                 // stored again
        Assert.Equal(ZxStatus.ErrBadState, Syscalls.InterruptAck(irq));
        Assert.Equal(T2, Next(port).Interrupt.Timestamp);
        Zx.Close(irq, port);
    }

    [Fact]
    public void Ack_InIdle_IsOkAndDoesNothing()
    {
        uint irq = BoundPair(out uint port);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptAck(irq));
        Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.PortWait(port, Zx.Past, out _));
        Zx.Close(irq, port);
    }

    [Fact]
    public void Destroy_WithAQueuedPacket_RemovesIt_AndIsOk()
    {
        uint irq = BoundPair(out uint port);
        Syscalls.InterruptTrigger(irq, 0, T1);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptDestroy(irq));
        Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.PortWait(port, Zx.Past, out _));
        Assert.Equal(ZxStatus.ErrCanceled, Syscalls.InterruptAck(irq));
        Zx.Close(irq, port);
    }

    [Fact]
    public void Destroy_Idle_WithPort_IsOk()
    {
        uint irq = BoundPair(out uint port);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptDestroy(irq));
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptDestroy(irq)); // destroyed with port: OK again
        Zx.Close(irq, port);
    }

    [Fact]
    public void Bind_WhenAlreadyBound_IsAlreadyBound()
    {
        uint irq = BoundPair(out uint port);
        uint other = Zx.Port(ZxPortOptions.BindToInterrupt);
        Assert.Equal(ZxStatus.ErrAlreadyBound, Syscalls.InterruptBind(irq, other, 1, ZxInterruptOptions.Bind));
        Assert.Equal(ZxStatus.ErrAlreadyBound, Syscalls.InterruptBind(irq, port, 1, ZxInterruptOptions.Bind));
        Zx.Close(irq, port, other);
    }

    [Fact]
    public void Bind_ToAPortWithoutBindToInterrupt_IsWrongType()
    {
        uint irq = Zx.VirtualInterrupt();
        uint port = Zx.Port();
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.InterruptBind(irq, port, 1, ZxInterruptOptions.Bind));
        Zx.Close(irq, port);
    }

    [Fact]
    public void Bind_BadOptions_IsInvalidArgs_BeforeHandleLookup() =>
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.InterruptBind(Zx.ClosedHandle(), Zx.ClosedHandle(), 0, 2));

    [Fact]
    public void Bind_WhileAThreadWaits_IsBadState()
    {
        uint irq = Zx.VirtualInterrupt();
        uint port = Zx.Port(ZxPortOptions.BindToInterrupt);
        var waiter = Task.Run(() => Syscalls.InterruptWait(irq, out _));
        WaitUntilWaiting(irq);
        Assert.Equal(ZxStatus.ErrBadState, Syscalls.InterruptBind(irq, port, 1, ZxInterruptOptions.Bind));
        Syscalls.InterruptDestroy(irq);
        Assert.Equal(ZxStatus.ErrCanceled, waiter.Result);
        Zx.Close(irq, port);
    }

    [Fact]
    public void Bind_AnAlreadyTriggeredInterrupt_DeliversAPacketAtOnce()
    {
        uint irq = Zx.VirtualInterrupt();
        uint port = Zx.Port(ZxPortOptions.BindToInterrupt);
        Syscalls.InterruptTrigger(irq, 0, T1);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, 5, ZxInterruptOptions.Bind));
        ZxPortPacket p = Next(port);
        Assert.Equal((5ul, T1), (p.Key, p.Interrupt.Timestamp));
        Zx.Close(irq, port);
    }

    [Fact]
    public void Wait_WhenBoundToAPort_IsBadState()
    {
        uint irq = BoundPair(out uint port);
        Assert.Equal(ZxStatus.ErrBadState, Syscalls.InterruptWait(irq, out _));
        Zx.Close(irq, port);
    }

    [Fact]
    public void Unbind_RemovesTheQueuedPacket_AndLaterTriggersGoToWait()
    {
        uint irq = BoundPair(out uint port);
        Syscalls.InterruptTrigger(irq, 0, T1);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, 0, ZxInterruptOptions.Unbind));
        Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.PortWait(port, Zx.Past, out _));
        Syscalls.InterruptTrigger(irq, 0, T2);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptWait(irq, out long ts));
        Assert.Equal(T2, ts);
        Zx.Close(irq, port);
    }

    [Fact]
    public void Unbind_FromAnotherPort_OrUnbound_IsNotFound()
    {
        uint irq = Zx.VirtualInterrupt();
        uint port = Zx.Port(ZxPortOptions.BindToInterrupt);
        Assert.Equal(ZxStatus.ErrNotFound, Syscalls.InterruptBind(irq, port, 0, ZxInterruptOptions.Unbind));
        uint other = Zx.Port(ZxPortOptions.BindToInterrupt);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, 0, ZxInterruptOptions.Bind));
        Assert.Equal(ZxStatus.ErrNotFound, Syscalls.InterruptBind(irq, other, 0, ZxInterruptOptions.Unbind));
        Zx.Close(irq, port, other);
    }

    [Fact]
    public void Rebind_AfterUnbind_Works()
    {
        uint irq = BoundPair(out uint port);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, 0, ZxInterruptOptions.Unbind));
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, 11, ZxInterruptOptions.Bind));
        Syscalls.InterruptTrigger(irq, 0, T1);
        Assert.Equal(11ul, Next(port).Key);
        Zx.Close(irq, port);
    }

    [Fact]
    public void InterruptPackets_ComeBeforeOtherPackets()
    {
        uint irq = BoundPair(out uint port, key: 1);
        Assert.Equal(ZxStatus.Ok, Syscalls.PortQueue(port, Zx.UserPacket(2)));
        Assert.Equal(ZxStatus.Ok, Syscalls.PortQueue(port, Zx.UserPacket(3)));
        Syscalls.InterruptTrigger(irq, 0, T1);
        Assert.Equal(ZxPacketType.Interrupt, Next(port).Type);
        Assert.Equal(2ul, Next(port).Key);
        Zx.Close(irq, port);
    }

    [Fact]
    public void InterruptPackets_DoNotCountAgainstTheUserLimit()
    {
        uint irq = BoundPair(out uint port);
        while (Syscalls.PortQueue(port, Zx.UserPacket(0)) == ZxStatus.Ok)
        {
        }
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptTrigger(irq, 0, T1));
        Assert.Equal(ZxPacketType.Interrupt, Next(port).Type);
        Zx.Close(irq, port);
    }

    [Fact]
    public void PortWait_Blocked_IsWokenByAnInterrupt()
    {
        uint irq = BoundPair(out uint port);
        var waiter = Task.Run(() => (Syscalls.PortWait(port, ZxTime.Infinite, out ZxPortPacket p), p.Interrupt.Timestamp));
        Zx.WaitUntil(() => Zx.Object<Ports.PortDispatcher>(port).WaiterCount == 1);
        Syscalls.InterruptTrigger(irq, 0, T2);
        Assert.Equal((ZxStatus.Ok, T2), waiter.Result);
        Zx.Close(irq, port);
    }

    [Fact]
    public void ClosingThePort_DropsTheInterruptPacketSilently()
    {
        uint irq = BoundPair(out uint port);
        Zx.Close(port);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptTrigger(irq, 0, T1));
        Zx.Close(irq);
    }

    // ---- rights and errors ----

    [Fact]
    public void Rights_EachCallChecksItsRight()
    {
        uint port = Zx.Port(ZxPortOptions.BindToInterrupt);
        uint irq = Zx.VirtualInterrupt();
        uint none = Zx.Duplicate(irq, ZxRights.None);
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.InterruptBind(none, port, 0, ZxInterruptOptions.Bind));   // READ
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.InterruptAck(none));                                      // WRITE
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.InterruptWait(none, out _));                              // WAIT
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.InterruptTrigger(none, 0, T1));                           // SIGNAL
        uint portNoWrite = Zx.Duplicate(port, ZxRights.Read);
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.InterruptBind(irq, portNoWrite, 0, ZxInterruptOptions.Bind));
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptDestroy(none));                                               // no right needed
        Zx.Close(port, irq, none, portNoWrite);
    }

    [Fact]
    public void WrongTypeAndBadHandle_ForEveryCall()
    {
        uint ev = Zx.Event();
        uint closed = Zx.ClosedHandle();
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.InterruptAck(ev));
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.InterruptWait(ev, out _));
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.InterruptTrigger(ev, 0, 0));
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.InterruptDestroy(ev));
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.InterruptBind(ev, ev, 0, 0));
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.InterruptAck(closed));
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.InterruptWait(closed, out _));
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.InterruptTrigger(closed, 0, 0));
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.InterruptDestroy(closed));
        Zx.Close(ev);
    }

    [Fact]
    public void Trigger_NonZeroOptions_IsInvalidArgs_BeforeHandleLookup() =>
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.InterruptTrigger(Zx.ClosedHandle(), 1, T1));

    [Fact]
    public void BindVcpu_OnAVirtualInterrupt_IsNotSupported()
    {
        // The hypervisor half of zx_interrupt_bind_vcpu arrives with guests; the interrupt side already answers.
        uint irq = Zx.VirtualInterrupt();
        var dispatcher = Zx.Object<Objects.InterruptDispatcher>(irq);
        Assert.Equal(ZxStatus.ErrNotSupported, dispatcher.BindVcpu(_ => (ZxStatus.Ok, null)));
        Zx.Close(irq);
    }

    private static void WaitUntilWaiting(uint irq)
    {
        var dispatcher = Zx.Object<Objects.InterruptDispatcher>(irq);
        Zx.WaitUntil(() => dispatcher.IsWaiting);
    }
}
