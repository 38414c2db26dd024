using System.Runtime.InteropServices;
using Zircon.Kernel;

namespace Zircon.Native;

/// <summary>Ticks, the page size and the random generator (<c>zircon/syscalls.h</c>).</summary>
public static class SystemExports
{
    /// <summary><c>zx_ticks_t zx_ticks_get(void)</c>: the monotonic tick counter.</summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_ticks_get")]
    public static long TicksGet()
    {
        try
        {
            return Syscalls.TicksGet();
        }
        catch (Exception e)
        {
            ExportStatus.FromException(e, "zx_ticks_get");
            return 0;
        }
    }

    /// <summary><c>zx_ticks_t zx_ticks_per_second(void)</c>: the rate of zx_ticks_get.</summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_ticks_per_second")]
    public static long TicksPerSecond()
    {
        try
        {
            return Syscalls.TicksPerSecond();
        }
        catch (Exception e)
        {
            ExportStatus.FromException(e, "zx_ticks_per_second");
            return 0;
        }
    }

    /// <summary><c>uint32_t zx_system_get_page_size(void)</c>: the page size (4096 on x86-64).</summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_system_get_page_size")]
    public static uint SystemGetPageSize()
    {
        try
        {
            return Syscalls.SystemGetPageSize();
        }
        catch (Exception e)
        {
            ExportStatus.FromException(e, "zx_system_get_page_size");
            return 4096;
        }
    }

    // SAFETY: `buffer` is only written through UserMemory; a bad buffer ends the draw early.
    /// <summary>
    /// <c>void zx_cprng_draw(void* buffer, size_t buffer_size)</c>: fills the buffer with
    /// cryptographically secure random bytes; any length, in chunks of at most 2 GiB. It returns
    /// nothing, so a NULL buffer with a non-zero size cannot be reported: nothing is written.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_cprng_draw")]
    public static unsafe void CprngDraw(byte* buffer, nuint length)
    {
        try
        {
            if (buffer == null)
                return;
            // Drawn into a local block and copied out, so a bad buffer stops the copy instead of the process.
            Span<byte> block = stackalloc byte[256];
            while (length > 0)
            {
                int chunk = (int)Math.Min(length, (nuint)block.Length);
                Syscalls.CprngDraw(block[..chunk]);
                if (!UserMemory.TryWriteBytes(buffer, block[..chunk]))
                    return;
                buffer += chunk;
                length -= (nuint)chunk;
            }
        }
        catch (Exception e)
        {
            ExportStatus.FromException(e, "zx_cprng_draw");
        }
    }
}
