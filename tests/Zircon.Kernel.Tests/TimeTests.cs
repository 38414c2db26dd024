namespace Zircon.Kernel.Tests;

public class TimeTests
{
    [Fact]
    public void Monotonic_NeverGoesBackwards()
    {
        long previous = Syscalls.ClockGetMonotonic();
        for (int i = 0; i < 1000; i++)
        {
            long now = Syscalls.ClockGetMonotonic();
            Assert.True(now >= previous);
            previous = now;
        }
    }

    [Fact]
    public void DeadlineAfter_AddsToNow_AndSaturates()
    {
        long before = Syscalls.ClockGetMonotonic();
        long deadline = Syscalls.DeadlineAfter(1_000_000_000);
        Assert.InRange(deadline - before, 1_000_000_000, 2_000_000_000);
        Assert.Equal(ZxTime.Infinite, Syscalls.DeadlineAfter(long.MaxValue));
        Assert.True(Syscalls.DeadlineAfter(-1_000) < Syscalls.ClockGetMonotonic());
    }

    [Fact]
    public void Nanosleep_ReturnsNoEarlierThanTheDeadline()
    {
        long deadline = Syscalls.DeadlineAfter(5_000_000);
        Assert.Equal(ZxStatus.Ok, Syscalls.Nanosleep(deadline));
        Assert.True(Syscalls.ClockGetMonotonic() >= deadline);
        Assert.Equal(ZxStatus.Ok, Syscalls.Nanosleep(ZxTime.InfinitePast));
    }
}
