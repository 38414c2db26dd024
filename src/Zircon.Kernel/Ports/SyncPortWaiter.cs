using Zircon.Linux.Libc;

namespace Zircon.Kernel.Ports;

/// <summary>A thread blocked in <c>zx_port_wait</c>. One per thread, reused, so waiting does not allocate.</summary>
internal sealed class SyncPortWaiter : PortWaiter
{
    [ThreadStatic]
    private static SyncPortWaiter? t_instance;

    private volatile bool _woken;

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
