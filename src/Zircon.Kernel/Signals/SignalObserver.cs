using Zircon.Kernel.Handles;

namespace Zircon.Kernel.Signals;

/// <summary>
/// Someone waiting for signals on an object, through a particular handle: a thread in
/// <c>zx_object_wait_one</c> or a <c>zx_object_wait_async</c> registration. Its methods run with
/// the object's signal lock held, so they must not call back into the object.
/// </summary>
internal abstract class SignalObserver
{
    protected SignalObserver(Handle handle, ZxSignals trigger)
    {
        Handle = handle;
        Trigger = trigger;
    }

    /// <summary>
    /// The handle the wait was made through (a snapshot; its <see cref="Handle.Id"/> names it);
    /// closing it cancels the wait.
    /// </summary>
    public Handle Handle { get; }

    public ZxSignals Trigger { get; }

    /// <summary>Intrusive list link, owned by the observed object.</summary>
    internal SignalObserver? Next { get; set; }

    /// <summary>Some of <see cref="Trigger"/> is asserted. Return true to be removed (one-shot).</summary>
    public abstract bool OnMatch(ZxSignals current);

    /// <summary>The handle was closed; the observer has already been removed.</summary>
    public abstract void OnHandleClosed(ZxSignals current);
}
