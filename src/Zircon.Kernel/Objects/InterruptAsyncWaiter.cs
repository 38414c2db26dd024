using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;

namespace Zircon.Kernel.Objects;

/// <summary>
/// A pending awaited <c>zx_interrupt_wait</c>: a pooled <see cref="IValueTaskSource{TResult}"/>,
/// so waiting on an interrupt in a loop allocates nothing per wait. The interrupt completes it
/// under its lock (continuations run on the thread pool, never inside that lock).
/// </summary>
internal sealed class InterruptAsyncWaiter : IValueTaskSource<long>
{
    private const int MaxPooled = 64;
    private static readonly ConcurrentQueue<InterruptAsyncWaiter> s_pool = new();

    private ManualResetValueTaskSourceCore<long> _core = new() { RunContinuationsAsynchronously = true };
    private InterruptDispatcher? _interrupt;
    private CancellationTokenRegistration _registration;
    private CancellationToken _token;

    public static InterruptAsyncWaiter Rent(InterruptDispatcher interrupt)
    {
        if (!s_pool.TryDequeue(out InterruptAsyncWaiter? waiter))
            waiter = new InterruptAsyncWaiter();
        waiter._interrupt = interrupt;
        return waiter;
    }

    public ValueTask<long> AsValueTask() => new(this, _core.Version);

    public void RegisterCancellation(CancellationToken token)
    {
        if (!token.CanBeCanceled)
            return;
        _token = token;
        _registration = token.UnsafeRegister(static state => ((InterruptAsyncWaiter)state!).OnCanceled(), this);
    }

    private void OnCanceled()
    {
        InterruptDispatcher? interrupt = _interrupt;
        if (interrupt is not null && interrupt.WithdrawAsyncWait(this))
            _core.SetException(new OperationCanceledException(_token));
    }

    public void Complete(ZxStatus status, long timestamp)
    {
        if (status == ZxStatus.Ok)
            _core.SetResult(timestamp);
        else
            _core.SetException(new ZxException(status, "zx_interrupt_wait"));
    }

    public long GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            // Disposing waits for a running token callback: after it none can reach this instance.
            _registration.Dispose();
            _registration = default;
            _token = default;
            _interrupt = null;
            _core.Reset();
            if (s_pool.Count < MaxPooled)
                s_pool.Enqueue(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
