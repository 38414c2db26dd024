using System.Threading.Tasks.Sources;
using Zircon.Kernel.Handles;

namespace Zircon.Kernel.Signals;

/// <summary>
/// An awaited <c>zx_object_wait_one</c>: registered on the object like a blocking waiter, but a
/// pending wait holds no thread. It ends exactly once: by a match, by the handle closing
/// (CANCELED), by the deadline (TIMED_OUT) or by the cancellation token. The object's observer
/// list decides the race: only whoever unlinks the observer (the object when it fires, or
/// <see cref="Withdraw"/>) completes it, so a late timer or token callback finds nothing to do.
/// One instance per pending wait (not pooled: a late callback must never reach a reused one).
/// </summary>
internal sealed class AsyncWaitOneObserver : SignalObserver, IValueTaskSource<ZxSignals>
{
    private readonly Dispatcher _dispatcher;
    private ManualResetValueTaskSourceCore<ZxSignals> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _registration;
    private CancellationToken _token;
    private Timer? _deadlineTimer;

    public AsyncWaitOneObserver(Dispatcher dispatcher, Handle handle, ZxSignals trigger)
        : base(handle, trigger)
    {
        _dispatcher = dispatcher;
    }

    public ValueTask<ZxSignals> AsValueTask() => new(this, _core.Version);

    /// <summary>Arms the deadline and the token; call after <see cref="Dispatcher.AddObserver"/>.</summary>
    public void Arm(long deadline, CancellationToken token)
    {
        if (deadline != ZxTime.Infinite)
        {
            long remainingMs = (deadline - Linux.Libc.MonotonicClock.Now() + 999_999) / 1_000_000;
            _deadlineTimer = new Timer(static state => ((AsyncWaitOneObserver)state!).Withdraw(timedOut: true), this,
                Math.Clamp(remainingMs, 0, uint.MaxValue - 1), Timeout.Infinite);
        }
        if (token.CanBeCanceled)
        {
            _token = token;
            _registration = token.UnsafeRegister(static state => ((AsyncWaitOneObserver)state!).Withdraw(timedOut: false), this);
        }
    }

    /// <summary>The deadline passed or the token fired: end the wait if the object has not yet.</summary>
    private void Withdraw(bool timedOut)
    {
        if (!_dispatcher.RemoveObserver(this))
            return;
        if (timedOut)
            _core.SetException(new ZxException(ZxStatus.ErrTimedOut, "zx_object_wait_one"));
        else
            _core.SetException(new OperationCanceledException(_token));
    }

    public override bool OnMatch(ZxSignals current)
    {
        _core.SetResult(current);
        return true;
    }

    public override void OnHandleClosed(ZxSignals current) =>
        _core.SetException(new ZxException(ZxStatus.ErrCanceled, "zx_object_wait_one"));

    public ZxSignals GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _registration.Dispose();
            _deadlineTimer?.Dispose();
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
