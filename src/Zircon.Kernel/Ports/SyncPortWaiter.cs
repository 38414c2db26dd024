using Zircon.Kernel.Objects;
using Zircon.Linux.Libc;

namespace Zircon.Kernel.Ports;

/// <summary>
/// A thread blocked in <c>zx_port_wait</c>. One per thread, reused, so waiting does not allocate.
/// It sleeps on its monitor, or, when the port has physical interrupts bound, in <c>poll</c> on
/// their lines' eventfds and its own (<see cref="BlockPollingLines"/>), so that a raised line wakes
/// this thread and nothing else.
/// </summary>
internal sealed class SyncPortWaiter : PortWaiter
{
    [ThreadStatic]
    private static SyncPortWaiter? t_instance;

    private readonly int _ownerThread = Environment.CurrentManagedThreadId;
    private volatile bool _woken;
    private int _polling; // 1 while the owner may be asleep in poll: Wake must signal _wakeFd
    private int _signaled; // Wake wrote _wakeFd and nobody drained it yet
    private EventFd? _wakeFd;

    public static SyncPortWaiter ForCurrentThread()
    {
        SyncPortWaiter waiter = t_instance ??= new SyncPortWaiter();
        waiter._woken = false;
        return waiter;
    }

    internal override void Wake()
    {
        lock (this)
        {
            _woken = true;
            Monitor.Pulse(this);
        }
        // Pairs with the fence in BlockPollingLines: either the poller sees _woken before it
        // sleeps, or this sees _polling and wakes it. The owner waking itself (it took a line's
        // raise and the packet came straight back to it) needs no signal.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _polling) != 0 && Environment.CurrentManagedThreadId != _ownerThread)
        {
            Volatile.Write(ref _signaled, 1);
            _wakeFd!.Signal();
        }
    }

    /// <summary>
    /// As <see cref="Block"/>, sleeping in <c>poll</c> on the eventfds of <paramref name="lines"/>
    /// (physical interrupts bound to <paramref name="port"/>) and on this waiter's own eventfd. A
    /// readable line is taken here (<see cref="InterruptDispatcher.TakeLineRaise"/>), which queues
    /// its packet and, when this thread is the first waiter, hands it straight back: one wake-up
    /// from the raise to the return of <c>zx_port_wait</c>. The shared watcher thread leaves these
    /// lines alone meanwhile (disarmed), and takes them again afterwards, or, for a line whose
    /// packet went out, at its <c>zx_interrupt_ack</c> (<see cref="InterruptDispatcher.ParkOrRearmLine"/>).
    /// </summary>
    public bool BlockPollingLines(long deadline, InterruptDispatcher[] lines, PortDispatcher port)
    {
        _wakeFd ??= EventFd.Create();
        int count = lines.Length + 1;
        Span<int> fds = stackalloc int[count];
        Span<bool> readable = stackalloc bool[count];
        Span<ulong> watches = stackalloc ulong[lines.Length];
        fds[0] = _wakeFd.Descriptor.Fd;
        for (int i = 0; i < lines.Length; i++)
        {
            watches[i] = lines[i].DisarmLineForPolling();
            fds[i + 1] = watches[i] == 0 ? -1 : lines[i].Line!.EventFd.Descriptor.Fd;
        }
        Interlocked.Exchange(ref _polling, 1);
        try
        {
            while (!_woken)
            {
                int timeout = -1;
                if (deadline != ZxTime.Infinite)
                {
                    long now = MonotonicClock.Now();
                    if (deadline <= now)
                        return false;
                    timeout = (int)Math.Min((deadline - now + 999_999) / 1_000_000, int.MaxValue);
                }
                if (ReadinessPoll.WaitReadable(fds, readable, timeout) < 0)
                    return Block(deadline); // poll itself failed: fall back to the monitor
                if (readable[0])
                {
                    Volatile.Write(ref _signaled, 0);
                    _wakeFd.Drain();
                }
                for (int i = 0; i < lines.Length; i++)
                {
                    if (!readable[i + 1] || lines[i].TakeLineRaise(port))
                        continue;
                    // No longer this port's line: stop polling it and give it back to the watcher.
                    fds[i + 1] = -1;
                    lines[i].ParkOrRearmLine(port, watches[i]);
                    watches[i] = 0;
                }
            }
            return true;
        }
        finally
        {
            Volatile.Write(ref _polling, 0);
            for (int i = 0; i < lines.Length; i++)
            {
                if (watches[i] != 0)
                    lines[i].ParkOrRearmLine(port, watches[i]);
            }
            // A Wake that raced with leaving poll must not wake the next wait early; the read is
            // skipped when no Wake wrote (the common case: this thread took the raise itself).
            if (Interlocked.Exchange(ref _signaled, 0) != 0)
                _wakeFd.Drain();
        }
    }

    /// <summary>Blocks until woken or until the monotonic clock passes <paramref name="deadline"/>; returns whether it was woken.</summary>
    public bool Block(long deadline)
    {
        // A reply often comes within microseconds (ping-pong between two threads); spinning briefly
        // first saves the OS sleep and wake-up that Monitor.Wait costs (tens of µs on a busy VM).
        // As many spins as SemaphoreSlim makes before it sleeps (the later ones yield the CPU).
        const int SpinsBeforeSleeping = 35;
        SpinWait spin = default;
        while (spin.Count < SpinsBeforeSleeping)
        {
            if (_woken)
                return true;
            spin.SpinOnce(sleep1Threshold: -1);
        }
        lock (this)
        {
            while (!_woken)
            {
                if (deadline == ZxTime.Infinite)
                {
                    Monitor.Wait(this);
                    continue;
                }
                // Compare before subtracting: ZX_TIME_INFINITE_PAST minus now overflows.
                long now = MonotonicClock.Now();
                if (deadline <= now)
                    return false;
                long remaining = deadline - now;
                // Round up so the wait never ends before the deadline.
                long ms = (remaining + 999_999) / 1_000_000;
                Monitor.Wait(this, (int)Math.Min(ms, int.MaxValue));
            }
            return true;
        }
    }
}
