using System.Diagnostics;

namespace Zircon.Linux.Libc;

/// <summary>CLOCK_MONOTONIC in nanoseconds, and sleeping until an absolute point on it.</summary>
public static unsafe class MonotonicClock
{
    // On Linux Stopwatch reads CLOCK_MONOTONIC; scale in case the frequency is not 1 GHz.
    private static readonly double s_nanosPerTick = 1e9 / Stopwatch.Frequency;
    private static readonly bool s_isNanoseconds = Stopwatch.Frequency == 1_000_000_000;

    /// <summary>Nanoseconds on CLOCK_MONOTONIC.</summary>
    public static long Now()
    {
        long ticks = Stopwatch.GetTimestamp();
        return s_isNanoseconds ? ticks : (long)(ticks * s_nanosPerTick);
    }

    /// <summary>Sleeps until CLOCK_MONOTONIC reaches <paramref name="deadline"/> (returns at once if past).</summary>
    public static void SleepUntil(long deadline)
    {
        if (deadline <= 0)
            return;
        var ts = new LibcNative.Timespec { Seconds = deadline / 1_000_000_000, Nanoseconds = deadline % 1_000_000_000 };
        // clock_nanosleep returns the error number directly; EINTR means a signal arrived: sleep on.
        while (LibcNative.clock_nanosleep(LibcNative.CLOCK_MONOTONIC, LibcNative.TIMER_ABSTIME, &ts, null) == LibcNative.EINTR)
        {
        }
    }
}
