using Zircon.Kernel.Handles;

namespace Zircon.Kernel.Signals;

/// <summary>
/// Closes the window between looking a handle up and registering a wait through it. A close
/// removes the handle from the table first and cancels the waits made through it second; a wait
/// registered after that cancel would never hear of the close. So a wait, once registered, looks
/// again: if its handle has left the table, it withdraws the observer and, if the withdrawal won
/// (nothing fired meanwhile), reports the close itself. Zircon gets the same effect by holding the
/// handle table lock while it registers.
/// </summary>
internal static class HandleLiveness
{
    /// <summary>Returns true when the observer was canceled here because its handle was already closed.</summary>
    public static bool CancelIfClosed(Dispatcher dispatcher, SignalObserver observer)
    {
        if (KernelContext.Handles.IsLive(observer.Handle))
            return false;
        if (!dispatcher.RemoveObserver(observer))
            return false; // it fired (or was canceled by the close) already
        observer.OnHandleClosed(dispatcher.Signals);
        return true;
    }
}
