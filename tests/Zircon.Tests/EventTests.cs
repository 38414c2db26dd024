namespace Zircon.Tests;

public class EventTests
{
    [Fact]
    public void Create_GivesAnEventWithDefaultRightsAndNoSignals()
    {
        using var ev = Event.Create();
        Assert.Equal(ZxObjectType.Event, ev.ObjectType);
        Assert.Equal(ZxDefaultRights.Event, ev.Rights);
        Assert.Equal(ZxStatus.ErrTimedOut, ev.TryWaitOne(ZxSignals.UserAll | ZxSignals.EventSignaled, ZxClock.Monotonic, out ZxSignals observed));
        Assert.Equal(ZxSignals.None, observed);
    }

    [Fact]
    public async Task TryWaitOne_WithInfinitePast_PollsWithoutBlocking()
    {
        using var ev = Event.Create();
        // On its own thread, so a wait that wrongly blocks fails this test instead of hanging the run.
        Task<ZxStatus> poll = TestSupport.OnNewThread(() => ev.TryWaitOne(ZxSignals.User0, ZxTime.InfinitePast, out _));
        Assert.Equal(ZxStatus.ErrTimedOut, await poll.Soon());
    }

    [Fact]
    public void WaitOne_WhenAlreadySignaled_ReturnsTheObservedSignals()
    {
        using var ev = Event.Create();
        ev.Signal(ZxSignals.None, ZxSignals.EventSignaled | ZxSignals.User1);

        ZxSignals observed = ev.WaitOne(ZxSignals.EventSignaled, ZxTime.InfinitePast);

        Assert.Equal(ZxSignals.EventSignaled | ZxSignals.User1, observed);
    }

    [Fact]
    public void Signal_ClearsBeforeSetting()
    {
        using var ev = Event.Create();
        ev.Signal(ZxSignals.None, ZxSignals.User0 | ZxSignals.User1);
        ev.Signal(ZxSignals.User0 | ZxSignals.User2, ZxSignals.User2);
        Assert.Equal(ZxSignals.User1 | ZxSignals.User2, ev.WaitOne(ZxSignals.UserAll, ZxTime.InfinitePast));
    }

    [Fact]
    public void WaitOne_WhenTheDeadlinePasses_ThrowsTimedOut()
    {
        using var ev = Event.Create();
        var e = Assert.Throws<ZxException>(() => ev.WaitOne(ZxSignals.User0, ZxClock.DeadlineAfter(TimeSpan.FromMilliseconds(5))));
        Assert.Equal(ZxStatus.ErrTimedOut, e.Status);
    }

    [Fact]
    public async Task WaitOne_WakesWhenSignaledFromAnotherThread()
    {
        using var ev = Event.Create();
        Task<ZxSignals> waiter = TestSupport.OnNewThread(() => ev.WaitOne(ZxSignals.User3, TestSupport.Deadline()));
        await Task.Delay(20);

        ev.Signal(ZxSignals.None, ZxSignals.User3);

        Assert.Equal(ZxSignals.User3, await waiter.Soon());
    }

    [Fact]
    public async Task Dispose_WakesWaitOneWithCanceledAndHandleClosed()
    {
        var ev = Event.Create();
        ZxSignals observed = ZxSignals.None;
        Task<ZxStatus> waiter = TestSupport.OnNewThread(() => ev.TryWaitOne(ZxSignals.User0, TestSupport.Deadline(), out observed));
        await Task.Delay(20);

        ev.Dispose();

        Assert.Equal(ZxStatus.ErrCanceled, await waiter.Soon());
        Assert.True((observed & ZxSignals.HandleClosed) != 0);
    }

    [Fact]
    public void Signal_WithANonUserBit_ThrowsInvalidArgs()
    {
        using var ev = Event.Create();
        var e = Assert.Throws<ZxException>(() => ev.Signal(ZxSignals.None, ZxSignals.ObjectReadable));
        Assert.Equal(ZxStatus.ErrInvalidArgs, e.Status);
    }

