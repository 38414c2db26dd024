using Zircon.Kernel;

namespace Zircon;

/// <summary>
/// The monotonic clock and deadlines. Zircon waits take an absolute deadline in nanoseconds on the
/// monotonic clock (<c>zx_time_t</c>): <see cref="ZxTime.Infinite"/> waits forever,
/// <see cref="ZxTime.InfinitePast"/> (or any past time) only polls.
/// </summary>
public static class ZxClock
{
    private const long NanosecondsPerTick = 1_000_000_000 / TimeSpan.TicksPerSecond;

    /// <summary><c>zx_clock_get_monotonic()</c>: nanoseconds on the monotonic clock. Cannot fail.</summary>
    public static long Monotonic => Syscalls.ClockGetMonotonic();

    /// <summary>
    /// <c>zx_deadline_after(nanoseconds)</c>: now plus <paramref name="nanoseconds"/>, saturating at
    /// <see cref="ZxTime.Infinite"/>.
    /// </summary>
    public static long DeadlineAfter(long nanoseconds) => Syscalls.DeadlineAfter(nanoseconds);

    /// <summary>
    /// <c>zx_deadline_after</c> for a <see cref="TimeSpan"/>: now plus <paramref name="timeout"/>,
    /// saturating at <see cref="ZxTime.Infinite"/>; <see cref="Timeout.InfiniteTimeSpan"/> gives
    /// <see cref="ZxTime.Infinite"/>.
    /// </summary>
    public static long DeadlineAfter(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
            return ZxTime.Infinite;
        return Syscalls.DeadlineAfter(ToNanoseconds(timeout));
    }

    /// <summary>
    /// <c>zx_nanosleep(deadline)</c>: sleeps the calling thread until the absolute monotonic
    /// <paramref name="deadline"/>; a past deadline returns at once.
    /// </summary>
    public static void SleepUntil(long deadline) => Syscalls.Nanosleep(deadline);

    /// <summary>A <see cref="TimeSpan"/> as a <c>zx_duration_t</c> (nanoseconds), saturating at the ends.</summary>
    public static long ToNanoseconds(TimeSpan duration)
    {
        long ticks = duration.Ticks;
        if (ticks > long.MaxValue / NanosecondsPerTick)
            return long.MaxValue;
        if (ticks < long.MinValue / NanosecondsPerTick)
            return long.MinValue;
        return ticks * NanosecondsPerTick;
    }
}
