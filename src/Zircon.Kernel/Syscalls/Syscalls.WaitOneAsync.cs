using Zircon.Kernel.Handles;
using Zircon.Kernel.Signals;

namespace Zircon.Kernel;

public static partial class Syscalls
{
    /// <summary>
    /// <c>zx_object_wait_one</c> without a blocked thread, for the .NET API's awaitable waits: the
    /// same checks and results as <see cref="ObjectWaitOne"/>, errors as a faulted task
    /// (<see cref="ZxException"/>), and <paramref name="cancellationToken"/> ending the wait with
    /// <see cref="OperationCanceledException"/>. A wait already satisfied completes synchronously
    /// and allocates nothing.
    /// </summary>
    public static ValueTask<ZxSignals> ObjectWaitOneAsync(uint handle, ZxSignals signals, long deadline, CancellationToken cancellationToken)
    {
        ZxStatus status = Handles.Get(handle, ZxRights.Wait, out Dispatcher dispatcher, out Handle entry);
        if (status != ZxStatus.Ok)
            return ValueTask.FromException<ZxSignals>(new ZxException(status, "zx_object_wait_one"));
        if (!dispatcher.IsWaitable)
            return ValueTask.FromException<ZxSignals>(new ZxException(ZxStatus.ErrNotSupported, "zx_object_wait_one"));
        ZxSignals observed = dispatcher.Signals;
        if ((observed & signals) != 0)
            return ValueTask.FromResult(observed);
        if (cancellationToken.IsCancellationRequested)
            return ValueTask.FromCanceled<ZxSignals>(cancellationToken);
        if (deadline != ZxTime.Infinite && deadline <= Linux.Libc.MonotonicClock.Now())
            return ValueTask.FromException<ZxSignals>(new ZxException(ZxStatus.ErrTimedOut, "zx_object_wait_one"));
        var observer = new AsyncWaitOneObserver(dispatcher, entry, signals);
        ValueTask<ZxSignals> task = observer.AsValueTask();
        dispatcher.AddObserver(observer);
        if (!HandleLiveness.CancelIfClosed(dispatcher, observer))
            observer.Arm(deadline, cancellationToken);
        return task;
    }

    /// <summary>
    /// <c>zx_interrupt_wait</c> without a blocked thread, for the .NET API: needs WAIT; the firing's
    /// timestamp, or a faulted task (<see cref="ZxException"/>: BAD_HANDLE, WRONG_TYPE,
    /// ACCESS_DENIED, BAD_STATE, CANCELED); <paramref name="cancellationToken"/> withdraws the wait.
    /// A wait on an already-fired interrupt completes synchronously; a pending one allocates nothing.
    /// </summary>
    public static ValueTask<long> InterruptWaitAsync(uint interrupt, CancellationToken cancellationToken)
    {
        ZxStatus status = Handles.Get(interrupt, ZxRights.Wait, out Objects.InterruptDispatcher dispatcher);
        if (status != ZxStatus.Ok)
            return ValueTask.FromException<long>(new ZxException(status, "zx_interrupt_wait"));
        return dispatcher.WaitAsync(cancellationToken);
    }
}
