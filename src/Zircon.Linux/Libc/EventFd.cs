namespace Zircon.Linux.Libc;

/// <summary>A Linux eventfd: a counter other threads, processes or KVM (irqfd) can signal.</summary>
public sealed unsafe class EventFd : IDisposable
{
    private readonly FileDescriptor _fd;

    private EventFd(FileDescriptor fd) => _fd = fd;

    /// <summary>The eventfd's file descriptor.</summary>
    public FileDescriptor Descriptor => _fd;

    /// <summary>Creates a non-blocking eventfd.</summary>
    public static EventFd Create()
    {
        int fd = LibcNative.eventfd(0, LibcNative.EFD_CLOEXEC | LibcNative.EFD_NONBLOCK);
        if (fd < 0)
            throw new InvalidOperationException($"eventfd failed: {Errno.LastStatus().ToZirconName()}");
        return new EventFd(new FileDescriptor(fd));
    }

    /// <summary>Adds one to the counter, waking whoever watches it.</summary>
    public void Signal()
    {
        ulong one = 1;
        while (LibcNative.write(_fd.Fd, &one, 8) < 0 && Errno.Last == LibcNative.EINTR)
        {
        }
    }

    /// <summary>
    /// Reads and resets the counter; returns 0 if it was zero or the eventfd was closed. Safe against
    /// a concurrent <see cref="Dispose"/>: the descriptor stays open for the read, so its number can
    /// never name another file by then.
    /// </summary>
    public ulong Drain()
    {
        bool added = false;
        try
        {
            _fd.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
        try
        {
            ulong value;
            while (true)
            {
                if (LibcNative.read(_fd.Fd, &value, 8) == 8)
                    return value;
                if (Errno.Last != LibcNative.EINTR)
                    return 0;
            }
        }
        finally
        {
            _fd.DangerousRelease();
        }
    }

    /// <summary>Closes the eventfd.</summary>
    public void Dispose() => _fd.Dispose();
}