    [Fact]
    public void Signal_WithoutSignalRight_ThrowsAccessDenied()
    {
        using var ev = Event.Create();
        using Event waitOnly = ev.Duplicate(ZxRights.Wait);
        Assert.Equal(ZxStatus.ErrAccessDenied, Assert.Throws<ZxException>(() => waitOnly.Signal(ZxSignals.None, ZxSignals.User0)).Status);
    }

    [Fact]
    public void WaitAsync_QueuesOneSignalPacketOnThePortWhenSignaled()
    {
        using var port = Port.Create();
        using var ev = Event.Create();
        ev.RegisterWait(port, key: 7, ZxSignals.User0);
        Assert.Equal(ZxStatus.ErrTimedOut, port.TryWait(ZxTime.InfinitePast, out _));

        ev.Signal(ZxSignals.None, ZxSignals.User0 | ZxSignals.User1);

        ZxPortPacket packet = port.Wait(TestSupport.Deadline());
        Assert.Equal(ZxPacketType.SignalOne, packet.Type);
        Assert.Equal(7ul, packet.Key);
        Assert.Equal(ZxSignals.User0, packet.Signal.Trigger);
        Assert.Equal(ZxSignals.User0 | ZxSignals.User1, packet.Signal.Observed);
        Assert.Equal(1ul, packet.Signal.Count);
        Assert.Equal(0, packet.Signal.Timestamp);

        // One-shot: signalling again queues nothing more.
        ev.Signal(ZxSignals.UserAll, ZxSignals.User0);
        Assert.Equal(ZxStatus.ErrTimedOut, port.TryWait(ZxTime.InfinitePast, out _));
    }

    [Fact]
    public void WaitAsync_WithTimestamp_StampsThePacketWithTheTriggerTime()
    {
        using var port = Port.Create();
        using var ev = Event.Create();
        ev.RegisterWait(port, key: 1, ZxSignals.EventSignaled, WaitAsyncOptions.Timestamp);
        long before = ZxClock.Monotonic;

        ev.Signal(ZxSignals.None, ZxSignals.EventSignaled);

        ZxPortPacket packet = port.Wait(TestSupport.Deadline());
        Assert.InRange(packet.Signal.Timestamp, before, ZxClock.Monotonic);
    }

    [Fact]
    public async Task WaitAsync_SignalPacketWakesAnAsyncPortWaiter()
    {
        using var port = Port.Create();
        using var ev = Event.Create();
        ValueTask<ZxPortPacket> wait = port.WaitAsync();
        ev.RegisterWait(port, key: 12, ZxSignals.User7);

        ev.Signal(ZxSignals.None, ZxSignals.User7);

        ZxPortPacket packet = await wait.AsTask().Soon();
        Assert.Equal(12ul, packet.Key);
        Assert.Equal(ZxPacketType.SignalOne, packet.Type);
    }

    [Fact]
    public void PortCancel_RemovesTheRegistration_ThenReportsNothingLeft()
    {
        using var port = Port.Create();
        using var ev = Event.Create();
        ev.RegisterWait(port, key: 5, ZxSignals.User0);

        Assert.True(port.Cancel(ev, 5));
        Assert.False(port.Cancel(ev, 5));

        ev.Signal(ZxSignals.None, ZxSignals.User0);
        Assert.Equal(ZxStatus.ErrTimedOut, port.TryWait(ZxTime.InfinitePast, out _));
    }

    [Fact]
    public void PortCancel_RemovesAnAlreadyQueuedSignalPacket()
    {
        using var port = Port.Create();
        using var ev = Event.Create();
        ev.Signal(ZxSignals.None, ZxSignals.User0);
        ev.RegisterWait(port, key: 6, ZxSignals.User0); // fires at once

        Assert.True(port.Cancel(ev, 6));

        Assert.Equal(ZxStatus.ErrTimedOut, port.TryWait(ZxTime.InfinitePast, out _));
    }

    [Fact]
    public void WaitAsync_WithUnknownOptions_ThrowsInvalidArgs()
    {
        using var port = Port.Create();
        using var ev = Event.Create();
        var e = Assert.Throws<ZxException>(() => ev.RegisterWait(port, 1, ZxSignals.User0, (WaitAsyncOptions)0x80));
        Assert.Equal(ZxStatus.ErrInvalidArgs, e.Status);
    }
}
