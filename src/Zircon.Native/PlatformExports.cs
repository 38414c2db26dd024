using System.Runtime.InteropServices;
using Zircon.Kernel.Platform;

namespace Zircon.Native;

/// <summary>
/// Linux-host extension, not part of Zircon: host interrupt lines, on which physical interrupts
/// are created (<c>zircon/platform/interrupt_lines.h</c>).
/// </summary>
public static class PlatformExports
{
    /// <summary><c>zx_status_t zx_platform_interrupt_line_raise(uint32_t line)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_platform_interrupt_line_raise")]
    public static int InterruptLineRaise(uint line)
    {
        try
        {
            return (int)HostInterruptLines.Raise(line);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_platform_interrupt_line_raise");
        }
    }

    // SAFETY: `fd` is only written through UserMemory.
    /// <summary><c>zx_status_t zx_platform_interrupt_line_eventfd(uint32_t line, int* out_fd)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_platform_interrupt_line_eventfd")]
    public static unsafe int InterruptLineEventFd(uint line, int* fd)
    {
        try
        {
            if (fd == null)
                return ExportStatus.InvalidArgs;
            ZxStatus status = HostInterruptLines.GetEventFd(line, out int value);
            if (status == ZxStatus.Ok && !UserMemory.TryWrite(fd, value))
                return ExportStatus.InvalidArgs;
            return (int)status;
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_platform_interrupt_line_eventfd");
        }
    }
}
