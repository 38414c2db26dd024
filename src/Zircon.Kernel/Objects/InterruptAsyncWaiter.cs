using System.Threading.Tasks.Sources;
using Zircon.Kernel.Threading;

namespace Zircon.Kernel.Objects;

/// <summary>
/// A pending awaited <c>zx_interrupt_wait</c>, pooled (<see cref="WaiterPool{T}"/>), so waiting on
/// an interrupt in a loop allocates nothing per wait. The interrupt completes it under its lock;
/// continuations run on the thread pool, never inside that lock (<see cref="PooledCompletion{TResult}"/>).
/// </summary>
internal sealed class InterruptAsyncWaiter : IValueTaskSource<long>
{
    private PooledCompletion<long> _completion = PooledCompletion<long>.Create();
    private InterruptDispatcher? _interrupt;

    public static InterruptAsyncWaiter Rent(InterruptDispatcher interrupt)
    {
        InterruptAsyncWaiter waiter = WaiterPool<InterruptAsyncWaiter>.Rent();
        waiter._interrupt = interrupt;
        return waiter;
    }

    public ValueTask<long> AsValueTask() => new(this, _completion.Version);

    public void RegisterCancellation(CancellationToken token) =>
        _completion.RegisterCancellation(token, static state => ((InterruptAsyncWaiter)state!).OnCanceled(), this);

    private void OnCanceled()
    {
        InterruptDispatcher? interrupt = _interrupt;
        if (interrupt is not null && interrupt.WithdrawAsyncWait(this))
            _completion.SetException(new OperationCanceledException(_completion.Token));
    }

    public void Complete(ZxStatus status, long timestamp)
    {
        if (status == ZxStatus.Ok)
            _completion.SetResult(timestamp);
        else
            _completion.SetException(new ZxException(status, "zx_interrupt_wait"));
    }

    public long GetResult(short token)
    {
        try
        {
            return _completion.GetResultAndReset(token);
        }
        finally
        {
            _interrupt = null;
            WaiterPool<InterruptAsyncWaiter>.Return(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _completion.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);
}
