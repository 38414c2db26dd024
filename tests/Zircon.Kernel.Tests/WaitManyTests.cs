namespace Zircon.Kernel.Tests;

/// <summary>
/// <c>zx_object_wait_many</c> in the kernel (the C ABI tests in tests/c/wait_many.c cover the
/// export): the first satisfied item wins, pending is reported for all, closes cancel, and a
/// randomized race of signals and closes on several threads keeps the invariants.
/// </summary>
public class WaitManyTests
{
    private static ZxWaitItem Item(uint handle, ZxSignals waitFor) => new() { Handle = handle, WaitFor = waitFor };

    [Fact]
    public void WaitMany_ReturnsWhenAnyItemIsSignaled_AndReportsEveryItem()
    {
        uint a = Zx.Event(), b = Zx.Event();
        ZxWaitItem[] items = [Item(a, ZxSignals.User0), Item(b, ZxSignals.User1)];
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectSignal(a, 0, ZxSignals.User3));
        var signaler = new Thread(() => { Thread.Sleep(20); Syscalls.ObjectSignal(b, 0, ZxSignals.User1); });
        signaler.Start();
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectWaitMany(items, Syscalls.DeadlineAfter(10_000_000_000)));
        signaler.Join();
        Assert.Equal(ZxSignals.User3, items[0].Pending);
        Assert.Equal(ZxSignals.User1, items[1].Pending);
        Assert.Equal(0, Observers(a) + Observers(b));
        Zx.Close(a, b);
    }

    [Fact]
    public void WaitMany_Limits_AndChecksInOrder()
    {
        uint ev = Zx.Event();
        var many = new ZxWaitItem[ZxWaitMany.MaxItems + 1];
        Array.Fill(many, Item(ev, ZxSignals.User0));
        Assert.Equal(ZxStatus.ErrOutOfRange, Syscalls.ObjectWaitMany(many, Zx.Past));
        Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.ObjectWaitMany(many.AsSpan(0, ZxWaitMany.MaxItems), Zx.Past));
        ZxWaitItem[] items = [Item(ev, ZxSignals.User0), Item(Zx.ClosedHandle(), ZxSignals.User0)];
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.ObjectWaitMany(items, Zx.Past));
        uint port = Zx.Port();
        items[1].Handle = port;
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.ObjectWaitMany(items, Zx.Past));
        Assert.Equal(0, Observers(ev));
        Zx.Close(ev, port);
    }

    /// <summary>
    /// Rounds of: a thread waits on several events; other threads signal one of them and close
    /// another at random moments. Invariants: the wait always returns (a close between the handle
    /// lookup and the registration is not lost); the result is OK (some pending matches its
    /// waitfor), CANCELED (the closed item's pending has HANDLE_CLOSED) or BAD_HANDLE (the close
    /// came before the call looked the handle up); no observer is left behind.
    /// </summary>
    [Fact]
    public void WaitMany_SignalRacingClose_EndsOnceWithConsistentPending()
    {
        var random = new Random(17);
        for (int round = 0; round < 500; round++)
        {
            uint[] events = [Zx.Event(), Zx.Event(), Zx.Event(), Zx.Event()];
            ZxWaitItem[] items = events.Select(e => Item(e, ZxSignals.EventSignaled)).ToArray();
            int signaled = random.Next(events.Length), closed = random.Next(events.Length);
            int spinA = random.Next(300), spinB = random.Next(300);
            using var start = new Barrier(3);
            ZxStatus status = ZxStatus.ErrInternal;
            var waiter = new Thread(() => { start.SignalAndWait(); status = Syscalls.ObjectWaitMany(items, ZxTime.Infinite); });
            var signaler = new Thread(() => { start.SignalAndWait(); Thread.SpinWait(spinA); Syscalls.ObjectSignal(events[signaled], 0, ZxSignals.EventSignaled); });
            waiter.Start();
            signaler.Start();
            start.SignalAndWait();
            Thread.SpinWait(spinB);
            Assert.Equal(ZxStatus.Ok, Syscalls.HandleClose(events[closed]));
            Assert.True(waiter.Join(TimeSpan.FromSeconds(10)), $"round {round}: wait_many did not return");
            signaler.Join();
            if (status == ZxStatus.Ok)
                Assert.Contains(items, i => (i.Pending & ZxSignals.EventSignaled) != 0);
            else if (status != ZxStatus.ErrBadHandle)
            {
                Assert.Equal(ZxStatus.ErrCanceled, status);
                Assert.True((items[closed].Pending & ZxSignals.HandleClosed) != 0, $"round {round}: no HANDLE_CLOSED on the closed item");
            }
            for (int i = 0; i < events.Length; i++)
            {
                if (i != closed)
                {
                    Assert.Equal(0, Observers(events[i]));
                    Syscalls.HandleClose(events[i]);
                }
            }
        }
    }

    /// <summary>
    /// Regression: a close that lands between zx_object_wait_one's handle lookup and its
    /// registration used to be missed, and the wait slept until its deadline. Invariant: with the
    /// handle closed at a random moment, wait_one returns CANCELED or BAD_HANDLE at once.
    /// </summary>
    [Fact]
    public void WaitOne_CloseRacingTheStartOfTheWait_IsNeverLost()
    {
        var random = new Random(23);
        for (int round = 0; round < 2000; round++)
        {
            uint ev = Zx.Event();
            int spin = random.Next(400);
            using var start = new Barrier(2);
            ZxStatus status = ZxStatus.ErrInternal;
            var waiter = new Thread(() => { start.SignalAndWait(); status = Syscalls.ObjectWaitOne(ev, ZxSignals.User0, Syscalls.DeadlineAfter(30_000_000_000), out _); });
            waiter.Start();
            start.SignalAndWait();
            Thread.SpinWait(spin);
            Syscalls.HandleClose(ev);
            Assert.True(waiter.Join(TimeSpan.FromSeconds(10)), $"round {round}: wait_one missed the close");
            Assert.True(status is ZxStatus.ErrCanceled or ZxStatus.ErrBadHandle, $"round {round}: {status}");
        }
    }

    private static int Observers(uint handle) => Zx.Object<Dispatcher>(handle).ObserverCount;
}
