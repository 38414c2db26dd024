namespace Zircon.Kernel.Platform;

// TEMPORARY contract: the platform API for physical interrupt lines (implementation lands with interrupts).
/// <summary>
/// Host interrupt lines: what physical interrupts (<c>zx_interrupt_create</c> without
/// ZX_INTERRUPT_VIRTUAL) are created on. Each line is a Linux eventfd that device models, tests,
/// other processes or VFIO can signal.
/// </summary>
public static class HostInterruptLines
{
    /// <summary>Number of lines; valid line numbers are 0 .. Count-1.</summary>
    public const uint Count = 1024;

    /// <summary>Raises <paramref name="line"/> once (an edge), from any thread.</summary>
    public static ZxStatus Raise(uint line) => throw new NotImplementedException();

    /// <summary>The eventfd behind <paramref name="line"/>; writing 8 bytes to it raises the line.</summary>
    public static ZxStatus GetEventFd(uint line, out int fd) => throw new NotImplementedException();
}
