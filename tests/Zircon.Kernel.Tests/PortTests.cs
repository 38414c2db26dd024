namespace Zircon.Kernel.Tests;

public class PortTests
{
    [Fact]
    public void Create_BadOptions_IsInvalidArgs() => Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.PortCreate(2, out _));

    [Fact]
    public void Queue_ThenWait_ReturnsThePacket_WithTypeForcedToUser()
    {
        uint port = Zx.Port();
        var packet = Zx.UserPacket(42, fill: 0xAB);
        packet.Type = ZxPacketType.Interrupt;
        packet.Status = (ZxStatus)(-3);
        Assert.Equal(ZxStatus.Ok, Syscalls.PortQueue(port, packet));
        Assert.Equal(ZxStatus.Ok, Syscalls.PortWait(port, ZxTime.Infinite, out ZxPortPacket got));
        Assert.Equal(42ul, got.Key);
        Assert.Equal(ZxPacketType.User, got.Type);
        Assert.Equal((ZxStatus)(-3), got.Status);
        Assert.Equal(0xAB, got.User[31]);
        Zx.Close(port);
    }

    [Fact]
    public void Wait_IsFifo()
    {
        uint port = Zx.Port();
        for (ulong k = 1; k <= 5; k++)
            Assert.Equal(ZxStatus.Ok, Syscalls.PortQueue(port, Zx.UserPacket(k)));
        for (ulong k = 1; k <= 5; k++)
        {
            Assert.Equal(ZxStatus.Ok, Syscalls.PortWait(port, Zx.Past, out ZxPortPacket got));
            Assert.Equal(k, got.Key);
        }
        Zx.Close(port);
    }

    [Fact]
    public void Wait_PastDeadline_OnEmptyPort_TimesOutAtOnce()
    {
        uint port = Zx.Port();
        Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.PortWait(port, ZxTime.InfinitePast, out _));
        Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.PortWait(port, Syscalls.ClockGetMonotonic() - 1, out _));
        Zx.Close(port);
    }

    [Fact]
    public void Wait_FutureDeadline_TimesOutNoEarlierThanTheDeadline()
    {
        uint port = Zx.Port();
        long deadline = Syscalls.DeadlineAfter(15_000_000);
        Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.PortWait(port, deadline, out _));
        Assert.True(Syscalls.ClockGetMonotonic() >= deadline);
        Zx.Close(port);
    }

    [Fact]
    public void Wait_Infinite_IsWokenByAQueueFromAnotherThread()
    {
        uint port = Zx.Port();
        var waiter = Task.Run(() => (Syscalls.PortWait(port, ZxTime.Infinite, out ZxPortPacket p), p.Key));
        Thread.Sleep(20);
        Assert.Equal(ZxStatus.Ok, Syscalls.PortQueue(port, Zx.UserPacket(7)));
        Assert.Equal((ZxStatus.Ok, 7ul), waiter.Result);
        Zx.Close(port);
    }

    [Fact]
    public void Queue_PastTheUserPacketLimit_IsShouldWait_UntilOneIsRead()
    {
        uint port = Zx.Port();
        int queued = 0;
        ZxStatus status;
        while ((status = Syscalls.PortQueue(port, Zx.UserPacket((ulong)queued))) == ZxStatus.Ok)
            queued++;
        Assert.Equal(ZxStatus.ErrShouldWait, status);
        // Zircon checks 'count > 2048' before inserting, so 2049 packets fit.
        Assert.Equal(2049, queued);
        Assert.Equal(ZxStatus.Ok, Syscalls.PortWait(port, Zx.Past, out _));
        Assert.Equal(ZxStatus.Ok, Syscalls.PortQueue(port, Zx.UserPacket(9999)));
        Zx.Close(port);
    }

    [Fact]
    public void SignalPackets_DoNotCountAgainstTheUserLimit()
    {
        uint port = Zx.Port();
        while (Syscalls.PortQueue(port, Zx.UserPacket(0)) == ZxStatus.Ok)
        {
        }
        uint ev = Zx.Event();
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectWaitAsync(ev, port, 77, ZxSignals.User0, 0));
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectSignal(ev, 0, ZxSignals.User0));
        int signals = 0;
        while (Syscalls.PortWait(port, Zx.Past, out ZxPortPacket p) == ZxStatus.Ok)
        {
            if (p.Type == ZxPacketType.SignalOne)
                signals++;
        }
        Assert.Equal(1, signals);
        Zx.Close(port, ev);
    }

    [Fact]
    public void Queue_NeedsWrite_Wait_NeedsRead()
    {
        uint port = Zx.Port();
        uint readOnly = Zx.Duplicate(port, ZxRights.Read);
        uint writeOnly = Zx.Duplicate(port, ZxRights.Write);
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.PortQueue(readOnly, Zx.UserPacket(1)));
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.PortWait(writeOnly, Zx.Past, out _));
        Zx.Close(port, readOnly, writeOnly);
    }

    [Fact]
    public void Wait_WrongType_And_BadHandle()
    {
        uint ev = Zx.Event();
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.PortWait(ev, Zx.Past, out _));
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.PortWait(Zx.ClosedHandle(), Zx.Past, out _));
        Zx.Close(ev);
    }

    [Fact]
    public void ManyWaiters_EachGetADistinctPacket()
    {
        uint port = Zx.Port();
        const int Threads = 8, PerThread = 500;
        var received = new System.Collections.Concurrent.ConcurrentBag<ulong>();
        var threads = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                Assert.Equal(ZxStatus.Ok, Syscalls.PortWait(port, ZxTime.Infinite, out ZxPortPacket p));
                received.Add(p.Key);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        for (ulong k = 0; k < Threads * PerThread; k++)
        {
            while (Syscalls.PortQueue(port, Zx.UserPacket(k)) == ZxStatus.ErrShouldWait)
                Thread.Yield();
        }
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(30))));
        Assert.Equal(Threads * PerThread, received.Count);
        Assert.Equal(Threads * PerThread, received.Distinct().Count());
        Zx.Close(port);
    }

    [Fact]
    public void ClosingTheLastHandle_DropsQueuedPackets_AndWakesWaitersWithCanceled()
    {
        uint port = Zx.Port();
        uint dup = Zx.Duplicate(port, ZxRights.SameRights);
        var dispatcher = Zx.Object<Ports.PortDispatcher>(port);
        var waiter = Task.Run(() => Syscalls.PortWait(dup, ZxTime.Infinite, out _));
        Zx.WaitUntil(() => dispatcher.WaiterCount == 1);
        Zx.Close(port);
        Assert.False(waiter.Wait(50)); // one handle left: still waiting
        Zx.Close(dup);
        Assert.Equal(ZxStatus.ErrCanceled, waiter.Result);
    }

    [Fact]
    public void ClosingTheLastHandle_RemovesRegistrations()
    {
        uint port = Zx.Port();
        uint ev = Zx.Event();
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectWaitAsync(ev, port, 1, ZxSignals.User0, 0));
        Zx.Close(port);
        // Signalling after the port is gone must not fail or resurrect anything.
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectSignal(ev, 0, ZxSignals.User0));
        Zx.Close(ev);
    }

    [Fact]
    public async Task WaitAsync_CompletesSynchronously_WhenAPacketIsQueued()
    {
        uint port = Zx.Port();
        Assert.Equal(ZxStatus.Ok, Syscalls.PortQueue(port, Zx.UserPacket(5)));
        ValueTask<ZxPortPacket> task = Syscalls.PortWaitAsync(port, CancellationToken.None);
        Assert.True(task.IsCompletedSuccessfully);
        Assert.Equal(5ul, (await task).Key);
        Zx.Close(port);
    }

    [Fact]
    public async Task WaitAsync_CompletesWhenAPacketArrivesLater()
    {
        uint port = Zx.Port();
        ValueTask<ZxPortPacket> task = Syscalls.PortWaitAsync(port, CancellationToken.None);
        Assert.False(task.IsCompleted);
        Assert.Equal(ZxStatus.Ok, Syscalls.PortQueue(port, Zx.UserPacket(6)));
        Assert.Equal(6ul, (await task).Key);
        Zx.Close(port);
    }

    [Fact]
    public async Task WaitAsync_Cancellation_EndsTheWait_AndThePacketGoesToTheNextWaiter()
    {
        uint port = Zx.Port();
        using var cts = new CancellationTokenSource();
        ValueTask<ZxPortPacket> task = Syscalls.PortWaitAsync(port, cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await task);
        Assert.Equal(ZxStatus.Ok, Syscalls.PortQueue(port, Zx.UserPacket(8)));
        Assert.Equal(ZxStatus.Ok, Syscalls.PortWait(port, Zx.Past, out ZxPortPacket p));
        Assert.Equal(8ul, p.Key);
        Zx.Close(port);
    }

    [Fact]
    public async Task WaitAsync_BadHandle_FaultsWithZxException()
    {
        var ex = await Assert.ThrowsAsync<ZxException>(async () => await Syscalls.PortWaitAsync(Zx.ClosedHandle(), CancellationToken.None));
        Assert.Equal(ZxStatus.ErrBadHandle, ex.Status);
    }

    [Fact]
    public void WaitAsync_DoesNotAllocatePerPacket()
    {
        uint port = Zx.Port();
        var packet = Zx.UserPacket(1);
        // Warm up pools and JIT.
        for (int i = 0; i < 100; i++)
            RoundTripAsync(port, packet).GetAwaiter().GetResult();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
            RoundTripAsync(port, packet).GetAwaiter().GetResult();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Zx.Close(port);
    }

    private static ValueTask<ZxPortPacket> RoundTripAsync(uint port, in ZxPortPacket packet)
    {
        Syscalls.PortQueue(port, packet);
        return Syscalls.PortWaitAsync(port, CancellationToken.None);
    }

    [Fact]
    public void PortWait_SyncPath_DoesNotAllocate()
    {
        uint port = Zx.Port();
        var packet = Zx.UserPacket(1);
        for (int i = 0; i < 100; i++)
        {
            Syscalls.PortQueue(port, packet);
            Syscalls.PortWait(port, ZxTime.Infinite, out _);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            Syscalls.PortQueue(port, packet);
            Syscalls.PortWait(port, ZxTime.Infinite, out _);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Zx.Close(port);
    }
}
