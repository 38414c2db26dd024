using Zircon.Kernel.Objects;
using Zircon.Kernel.Threading;

namespace Zircon.Kernel.Tests;

/// <summary>
/// Randomized race tests for the objects whose locking the hot-path work changed (issue 9): the
/// ShortLock itself, a port's queue under it, the interrupt state machine under it (with threads
/// parked in zx_interrupt_wait), and the signal state read without a lock. Each checks invariants
/// that a lost update, a lost wake-up or a torn read would break. Nothing here is timed.
/// </summary>
public class HotPathRaceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private sealed class Counter
    {
        public ShortLock Lock;
        public long Value;
        public int Inside;
    }

    [Fact]
    public void ShortLock_ExcludesEveryOtherThread_AndLosesNoUpdate()
    {
        var c = new Counter();
        const int Threads = 4, Rounds = 20_000;
        int overlaps = 0;
        var threads = Enumerable.Range(0, Threads).Select(seed => new Thread(() =>
        {
            var random = new Random(seed);
            for (int i = 0; i < Rounds; i++)
            {
                using (c.Lock.Hold())
                {
                    if (Interlocked.Increment(ref c.Inside) != 1)
                        Interlocked.Increment(ref overlaps);
                    long v = c.Value;
                    if (random.Next(64) == 0)
                        Thread.Yield(); // a holder that loses the CPU must still exclude the others
                    c.Value = v + 1;
                    Interlocked.Decrement(ref c.Inside);
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(Patience)));
        Assert.Equal(0, overlaps);
        Assert.Equal((long)Threads * Rounds, c.Value);
        Assert.False(c.Lock.IsHeld);
    }

    [Fact]
    public void Port_ManyProducersAndBlockedWaiters_EveryPacketArrivesExactlyOnce()
    {
        uint port = Zx.Port();
        const int Producers = 3, Consumers = 3, PerProducer = 3000;
        var seen = new int[Producers * PerProducer];
        var producers = Enumerable.Range(0, Producers).Select(p => new Thread(() =>
        {
            var random = new Random(p);
            for (int i = 0; i < PerProducer; i++)
            {
                ulong key = (ulong)(p * PerProducer + i);
                while (Syscalls.PortQueue(port, Zx.UserPacket(key)) == ZxStatus.ErrShouldWait)
                    Thread.Yield(); // the per-port user packet limit: retry
                if (random.Next(32) == 0)
                    Thread.Sleep(0);
            }
        })).ToList();
        int received = 0;
        var consumers = Enumerable.Range(0, Consumers).Select(_ => new Thread(() =>
        {
            while (true)
            {
                ZxStatus status = Syscalls.PortWait(port, ZxTime.Infinite, out ZxPortPacket packet);
                Assert.Equal(ZxStatus.Ok, status);
                if (packet.Key == ulong.MaxValue)
                    return;
                Interlocked.Increment(ref seen[(int)packet.Key]);
                Interlocked.Increment(ref received);
            }
        })).ToList();
        consumers.ForEach(t => t.Start());
        producers.ForEach(t => t.Start());
        producers.ForEach(t => Assert.True(t.Join(Patience)));
        for (int i = 0; i < Consumers; i++)
            Assert.Equal(ZxStatus.Ok, Syscalls.PortQueue(port, Zx.UserPacket(ulong.MaxValue)));
        consumers.ForEach(t => Assert.True(t.Join(Patience), "a consumer never got its stop packet (lost wake-up)"));
        Assert.Equal(Producers * PerProducer, received);
        Assert.All(seen, n => Assert.Equal(1, n));
        Assert.Equal(0, Syscalls.PortWait(port, Zx.Past, out _) == ZxStatus.Ok ? 1 : 0);
        Zx.Close(port);
    }

    [Fact]
    public void PortBoundInterrupt_TriggersFromManyThreads_NeverMoreCyclesThanTriggers_AndTheLastIsNeverLost()
    {
        uint port = Zx.Port(ZxPortOptions.BindToInterrupt);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptCreate(ZxHandleValues.Invalid, 0, ZxInterruptOptions.Virtual, out uint irq));
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, 7, ZxInterruptOptions.Bind));
        const int Triggerers = 3, PerThread = 2000;
        var triggerers = Enumerable.Range(0, Triggerers).Select(t => new Thread(() =>
        {
            var random = new Random(t);
            for (int i = 0; i < PerThread; i++)
            {
                Assert.Equal(ZxStatus.Ok, Syscalls.InterruptTrigger(irq, 0, i + 1));
                if (random.Next(16) == 0)
                    Thread.Yield();
            }
        })).ToList();
        int packets = 0;
        bool stop = false;
        var consumer = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                ZxStatus status = Syscalls.PortWait(port, ZxTime.Infinite, out ZxPortPacket packet);
                Assert.Equal(ZxStatus.Ok, status);
                if (packet.Type == ZxPacketType.User)
                    return; // the stop packet
                Assert.Equal(ZxPacketType.Interrupt, packet.Type);
                Assert.Equal(7ul, packet.Key);
                Assert.InRange(packet.Interrupt.Timestamp, 1, PerThread);
                packets++;
                Assert.Equal(ZxStatus.Ok, Syscalls.InterruptAck(irq));
            }
        });
        consumer.Start();
        triggerers.ForEach(t => t.Start());
        triggerers.ForEach(t => Assert.True(t.Join(Patience)));
        // Whatever the interleaving, a trigger after the triggerers stopped must come out: the
        // interrupt is either idle (packet now) or awaiting an ack (packet at the consumer's ack).
        int before;
        do
        {
            before = Volatile.Read(ref packets);
            Thread.Sleep(20);
        }
        while (Volatile.Read(ref packets) != before);
        int settled = Volatile.Read(ref packets);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptTrigger(irq, 0, 1));
        SpinWait.SpinUntil(() => Volatile.Read(ref packets) > settled, Patience);
        Assert.True(Volatile.Read(ref packets) > settled, "the last trigger was lost");
        Volatile.Write(ref stop, true);
        Assert.Equal(ZxStatus.Ok, Syscalls.PortQueue(port, Zx.UserPacket(1)));
        Assert.True(consumer.Join(Patience));
        Assert.InRange(packets, 1, Triggerers * PerThread + 1);
        Zx.Close(irq, port);
    }

    [Fact]
    public void InterruptWait_ParkedWaiter_WakesForEveryTriggerItCanSee_AndDestroyEndsItWithCanceled()
    {
        for (int round = 0; round < 20; round++)
        {
            Assert.Equal(ZxStatus.Ok, Syscalls.InterruptCreate(ZxHandleValues.Invalid, 0, ZxInterruptOptions.Virtual, out uint irq));
            int waits = 0;
            ZxStatus last = ZxStatus.Ok;
            var waiter = new Thread(() =>
            {
                while (true)
                {
                    ZxStatus status = Syscalls.InterruptWait(irq, out _);
                    if (status != ZxStatus.Ok)
                    {
                        last = status;
                        return;
                    }
                    Interlocked.Increment(ref waits);
                }
            });
            waiter.Start();
            var random = new Random(round);
            const int Triggers = 300;
            for (int i = 0; i < Triggers; i++)
            {
                Assert.Equal(ZxStatus.Ok, Syscalls.InterruptTrigger(irq, 0, i + 1));
                if (random.Next(4) == 0)
                    Thread.Yield();
            }
            // Coalesced triggers may merge, but never multiply, and a trigger after the waiter
            // parked again is always seen.
            SpinWait.SpinUntil(() => InterruptOf(irq).IsWaiting, Patience);
            int settled = Volatile.Read(ref waits);
            Assert.Equal(ZxStatus.Ok, Syscalls.InterruptTrigger(irq, 0, 1));
            SpinWait.SpinUntil(() => Volatile.Read(ref waits) > settled, Patience);
            Assert.True(Volatile.Read(ref waits) > settled, "a trigger after the waiter parked was lost");
            SpinWait.SpinUntil(() => InterruptOf(irq).IsWaiting, Patience);
            Assert.Equal(ZxStatus.Ok, Syscalls.InterruptDestroy(irq));
            Assert.True(waiter.Join(Patience), "destroy did not wake the parked waiter");
            Assert.Equal(ZxStatus.ErrCanceled, last);
            Assert.InRange(waits, 1, Triggers + 1);
            Zx.Close(irq);
        }
    }

    // Found by ./stress.sh: a waiter woken by a trigger that a second waiter took first (and which
    // then waited again) reset the second waiter's Waiting state and overwrote its parker, so the
    // second waiter slept through every later trigger and the destroy.
    [Fact]
    public void InterruptWait_TwoWaiters_NeitherIsStranded_AndDestroyEndsBoth()
    {
        for (int round = 0; round < 50; round++)
        {
            InterruptDispatcher interrupt = InterruptDispatcher.CreateVirtual();
            var statuses = new System.Collections.Concurrent.ConcurrentBag<ZxStatus>();
            var waiters = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
            {
                while (true)
                {
                    ZxStatus status = interrupt.Wait(out long _);
                    statuses.Add(status);
                    if (status == ZxStatus.ErrCanceled)
                        return;
                    if (status == ZxStatus.ErrBadState)
                        Thread.Sleep(1); // the other thread waits: let it, rather than spin on its lock
                }
            })).ToArray();
            foreach (Thread t in waiters)
            {
                t.IsBackground = true; // a stranded waiter must not keep the test host alive
                t.Start();
            }
            var random = new Random(round);
            for (int i = 0, n = random.Next(1, 200); i < n; i++)
            {
                interrupt.Trigger(i + 1);
                if (random.Next(4) == 0)
                    Thread.Yield();
            }
            Assert.Equal(ZxStatus.Ok, interrupt.Destroy());
            foreach (Thread t in waiters)
                Assert.True(t.Join(Patience), $"round {round}: a waiter never came back after destroy");
            Assert.All(statuses, s => Assert.Contains(s, new[] { ZxStatus.Ok, ZxStatus.ErrBadState, ZxStatus.ErrCanceled }));
        }
    }

    [Fact]
    public void Signals_ReadWithoutTheLock_NeverShowATornOrHalfDoneChange()
    {
        Assert.Equal(ZxStatus.Ok, Syscalls.EventCreate(0, out uint ev));
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectSignal(ev, 0, ZxSignals.User0));
        bool stop = false;
        int bad = 0;
        // Exactly one of USER_0 and USER_1 is asserted at every moment: each change clears one and
        // sets the other in one update (or re-asserts the one already set, the lock-free no-op).
        var togglers = Enumerable.Range(0, 2).Select(t => new Thread(() =>
        {
            var random = new Random(t);
            while (!Volatile.Read(ref stop))
            {
                bool toOne = random.Next(2) == 0;
                Syscalls.ObjectSignal(ev, toOne ? ZxSignals.User0 : ZxSignals.User1, toOne ? ZxSignals.User1 : ZxSignals.User0);
            }
        })).ToList();
        var readers = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < 200_000; i++)
            {
                Assert.Equal(ZxStatus.Ok, Syscalls.ObjectWaitOne(ev, ZxSignals.User0 | ZxSignals.User1, Zx.Past, out ZxSignals observed));
                ZxSignals user = observed & (ZxSignals.User0 | ZxSignals.User1);
                if (user != ZxSignals.User0 && user != ZxSignals.User1)
                    Interlocked.Increment(ref bad);
            }
        })).ToList();
        togglers.ForEach(t => t.Start());
        readers.ForEach(t => t.Start());
        readers.ForEach(t => Assert.True(t.Join(Patience)));
        Volatile.Write(ref stop, true);
        togglers.ForEach(t => Assert.True(t.Join(Patience)));
        Assert.Equal(0, bad);
        Zx.Close(ev);
    }

    private static InterruptDispatcher InterruptOf(uint handle)
    {
        Assert.Equal(ZxStatus.Ok, KernelContext.Handles.Get(handle, ZxRights.None, out InterruptDispatcher dispatcher));
        return dispatcher;
    }
}
