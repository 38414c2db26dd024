namespace Zircon.Linux.Libc;

/// <summary>
/// <c>poll(2)</c> for readability of a few descriptors, for a thread that sleeps on eventfds
/// itself (a port waiter that takes a physical interrupt line's raise directly, with one wake-up).
/// </summary>
public static unsafe class ReadinessPoll
{
    /// <summary>The most descriptors one call takes.</summary>
    public const int MaxDescriptors = 32;

    /// <summary>
    /// Sleeps until one of <paramref name="fds"/> is readable or <paramref name="timeoutMs"/>
    /// passes (-1: no timeout); negative descriptors are skipped. Sets <paramref name="readable"/>
    /// and returns how many are readable: 0 on a timeout or a signal, -1 on an error.
    /// </summary>
    public static int WaitReadable(ReadOnlySpan<int> fds, Span<bool> readable, int timeoutMs)
    {
        if (fds.Length > MaxDescriptors || readable.Length < fds.Length)
            throw new ArgumentException($"at most {MaxDescriptors} descriptors, and a result slot for each");
        LibcNative.PollFd* set = stackalloc LibcNative.PollFd[fds.Length];
        for (int i = 0; i < fds.Length; i++)
            set[i] = new LibcNative.PollFd { Fd = fds[i], Events = LibcNative.POLLIN };
        // SAFETY: set holds fds.Length entries on this stack frame.
        int n = LibcNative.poll(set, (nuint)fds.Length, timeoutMs);
        for (int i = 0; i < fds.Length; i++)
            readable[i] = n > 0 && (set[i].Revents & LibcNative.POLLIN) != 0;
        if (n < 0)
            return Errno.Last == LibcNative.EINTR ? 0 : -1;
        return n;
    }
}
