using Zircon.Kernel.Handles;

namespace Zircon.Kernel.Signals;

/// <summary>
/// One item of a <c>zx_object_wait_many</c>: it reports to the <see cref="WaitManyGate"/>
/// the whole call blocks on, so the first match or close among the items wakes the thread.
/// </summary>
internal sealed class WaitManyObserver : SignalObserver
{
    private readonly WaitManyGate _gate;

    public WaitManyObserver(Handle handle, ZxSignals trigger, WaitManyGate gate)
        : base(handle, trigger)
    {
        _gate = gate;
    }

    /// <summary>Set when this item's handle was closed during the wait.</summary>
    public bool Closed { get; private set; }

    public override bool OnMatch(ZxSignals current)
    {
        _gate.Complete(canceled: false);
        return true;
    }

    public override void OnHandleClosed(ZxSignals current)
    {
        Closed = true;
        _gate.Complete(canceled: true);
    }
}

/// <summary>Where the thread of a <c>zx_object_wait_many</c> sleeps until one item fires.</summary>
internal sealed class WaitManyGate
{
    private bool _done;
    private bool _canceled;

    /// <summary>An item matched (or, with <paramref name="canceled"/>, its handle closed).</summary>
    public void Complete(bool canceled)
    {
        lock (this)
        {
            _canceled |= canceled;
            if (_done)
                return;
            _done = true;
            Monitor.Pulse(this);
        }
    }

    /// <summary>
    /// Blocks until an item fires or <paramref name="deadline"/> passes. Returns whether an item
    /// fired, and whether any fired because its handle closed.
    /// </summary>
    public bool Block(long deadline, out bool canceled)
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
                long now = Linux.Libc.MonotonicClock.Now();
                if (deadline <= now)
                    break;
                long remaining = deadline - now;
                Monitor.Wait(this, (int)Math.Min((remaining + 999_999) / 1_000_000, int.MaxValue));
            }
            canceled = _canceled;
            return _done;
        }
    }
}
