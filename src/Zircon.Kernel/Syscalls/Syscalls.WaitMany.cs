using Zircon.Kernel.Handles;
using Zircon.Kernel.Signals;

namespace Zircon.Kernel;

public static partial class Syscalls
{
    /// <summary>
    /// <c>zx_object_wait_many</c>: waits until a signal of some item's <see cref="ZxWaitItem.WaitFor"/>
    /// is asserted (OK), the deadline passes (TIMED_OUT) or one of the handles is closed (CANCELED;
    /// that item's pending includes ZX_SIGNAL_HANDLE_CLOSED). On those three results every item's
    /// <see cref="ZxWaitItem.Pending"/> holds its object's signals. Checks, in order: more than
    /// <see cref="ZxWaitMany.MaxItems"/> items (OUT_OF_RANGE); then per item BAD_HANDLE, WAIT right
    /// (ACCESS_DENIED), waitable (NOT_SUPPORTED). No items: sleeps until the deadline, TIMED_OUT.
    /// </summary>
    public static ZxStatus ObjectWaitMany(Span<ZxWaitItem> items, long deadline)
    {
        if (items.Length > ZxWaitMany.MaxItems)
            return ZxStatus.ErrOutOfRange;
        if (items.Length == 0)
        {
            ZxStatus slept = Nanosleep(deadline);
            return slept == ZxStatus.Ok ? ZxStatus.ErrTimedOut : slept;
        }

        var dispatchers = new Dispatcher[items.Length];
        var entries = new Handle[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            ZxStatus status = Handles.Get(items[i].Handle, ZxRights.Wait, out dispatchers[i], out entries[i]);
            if (status != ZxStatus.Ok)
                return status;
            if (!dispatchers[i].IsWaitable)
                return ZxStatus.ErrNotSupported;
        }

        var gate = new WaitManyGate();
        var observers = new WaitManyObserver[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            observers[i] = new WaitManyObserver(entries[i], items[i].WaitFor, gate);
            dispatchers[i].AddObserver(observers[i]);
        }
        for (int i = 0; i < items.Length; i++)
            HandleLiveness.CancelIfClosed(dispatchers[i], observers[i]);

        bool fired = gate.Block(deadline, out bool canceled);
        // Withdraw what has not fired; a match or close racing with the timeout still counts.
        for (int i = 0; i < items.Length; i++)
            dispatchers[i].RemoveObserver(observers[i]);
        if (!fired)
            fired = gate.Block(ZxTime.InfinitePast, out canceled);

        for (int i = 0; i < items.Length; i++)
        {
            ZxSignals pending = dispatchers[i].Signals;
            if (observers[i].Closed)
                pending |= ZxSignals.HandleClosed;
            items[i].Pending = pending;
        }
        if (!fired)
            return ZxStatus.ErrTimedOut;
        return canceled ? ZxStatus.ErrCanceled : ZxStatus.Ok;
    }
}
