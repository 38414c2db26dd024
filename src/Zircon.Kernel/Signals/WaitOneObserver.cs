using Zircon.Kernel.Handles;
using Zircon.Linux.Libc;

namespace Zircon.Kernel.Signals;

/// <summary>A thread in <c>zx_object_wait_one</c>.</summary>
internal sealed class WaitOneObserver : SignalObserver
{
    private bool _done;
    private ZxStatus _status;
    private ZxSignals _observed;

    public WaitOneObserver(Handle handle, ZxSignals trigger)
        : base(handle, trigger)
    {
    }

    public override bool OnMatch(ZxSignals current)
    {
        Complete(ZxStatus.Ok, current);
        return true;
    }

    public override void OnHandleClosed(ZxSignals current) => Complete(ZxStatus.ErrCanceled, current | ZxSignals.HandleClosed);

    private void Complete(ZxStatus status, ZxSignals observed)
    {
        lock (this)
        {
            if (_done)
                return;
            _done = true;
            _status = status;
            _observed = observed;
            Monitor.Pulse(this);
        }
    }

    /// <summary>Blocks until a match, a close, or <paramref name="deadline"/>. Returns false on timeout.</summary>
    public bool Block(long deadline, out ZxStatus status, out ZxSignals observed)
    {
        lock (this)
        {
            while (!_done)
            {
                if (deadline == ZxTime.Infinite)
                {
                    Monitor.Wait(this);
                    continue;
                }
                // Compare before subtracting: ZX_TIME_INFINITE_PAST minus now overflows.
                long now = MonotonicClock.Now();
                if (deadline <= now)
                    break;
                long remaining = deadline - now;
                Monitor.Wait(this, (int)Math.Min((remaining + 999_999) / 1_000_000, int.MaxValue));
            }
            status = _status;
            observed = _observed;
            return _done;
        }
    }
}
