using Zircon.Linux.Libc;

namespace Zircon.Kernel.Platform;

/// <summary>
/// One host interrupt line: an eventfd, owned by at most one interrupt object at a time. While
/// owned and not routed into a guest, one shared host thread watches it and calls the owner.
/// </summary>
public sealed class HostInterruptLine
{
    private static readonly Lazy<EventFdWatcher> s_watcher = new(() => new EventFdWatcher("zx-irq-lines"));

    private int _claimed;

    internal HostInterruptLine(uint number)
    {
        Number = number;
        EventFd = EventFd.Create();
    }

    /// <summary>The line's number.</summary>
    public uint Number { get; }

    /// <summary>The eventfd; KVM's irqfd takes it when the line is bound to VCPUs.</summary>
    public EventFd EventFd { get; }

    /// <summary>Raises the line once.</summary>
    public void Raise() => EventFd.Signal();

    internal bool TryClaim()
    {
        if (Interlocked.CompareExchange(ref _claimed, 1, 0) != 0)
            return false;
        EventFd.Drain(); // raises while nobody owned the line are not interrupts of the new owner
        return true;
    }

    internal void Release() => Volatile.Write(ref _claimed, 0);

    /// <summary>Calls <paramref name="onRaised"/> on the watcher thread each time the line is raised.</summary>
    internal ulong Watch(Action<ulong> onRaised) => s_watcher.Value.Add(EventFd, onRaised);

    internal void Unwatch(ulong token) => s_watcher.Value.Remove(token);

    /// <summary>The watcher thread stops reporting this watch while a port waiter polls the eventfd itself.</summary>
    internal void DisarmWatch(ulong token) => s_watcher.Value.Disarm(token);

    /// <summary>The watcher thread reports this watch again (a raise left undrained is reported at once).</summary>
    internal void RearmWatch(ulong token) => s_watcher.Value.Rearm(token);
}
