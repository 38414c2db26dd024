namespace Zircon.Tests;

/// <summary>
/// The awaitable waits: <see cref="Interrupt.WaitAsync"/> (zx_interrupt_wait) and
/// <see cref="WaitableObject{TSelf}.WaitOneAsync"/> (zx_object_wait_one), with cancellation,
/// deadlines, destroy/close, and randomized races between firing and cancellation.
/// </summary>
public class AwaitableWaitTests
{
    [Fact]
    public async Task InterruptWaitAsync_CompletesWithTheTriggerTimestamp_WithoutBlockingAThread()
    {
        using Interrupt irq = Interrupt.CreateVirtual();
        ValueTask<long> wait = irq.WaitAsync();
        Assert.False(wait.IsCompleted);
        irq.Trigger(1234);
        Assert.Equal(1234, await wait.AsTask().Soon());
    }

    [Fact]
    public async Task InterruptWaitAsync_AfterAFiring_CompletesSynchronously()
    {
        using Interrupt irq = Interrupt.CreateVirtual();
        irq.Trigger(77);
        ValueTask<long> wait = irq.WaitAsync();
        Assert.True(wait.IsCompletedSuccessfully);
        Assert.Equal(77, await wait);
    }

    [Fact]
    public async Task InterruptWaitAsync_InALoop_SeesEveryFiringInOrder()
    {
        using Interrupt irq = Interrupt.CreateVirtual();
        for (long i = 1; i <= 200; i++)
        {
            ValueTask<long> wait = irq.WaitAsync();
            irq.Trigger(i);
            Assert.Equal(i, await wait);
        }
    }

    [Fact]
    public async Task InterruptWaitAsync_Cancellation_ThrowsAndLeavesTheInterruptIdleForTheNextWait()
    {
        using Interrupt irq = Interrupt.CreateVirtual();
        using var cts = new CancellationTokenSource();
        ValueTask<long> wait = irq.WaitAsync(cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.AsTask().Soon());
        // The wait was withdrawn: a new one may start, and a firing now is delivered to it.
        ValueTask<long> next = irq.WaitAsync();
        irq.Trigger(5);
        Assert.Equal(5, await next.AsTask().Soon());
    }

