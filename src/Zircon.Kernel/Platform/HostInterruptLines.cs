namespace Zircon.Kernel.Platform;

/// <summary>
/// Host interrupt lines: what physical interrupts (<c>zx_interrupt_create</c> without
/// ZX_INTERRUPT_VIRTUAL) are created on. Each line is a Linux eventfd that device models, tests,
/// other processes or VFIO can signal; a line lives as long as the process, so an eventfd handed
/// out stays valid across the interrupt objects created on it.
/// </summary>
public static class HostInterruptLines
{
    /// <summary>Number of lines; valid line numbers are 0 .. Count-1.</summary>
    public const uint Count = 1024;

    private static readonly HostInterruptLine?[] s_lines = new HostInterruptLine?[Count];
    private static readonly Lock s_lock = new();

    /// <summary>Raises <paramref name="line"/> once (an edge), from any thread. INVALID_ARGS for a line past <see cref="Count"/>.</summary>
    public static ZxStatus Raise(uint line)
    {
        if (line >= Count)
            return ZxStatus.ErrInvalidArgs;
        Get(line).Raise();
        return ZxStatus.Ok;
    }

    /// <summary>The eventfd behind <paramref name="line"/>; writing an 8-byte count to it raises the line.</summary>
    public static ZxStatus GetEventFd(uint line, out int fd)
    {
        fd = -1;
        if (line >= Count)
            return ZxStatus.ErrInvalidArgs;
        fd = Get(line).EventFd.Descriptor.Fd;
        return ZxStatus.Ok;
    }

    /// <summary>Takes ownership of a line for a new interrupt object; ALREADY_BOUND if one owns it.</summary>
    internal static ZxStatus Claim(uint line, out HostInterruptLine? claimed)
    {
        claimed = null;
        if (line >= Count)
            return ZxStatus.ErrInvalidArgs;
        HostInterruptLine l = Get(line);
        if (!l.TryClaim())
            return ZxStatus.ErrAlreadyBound;
        claimed = l;
        return ZxStatus.Ok;
    }

    private static HostInterruptLine Get(uint line)
    {
        HostInterruptLine? l = Volatile.Read(ref s_lines[line]);
        if (l is not null)
            return l;
        lock (s_lock)
            return s_lines[line] ??= new HostInterruptLine(line);
    }
}
