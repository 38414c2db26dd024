using Zircon.Linux.Libc;

namespace Zircon.Kernel;

public static partial class Syscalls
{
    /// <summary><c>zx_clock_get_monotonic</c>: nanoseconds on CLOCK_MONOTONIC.</summary>
    public static long ClockGetMonotonic() => MonotonicClock.Now();

    /// <summary><c>zx_deadline_after</c>: now + <paramref name="nanoseconds"/>, saturating at ZX_TIME_INFINITE.</summary>
    public static long DeadlineAfter(long nanoseconds)
    {
        long now = MonotonicClock.Now();
        if (nanoseconds > 0 && now > ZxTime.Infinite - nanoseconds)
            return ZxTime.Infinite;
        return now + nanoseconds;
    }

    /// <summary><c>zx_nanosleep</c>: sleeps until the absolute <paramref name="deadline"/>; a past deadline returns at once.</summary>
    public static ZxStatus Nanosleep(long deadline)
    {
        if (deadline == ZxTime.Infinite)
            Thread.Sleep(Timeout.Infinite);
        MonotonicClock.SleepUntil(deadline);
        return ZxStatus.Ok;
    }

    /// <summary><c>get_root_resource</c>: the root resource handle this process was given.</summary>
    public static uint GetRootResource() => KernelContext.RootResource;
}
