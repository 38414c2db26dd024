using System.Diagnostics;
using System.Security.Cryptography;

namespace Zircon.Kernel;

public static partial class Syscalls
{
    /// <summary>
    /// <c>zx_ticks_get</c>: the monotonic tick counter. Ticks are the host's high-resolution
    /// monotonic timestamp (on Linux CLOCK_MONOTONIC, so one tick is one nanosecond there); only
    /// <see cref="TicksPerSecond"/> converts them to time.
    /// </summary>
    public static long TicksGet() => Stopwatch.GetTimestamp();

    /// <summary><c>zx_ticks_per_second</c>: the rate of <see cref="TicksGet"/>; constant for the process.</summary>
    public static long TicksPerSecond() => Stopwatch.Frequency;

    /// <summary><c>zx_system_get_page_size</c>: the host's page size, the unit of VMO sizes and mappings.</summary>
    public static uint SystemGetPageSize() => (uint)Environment.SystemPageSize;

    /// <summary>
    /// <c>zx_cprng_draw</c>: fills <paramref name="buffer"/> with cryptographically secure random
    /// bytes from the operating system's generator. Any length; never fails.
    /// </summary>
    public static void CprngDraw(Span<byte> buffer) => RandomNumberGenerator.Fill(buffer);
}
