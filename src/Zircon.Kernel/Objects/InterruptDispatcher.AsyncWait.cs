namespace Zircon.Kernel.Objects;

/// <summary>
/// The awaitable <c>zx_interrupt_wait</c>: the same state machine as the blocking
/// <see cref="Wait"/> (one waiter at a time, entering the wait acknowledges the previous firing,
/// destroy cancels), with a pooled <see cref="InterruptAsyncWaiter"/> in place of a blocked
/// thread.
/// </summary>
public sealed partial class InterruptDispatcher
{
    // The async waiter while _state is Waiting because of one (null when a thread waits instead).
    private InterruptAsyncWaiter? _asyncWaiter;

    /// <summary>
    /// <c>zx_interrupt_wait</c> as a <see cref="ValueTask{TResult}"/> of the firing's timestamp.
    /// Errors fault the task with <see cref="ZxException"/> (BAD_STATE when bound or another wait is
    /// in progress, CANCELED when destroyed); <paramref name="cancellationToken"/> withdraws the
    /// wait (<see cref="OperationCanceledException"/>) and leaves the interrupt idle, so a later
    /// firing is kept for the next wait.
    /// </summary>
    public ValueTask<long> WaitAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return ValueTask.FromCanceled<long>(cancellationToken);
        InterruptAsyncWaiter waiter;
        ValueTask<long> task;
        using (_sync.Hold())
        {
            if (_port is not null || VcpuBinding is not null)
                return Failed(ZxStatus.ErrBadState);
            switch (_state)
            {
                case State.Destroyed:
                    return Failed(ZxStatus.ErrCanceled);
                case State.Triggered:
                    _state = State.NeedAck;
                    long timestamp = _storedTimestamp;
                    _storedTimestamp = 0;
                    return ValueTask.FromResult(timestamp);
                case State.NeedAck:
                case State.Idle:
                    break;
                default:
                    return Failed(ZxStatus.ErrBadState); // another wait is in progress
            }
            waiter = InterruptAsyncWaiter.Rent(this);
            task = waiter.AsValueTask();
            _asyncWaiter = waiter;
            _state = State.Waiting;
        }
        // Outside the lock: an already-canceled token runs the callback here, and it takes the lock.
        waiter.RegisterCancellation(cancellationToken);
        return task;
    }

    private static ValueTask<long> Failed(ZxStatus status) =>
        ValueTask.FromException<long>(new ZxException(status, "zx_interrupt_wait"));

    /// <summary>A firing while an async wait is pending: hand it over. Runs under the lock.</summary>
    private bool TryCompleteAsyncWaitLocked()
    {
        if (_asyncWaiter is not { } waiter)
            return false;
        _asyncWaiter = null;
        _state = State.NeedAck;
        long timestamp = _storedTimestamp;
        _storedTimestamp = 0;
        waiter.Complete(ZxStatus.Ok, timestamp);
        return true;
    }

    /// <summary>Destroyed while an async wait is pending: it ends with CANCELED. Runs under the lock.</summary>
    private void CancelAsyncWaitLocked()
    {
        if (_asyncWaiter is not { } waiter)
            return;
        _asyncWaiter = null;
        waiter.Complete(ZxStatus.ErrCanceled, 0);
    }

    /// <summary>
    /// The token of <paramref name="waiter"/> fired: unlink it if it is still the pending wait.
    /// Returns false when a firing or destroy completed it first.
    /// </summary>
    internal bool WithdrawAsyncWait(InterruptAsyncWaiter waiter)
    {
        using (_sync.Hold())
        {
            if (!ReferenceEquals(_asyncWaiter, waiter))
                return false;
            _asyncWaiter = null;
            if (_state == State.Waiting)
                _state = State.Idle;
            return true;
        }
    }
}
