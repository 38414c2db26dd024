using Zircon.Kernel.Handles;
using Zircon.Kernel.Objects;
using Zircon.Kernel.Ports;
using Zircon.Kernel.Signals;

namespace Zircon.Kernel;

public static partial class Syscalls
{
    /// <summary><c>zx_event_create</c>: options must be 0.</summary>
    public static ZxStatus EventCreate(uint options, out uint @event)
    {
        @event = ZxHandleValues.Invalid;
        if (options != 0)
            return ZxStatus.ErrInvalidArgs;
        var dispatcher = new EventDispatcher();
        return Handles.Add(dispatcher, dispatcher.DefaultRights, out @event);
    }

    /// <summary><c>zx_object_signal</c>: needs SIGNAL; only the object's user-settable bits.</summary>
    public static ZxStatus ObjectSignal(uint handle, ZxSignals clearMask, ZxSignals setMask)
    {
        ZxStatus status = Handles.Get(handle, ZxRights.Signal, out Dispatcher dispatcher);
        if (status != ZxStatus.Ok)
            return status;
        if (!dispatcher.IsWaitable)
            return ZxStatus.ErrNotSupported;
        if (((clearMask | setMask) & ~dispatcher.AllowedUserSignals) != 0)
            return ZxStatus.ErrInvalidArgs;
        dispatcher.UpdateSignals(clearMask, setMask);
        return ZxStatus.Ok;
    }

    /// <summary><c>zx_object_wait_one</c>: needs WAIT; blocks until a signal in <paramref name="signals"/>, the deadline, or the handle closes.</summary>
    public static ZxStatus ObjectWaitOne(uint handle, ZxSignals signals, long deadline, out ZxSignals observed)
    {
        observed = ZxSignals.None;
        ZxStatus status = Handles.Get(handle, ZxRights.Wait, out Dispatcher dispatcher, out Handle entry);
        if (status != ZxStatus.Ok)
            return status;
        if (!dispatcher.IsWaitable)
            return ZxStatus.ErrNotSupported;
        // Already satisfied, or a poll: answer without registering (and without allocating).
        observed = dispatcher.Signals;
        if ((observed & signals) != 0)
            return ZxStatus.Ok;
        if (deadline != ZxTime.Infinite && deadline <= Linux.Libc.MonotonicClock.Now())
            return ZxStatus.ErrTimedOut;
        var observer = new WaitOneObserver(entry, signals);
        dispatcher.AddObserver(observer);
        HandleLiveness.CancelIfClosed(dispatcher, observer);
        if (observer.Block(deadline, out status, out observed))
            return status;
        // Deadline passed: withdraw, unless a match or close raced with the timeout.
        if (!dispatcher.RemoveObserver(observer) && observer.Block(ZxTime.Infinite, out status, out observed))
            return status;
        observed = dispatcher.Signals;
        return ZxStatus.ErrTimedOut;
    }

    /// <summary>
    /// <c>zx_object_wait_async</c>: one packet to <paramref name="port"/> when a signal in
    /// <paramref name="signals"/> is asserted. Check order: options; port (BAD_HANDLE, WRONG_TYPE,
    /// WRITE); object (BAD_HANDLE, WAIT, waitable).
    /// </summary>
    public static ZxStatus ObjectWaitAsync(uint handle, uint port, ulong key, ZxSignals signals, uint options)
    {
        if ((options & ~ZxWaitAsyncOptions.Timestamp) != 0)
            return ZxStatus.ErrInvalidArgs;
        ZxStatus status = Handles.Get(port, ZxRights.Write, out PortDispatcher portDispatcher);
        if (status != ZxStatus.Ok)
            return status;
        status = Handles.Get(handle, ZxRights.Wait, out Dispatcher dispatcher, out Handle entry);
        if (status != ZxStatus.Ok)
            return status;
        if (!dispatcher.IsWaitable)
            return ZxStatus.ErrNotSupported;
        var observer = new PortObserver(dispatcher, entry, portDispatcher, key, signals, options);
        portDispatcher.AddObserver(observer);
        dispatcher.AddObserver(observer);
        // A close between the lookup and the registration canceled the handle's waits before this
        // one existed: withdraw it now (the call linearizes just before that close).
        HandleLiveness.CancelIfClosed(dispatcher, observer);
        return ZxStatus.Ok;
    }
}