    [Fact]
    public async Task InterruptWaitAsync_AlreadyCanceledToken_DoesNotEnterTheWait()
    {
        using Interrupt irq = Interrupt.CreateVirtual();
        irq.Trigger(9);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => irq.WaitAsync(new CancellationToken(true)).AsTask());
        // The firing is still there.
        Assert.Equal(9, irq.Wait());
    }

    [Fact]
    public async Task InterruptWaitAsync_DestroyOrSecondWaiterOrBound_FailAsZircon()
    {
        using Interrupt irq = Interrupt.CreateVirtual();
        ValueTask<long> wait = irq.WaitAsync();
        // One wait at a time, async or blocking.
        var second = await Assert.ThrowsAsync<ZxException>(() => irq.WaitAsync().AsTask());
        Assert.Equal(ZxStatus.ErrBadState, second.Status);
        Assert.Equal(ZxStatus.ErrBadState, irq.TryWait(out _));
        // Binding while a wait is pending is BAD_STATE too.
        using (Port port = Port.Create(PortOptions.BindToInterrupt))
            Assert.Equal(ZxStatus.ErrBadState, Assert.Throws<ZxException>(() => irq.Bind(port, 1)).Status);
        irq.Destroy();
        var destroyed = await Assert.ThrowsAsync<ZxException>(() => wait.AsTask().Soon());
        Assert.Equal(ZxStatus.ErrCanceled, destroyed.Status);
        var after = await Assert.ThrowsAsync<ZxException>(() => irq.WaitAsync().AsTask());
        Assert.Equal(ZxStatus.ErrCanceled, after.Status);
    }

    [Fact]
    public async Task InterruptWaitAsync_OnABoundInterrupt_IsBadState()
    {
        using Interrupt irq = Interrupt.CreateVirtual();
        using Port port = Port.Create(PortOptions.BindToInterrupt);
        irq.Bind(port, 1);
        var e = await Assert.ThrowsAsync<ZxException>(() => irq.WaitAsync().AsTask());
        Assert.Equal(ZxStatus.ErrBadState, e.Status);
    }

    /// <summary>
    /// Many rounds of a trigger and a cancellation racing on thread-pool threads. Invariants: each
    /// wait ends exactly once, either with the round's timestamp or canceled; a firing is never
    /// lost (if the wait was canceled, the next wait gets it); the interrupt never stays in a
    /// waiting state (the next wait is accepted).
    /// </summary>
    [Fact]
    public async Task InterruptWaitAsync_TriggerRacingCancel_NeverLosesOrDuplicatesAFiring()
    {
        using Interrupt irq = Interrupt.CreateVirtual();
        var random = new Random(11);
        int delivered = 0, canceled = 0;
        for (long round = 1; round <= 2000; round++)
        {
            using var cts = new CancellationTokenSource();
            ValueTask<long> wait = irq.WaitAsync(cts.Token);
            using var start = new Barrier(2);
            int spinA = random.Next(200), spinB = random.Next(200);
            long timestamp = round;
            Task trigger = Task.Run(() => { start.SignalAndWait(); Thread.SpinWait(spinA); irq.Trigger(timestamp); });
            Task cancel = Task.Run(() => { start.SignalAndWait(); Thread.SpinWait(spinB); cts.Cancel(); });
            try
            {
                Assert.Equal(round, await wait.AsTask().Soon());
                delivered++;
            }
            catch (OperationCanceledException)
            {
                canceled++;
                await trigger.Soon();
                // The firing was not lost: the next wait takes it at once.
                ValueTask<long> retry = irq.WaitAsync();
                Assert.True(retry.IsCompletedSuccessfully, $"round {round}: the canceled wait lost the firing");
                Assert.Equal(round, await retry);
            }
            await Task.WhenAll(trigger, cancel).Soon();
        }
        Assert.Equal(2000, delivered + canceled);
    }

    /// <summary>
    /// A pending wait then a firing, in a loop: the pooled waiter is reused, so a wait that had to
    /// be parked (not the synchronous fast path) allocates nothing either.
    /// </summary>
    [Fact]
    public void InterruptWaitAsync_PendingWaitsInALoop_AllocateNothingPerWait()
    {
        using Interrupt irq = Interrupt.CreateVirtual();
        for (int i = 1; i <= 200; i++)
            WaitThenTrigger(irq, i);

        const int rounds = 10_000;
        int notPending = 0;
        long sum = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1; i <= rounds; i++)
        {
            ValueTask<long> wait = irq.WaitAsync();
            if (wait.IsCompleted)
                notPending++;
            irq.Trigger(i);
#pragma warning disable xUnit1031 // completed by the trigger above; awaiting would add state-machine noise
            sum += wait.GetAwaiter().GetResult();
#pragma warning restore xUnit1031
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, notPending);
        Assert.Equal((long)rounds * (rounds + 1) / 2, sum);
        Assert.Equal(0, allocated);
    }

    private static void WaitThenTrigger(Interrupt irq, long timestamp)
    {
        ValueTask<long> wait = irq.WaitAsync();
        irq.Trigger(timestamp);
        wait.GetAwaiter().GetResult();
    }

    [Fact]
    public async Task EventWaitOneAsync_CompletesWithTheSignalState()
    {
        using Event ev = Event.Create();
        ValueTask<ZxSignals> wait = ev.WaitOneAsync(ZxSignals.User1);
        Assert.False(wait.IsCompleted);
        ev.Signal(ZxSignals.None, ZxSignals.User0); // not awaited
        Assert.False(wait.IsCompleted);
        ev.Signal(ZxSignals.None, ZxSignals.User1);
        Assert.Equal(ZxSignals.User0 | ZxSignals.User1, await wait.AsTask().Soon());
        // Already asserted: synchronous.
        ValueTask<ZxSignals> now = ev.WaitOneAsync(ZxSignals.User0);
        Assert.True(now.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task EventWaitOneAsync_Deadline_TimesOutWithZirconsStatus()
    {
        using Event ev = Event.Create();
        long start = ZxClock.Monotonic;
        var e = await Assert.ThrowsAsync<ZxException>(() => ev.WaitOneAsync(ZxSignals.EventSignaled, ZxClock.DeadlineAfter(TimeSpan.FromMilliseconds(30))).AsTask().Soon());
        Assert.Equal(ZxStatus.ErrTimedOut, e.Status);
        Assert.True(ZxClock.Monotonic - start >= 30_000_000);
        // A past deadline polls.
        e = await Assert.ThrowsAsync<ZxException>(() => ev.WaitOneAsync(ZxSignals.EventSignaled, ZxTime.InfinitePast).AsTask());
        Assert.Equal(ZxStatus.ErrTimedOut, e.Status);
        Assert.Equal(0, ev.ObserverCountForTests());
    }

    [Fact]
    public async Task EventWaitOneAsync_CancellationAndClose()
    {
        using Event ev = Event.Create();
        using var cts = new CancellationTokenSource();
        ValueTask<ZxSignals> wait = ev.WaitOneAsync(ZxSignals.EventSignaled, cancellationToken: cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.AsTask().Soon());
        Assert.Equal(0, ev.ObserverCountForTests());

        // Closing the handle the wait was made through cancels it (CANCELED), as zx_object_wait_one.
        Event dup = ev.Duplicate(ZxRights.SameRights);
        ValueTask<ZxSignals> onDup = dup.WaitOneAsync(ZxSignals.EventSignaled);
        dup.Dispose();
        var e = await Assert.ThrowsAsync<ZxException>(() => onDup.AsTask().Soon());
        Assert.Equal(ZxStatus.ErrCanceled, e.Status);
    }

    [Fact]
    public async Task EventWaitOneAsync_NeedsTheWaitRight()
    {
        using Event ev = Event.Create();
        using Event noWait = ev.Duplicate(ZxRights.Duplicate | ZxRights.Signal);
        var e = await Assert.ThrowsAsync<ZxException>(() => noWait.WaitOneAsync(ZxSignals.EventSignaled).AsTask());
        Assert.Equal(ZxStatus.ErrAccessDenied, e.Status);
    }

    /// <summary>
    /// Many rounds of signal, cancel and deadline racing. Invariants: every wait ends exactly once,
    /// with the signal state (which then includes the awaited bit), canceled or timed out; no
    /// observer is left registered on the event afterwards.
    /// </summary>
    [Fact]
    public async Task EventWaitOneAsync_SignalRacingCancelAndDeadline_EndsOnceAndLeavesNoObserver()
    {
        using Event ev = Event.Create();
        var random = new Random(5);
        int ok = 0, canceled = 0, timedOut = 0;
        for (int round = 0; round < 2000; round++)
        {
            ev.Signal(ZxSignals.EventSignaled, ZxSignals.None);
            using var cts = new CancellationTokenSource();
            long deadline = random.Next(3) == 0 ? ZxClock.DeadlineAfter(TimeSpan.FromTicks(random.Next(2000))) : ZxTime.Infinite;
            ValueTask<ZxSignals> wait = ev.WaitOneAsync(ZxSignals.EventSignaled, deadline, cts.Token);
            using var start = new Barrier(2);
            int spinA = random.Next(200), spinB = random.Next(200);
            Task signal = Task.Run(() => { start.SignalAndWait(); Thread.SpinWait(spinA); ev.Signal(ZxSignals.None, ZxSignals.EventSignaled); });
            Task cancel = Task.Run(() => { start.SignalAndWait(); Thread.SpinWait(spinB); cts.Cancel(); });
            try
            {
                ZxSignals observed = await wait.AsTask().Soon();
                Assert.True((observed & ZxSignals.EventSignaled) != 0);
                ok++;
            }
            catch (OperationCanceledException)
            {
                canceled++;
            }
            catch (ZxException e) when (e.Status == ZxStatus.ErrTimedOut)
            {
                timedOut++;
            }
            await Task.WhenAll(signal, cancel).Soon();
            Assert.Equal(0, ev.ObserverCountForTests());
        }
        Assert.Equal(2000, ok + canceled + timedOut);
    }
}
