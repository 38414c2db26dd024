namespace Zircon.Kernel.Tests;

public class SignalTests
{
    [Fact]
    public void EventCreate_NonZeroOptions_IsInvalidArgs() => Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.EventCreate(1, out _));

    [Fact]
    public void Signal_ClearsThenSets_AndWaitOneSeesIt()
    {
        uint ev = Zx.Event();
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectSignal(ev, 0, ZxSignals.User1 | ZxSignals.EventSignaled));
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectSignal(ev, ZxSignals.User1, ZxSignals.User2));
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectWaitOne(ev, ZxSignals.User2, Zx.Past, out ZxSignals observed));
        Assert.Equal(ZxSignals.User2 | ZxSignals.EventSignaled, observed);
        Zx.Close(ev);
    }

    [Fact]
    public void Signal_NonUserBits_IsInvalidArgs()
    {
        uint ev = Zx.Event();
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.ObjectSignal(ev, 0, ZxSignals.ObjectReadable));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.ObjectSignal(ev, ZxSignals.HandleClosed, 0));
        uint vmo = Zx.Vmo(4096);
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.ObjectSignal(vmo, 0, ZxSignals.ObjectSignaled)); // only events own bit 3
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectSignal(vmo, 0, ZxSignals.User7));
        Zx.Close(ev, vmo);
    }

    [Fact]
    public void Signal_NeedsSignalRight_AndAWaitableObject()
    {
        uint ev = Zx.Restricted(Zx.Event(), ZxRights.Wait);
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.ObjectSignal(ev, 0, ZxSignals.User0));
        uint port = Zx.Port();
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.ObjectSignal(port, 0, ZxSignals.User0)); // ports lack SIGNAL
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.ObjectSignal(Zx.ClosedHandle(), 0, ZxSignals.User0));
        Zx.Close(ev, port);
    }

    [Fact]
    public void Vmo_StartsWithZeroChildrenAsserted()
    {
        uint vmo = Zx.Vmo(4096);
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectWaitOne(vmo, ZxSignals.VmoZeroChildren, Zx.Past, out ZxSignals observed));
        Assert.Equal(ZxSignals.VmoZeroChildren, observed);
        Zx.Close(vmo);
    }

    [Fact]
    public void WaitOne_TimesOut_ReportingCurrentSignals()
    {
        uint ev = Zx.Event();
        Syscalls.ObjectSignal(ev, 0, ZxSignals.User3);
        Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.ObjectWaitOne(ev, ZxSignals.User0, Zx.Soon, out ZxSignals observed));
        Assert.Equal(ZxSignals.User3, observed);
        Zx.Close(ev);
    }

    [Fact]
    public void WaitOne_InfinitePast_PollsWithoutBlocking()
    {
        uint ev = Zx.Event();
        var waiter = Task.Run(() => Syscalls.ObjectWaitOne(ev, ZxSignals.User0, ZxTime.InfinitePast, out _));
        Assert.True(waiter.Wait(TimeSpan.FromSeconds(10)), "wait_one with ZX_TIME_INFINITE_PAST blocked");
        Assert.Equal(ZxStatus.ErrTimedOut, waiter.Result);
        Zx.Close(ev);
    }

    [Fact]
    public void WaitOne_IsWokenBySignalFromAnotherThread()
    {
        uint ev = Zx.Event();
        var waiter = Task.Run(() => (Syscalls.ObjectWaitOne(ev, ZxSignals.EventSignaled, ZxTime.Infinite, out ZxSignals o), o));
        Thread.Sleep(20);
        Syscalls.ObjectSignal(ev, 0, ZxSignals.EventSignaled);
        Assert.Equal((ZxStatus.Ok, ZxSignals.EventSignaled), waiter.Result);
        Zx.Close(ev);
    }

    [Fact]
    public void WaitOne_HandleClosedDuringWait_IsCanceled_WithHandleClosedSignal()
    {
        uint ev = Zx.Event();
        Dispatcher obj = Zx.Object<Dispatcher>(ev);
        var waiter = Task.Run(() => (Syscalls.ObjectWaitOne(ev, ZxSignals.User0, ZxTime.Infinite, out ZxSignals o), o));
        Zx.WaitUntil(() => obj.ObserverCount == 1);
        Zx.Close(ev);
        (ZxStatus status, ZxSignals observed) = waiter.Result;
        Assert.Equal(ZxStatus.ErrCanceled, status);
        Assert.True((observed & ZxSignals.HandleClosed) != 0);
    }

    [Fact]
    public void WaitOne_OnPort_IsAccessDenied_BecausePortsLackWait()
    {
        uint port = Zx.Port();
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.ObjectWaitOne(port, ZxSignals.User0, Zx.Past, out _));
        Zx.Close(port);
    }

    [Fact]
    public void WaitAsync_OneShot_ReportsTriggerAndFullObservedState()
    {
        uint port = Zx.Port(), ev = Zx.Event();
        Syscalls.ObjectSignal(ev, 0, ZxSignals.User5);
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectWaitAsync(ev, port, 99, ZxSignals.EventSignaled, 0));
        Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.PortWait(port, Zx.Past, out _));
        Syscalls.ObjectSignal(ev, 0, ZxSignals.EventSignaled);
        Assert.Equal(ZxStatus.Ok, Syscalls.PortWait(port, Zx.Past, out ZxPortPacket p));
        Assert.Equal(99ul, p.Key);
        Assert.Equal(ZxPacketType.SignalOne, p.Type);
        Assert.Equal(ZxStatus.Ok, p.Status);
        Assert.Equal(ZxSignals.EventSignaled, p.Signal.Trigger);
        Assert.Equal(ZxSignals.EventSignaled | ZxSignals.User5, p.Signal.Observed);
        Assert.Equal(1ul, p.Signal.Count);
        Assert.Equal(0, p.Signal.Timestamp);
        // One-shot: signalling again queues nothing.
        Syscalls.ObjectSignal(ev, ZxSignals.EventSignaled, 0);
        Syscalls.ObjectSignal(ev, 0, ZxSignals.EventSignaled);
        Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.PortWait(port, Zx.Past, out _));
        Zx.Close(port, ev);
    }

    [Fact]
    public void WaitAsync_AlreadySignaled_FiresAtOnce_WithTimestampWhenAsked()
    {
        uint port = Zx.Port(), ev = Zx.Event();
        Syscalls.ObjectSignal(ev, 0, ZxSignals.User0);
        long before = Syscalls.ClockGetMonotonic();
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectWaitAsync(ev, port, 1, ZxSignals.User0, ZxWaitAsyncOptions.Timestamp));
        Assert.Equal(ZxStatus.Ok, Syscalls.PortWait(port, Zx.Past, out ZxPortPacket p));
        Assert.InRange(p.Signal.Timestamp, before, Syscalls.ClockGetMonotonic());
        Zx.Close(port, ev);
    }

    [Fact]
    public void WaitAsync_SeveralRegistrations_FireNewestFirst()
    {
        // Zircon's EventAsyncSignalWaitSingle: keys 0..6, the first five dequeued sum to 6+5+4+3+2.
        uint port = Zx.Port(), ev = Zx.Event();
        for (ulong key = 0; key < 7; key++)
            Assert.Equal(ZxStatus.Ok, Syscalls.ObjectWaitAsync(ev, port, key, ZxSignals.EventSignaled, 0));
        Syscalls.ObjectSignal(ev, 0, ZxSignals.EventSignaled);
        ulong sum = 0;
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(ZxStatus.Ok, Syscalls.PortWait(port, Zx.Past, out ZxPortPacket p));
            sum += p.Key;
        }
        Assert.Equal(20ul, sum);
        Zx.Close(port, ev);
    }

    [Fact]
    public void WaitAsync_CheckOrder_OptionsThenPortThenObject()
    {
        uint port = Zx.Port(), ev = Zx.Event();
        uint closed = Zx.ClosedHandle();
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.ObjectWaitAsync(closed, closed, 0, ZxSignals.User0, 2));
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.ObjectWaitAsync(closed, closed, 0, ZxSignals.User0, 0));
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.ObjectWaitAsync(closed, port, 0, ZxSignals.User0, 0));
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.ObjectWaitAsync(ev, ev, 0, ZxSignals.User0, 0));
        uint readOnlyPort = Zx.Duplicate(port, ZxRights.Read);
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.ObjectWaitAsync(ev, readOnlyPort, 0, ZxSignals.User0, 0));
        uint noWait = Zx.Duplicate(ev, ZxRights.Signal);
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.ObjectWaitAsync(noWait, port, 0, ZxSignals.User0, 0));
        // A port as the watched object: no WAIT right, so ACCESS_DENIED comes before NOT_SUPPORTED.
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.ObjectWaitAsync(port, port, 0, ZxSignals.User0, 0));
        Zx.Close(port, ev, readOnlyPort, noWait);
    }

    [Fact]
    public void WaitAsync_ClosingTheWatchedHandle_CancelsTheRegistration_ButKeepsQueuedPackets()
    {
        uint port = Zx.Port(), ev = Zx.Event();
        uint dup = Zx.Duplicate(ev, ZxRights.SameRights);
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectWaitAsync(ev, port, 1, ZxSignals.User0, 0)); // fires below
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectWaitAsync(dup, port, 2, ZxSignals.User1, 0)); // canceled by close
        Syscalls.ObjectSignal(ev, 0, ZxSignals.User0);
        Zx.Close(dup);
        Syscalls.ObjectSignal(ev, 0, ZxSignals.User1);
        Assert.Equal(ZxStatus.Ok, Syscalls.PortWait(port, Zx.Past, out ZxPortPacket p));
        Assert.Equal(1ul, p.Key);
        Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.PortWait(port, Zx.Past, out _));
        Zx.Close(port, ev);
    }

    [Fact]
    public void PortCancel_RemovesRegistrationsAndQueuedPacketsOfThatHandleAndKey_ButNotUserPackets()
    {
        uint port = Zx.Port(), ev = Zx.Event();
        Assert.Equal(ZxStatus.Ok, Syscalls.PortQueue(port, Zx.UserPacket(5)));
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectWaitAsync(ev, port, 5, ZxSignals.User0, 0));
        Syscalls.ObjectSignal(ev, 0, ZxSignals.User0); // queued signal packet with key 5
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectWaitAsync(ev, port, 5, ZxSignals.User1, 0)); // still armed
        Assert.Equal(ZxStatus.Ok, Syscalls.PortCancel(port, ev, 5));
        Syscalls.ObjectSignal(ev, 0, ZxSignals.User1);
        Assert.Equal(ZxStatus.Ok, Syscalls.PortWait(port, Zx.Past, out ZxPortPacket p));
        Assert.Equal(ZxPacketType.User, p.Type);
        Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.PortWait(port, Zx.Past, out _));
        Assert.Equal(ZxStatus.ErrNotFound, Syscalls.PortCancel(port, ev, 5));
        Zx.Close(port, ev);
    }

    [Fact]
    public void PortCancel_OnlyMatchesTheSameHandle()
    {
        uint port = Zx.Port(), ev = Zx.Event();
        uint dup = Zx.Duplicate(ev, ZxRights.SameRights);
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectWaitAsync(ev, port, 3, ZxSignals.User0, 0));
        Assert.Equal(ZxStatus.ErrNotFound, Syscalls.PortCancel(port, dup, 3));
        Assert.Equal(ZxStatus.Ok, Syscalls.PortCancel(port, ev, 3));
        Zx.Close(port, ev, dup);
    }

    [Fact]
    public void PortCancel_Errors()
    {
        uint port = Zx.Port(), ev = Zx.Event();
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.PortCancel(Zx.ClosedHandle(), ev, 0));
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.PortCancel(ev, ev, 0));
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.PortCancel(port, Zx.ClosedHandle(), 0));
        uint noWait = Zx.Duplicate(ev, ZxRights.Signal);
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.PortCancel(port, noWait, 0));
        uint readOnlyPort = Zx.Duplicate(port, ZxRights.Read);
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.PortCancel(readOnlyPort, ev, 0));
        Zx.Close(port, ev, noWait, readOnlyPort);
    }
}
