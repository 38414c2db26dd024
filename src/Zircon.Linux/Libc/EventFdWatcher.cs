namespace Zircon.Linux.Libc;

/// <summary>
/// One host thread that sleeps in <c>epoll_wait</c> on many eventfds and calls back when one is
/// signalled. Physical interrupt lines use it so that a raised line costs one wake-up, not a
/// thread per line.
/// </summary>
public sealed unsafe class EventFdWatcher
{
    private readonly int _epoll;
    private readonly Dictionary<ulong, (EventFd Fd, Action<ulong> Callback)> _watched = new();
    private readonly Lock _lock = new();
    private ulong _nextToken = 1;

    /// <summary>Starts the watcher thread, named <paramref name="threadName"/>.</summary>
    public EventFdWatcher(string threadName)
    {
        _epoll = LibcNative.epoll_create1(LibcNative.EPOLL_CLOEXEC);
        if (_epoll < 0)
            throw new InvalidOperationException($"epoll_create1 failed: {Errno.LastStatus().ToZirconName()}");
        var thread = new Thread(Loop) { IsBackground = true, Name = threadName };
        thread.Start();
    }

    /// <summary>Starts calling <paramref name="onSignalled"/> with the drained count each time <paramref name="fd"/> is signalled.</summary>
    /// <returns>A token for <see cref="Remove"/>.</returns>
    public ulong Add(EventFd fd, Action<ulong> onSignalled)
    {
        ulong token;
        lock (_lock)
        {
            token = _nextToken++;
            _watched[token] = (fd, onSignalled);
        }
        var ev = new LibcNative.EpollEvent { Events = LibcNative.EPOLLIN, Data = token };
        if (LibcNative.epoll_ctl(_epoll, LibcNative.EPOLL_CTL_ADD, fd.Descriptor.Fd, &ev) != 0)
            throw new InvalidOperationException($"epoll_ctl failed: {Errno.LastStatus().ToZirconName()}");
        return token;
    }

    /// <summary>Stops watching; after it returns no new callback for this token starts.</summary>
    public void Remove(ulong token)
    {
        EventFd fd;
        lock (_lock)
        {
            if (!_watched.Remove(token, out var entry))
                return;
            fd = entry.Fd;
        }
        LibcNative.epoll_ctl(_epoll, LibcNative.EPOLL_CTL_DEL, fd.Descriptor.Fd, null);
    }

    /// <summary>
    /// Stops reporting <paramref name="token"/>'s eventfd without forgetting it (another thread is
    /// about to wait on that eventfd itself). A count that arrives meanwhile stays in the eventfd;
    /// <see cref="Rearm"/> reports it at once if nobody drained it. Unknown tokens are ignored.
    /// </summary>
    public void Disarm(ulong token) => Modify(token, 0);

    /// <summary>Reports <paramref name="token"/>'s eventfd again (undoes <see cref="Disarm"/>).</summary>
    public void Rearm(ulong token) => Modify(token, LibcNative.EPOLLIN);

    private void Modify(ulong token, uint events)
    {
        EventFd fd;
        lock (_lock)
        {
            if (!_watched.TryGetValue(token, out var entry))
                return;
            fd = entry.Fd;
        }
        var ev = new LibcNative.EpollEvent { Events = events, Data = token };
        // Fails only if the token was removed meanwhile (its eventfd left the set): nothing to do.
        LibcNative.epoll_ctl(_epoll, LibcNative.EPOLL_CTL_MOD, fd.Descriptor.Fd, &ev);
    }

    private void Loop()
    {
        const int MaxEvents = 32;
        var events = stackalloc LibcNative.EpollEvent[MaxEvents];
        while (true)
        {
            int n = LibcNative.epoll_wait(_epoll, events, MaxEvents, -1);
            for (int i = 0; i < n; i++)
            {
                (EventFd Fd, Action<ulong> Callback) entry;
                lock (_lock)
                {
                    if (!_watched.TryGetValue(events[i].Data, out entry))
                        continue;
                }
                try
                {
                    ulong count = entry.Fd.Drain();
                    if (count != 0)
                        entry.Callback(count);
                }
                catch (Exception e)
                {
                    // One failing owner must not take the thread (and the process) down with it:
                    // every other line depends on this thread.
                    Console.Error.WriteLine($"zircon: {Thread.CurrentThread.Name}: a line callback failed and was skipped: {e.GetType().Name}: {e.Message}");
                }
            }
        }
    }
}
