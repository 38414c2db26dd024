using Zircon.Vmm.Devices.Plumbing;

namespace Zircon.Vmm.Tests.Devices;

public sealed class HostPeriodicTimerTests
{
    private static readonly TimeSpan GenerousBound = TimeSpan.FromSeconds(20);

    [Fact]
    public void Start_DeliversTicksOnItsOwnThread()
    {
        using var timer = new HostPeriodicTimer();
        using var enoughTicks = new CountdownEvent(10);
        int testThread = Environment.CurrentManagedThreadId;
        int tickThread = 0;

        timer.Start(TimeSpan.FromMilliseconds(2), () =>
        {
            tickThread = Environment.CurrentManagedThreadId;
            if (!enoughTicks.IsSet)
            {
                enoughTicks.Signal();
            }
        });

        Assert.True(enoughTicks.Wait(GenerousBound), "at least 10 ticks within the bound");
        Assert.NotEqual(testThread, tickThread);
    }

    [Fact]
    public void ATickThatThrows_DoesNotEndTheTimerThread()
    {
        // An exception escaping the timer thread would end the process (issue 8 item 1).
        using var timer = new HostPeriodicTimer();
        using var enoughTicks = new CountdownEvent(3);
        timer.Start(TimeSpan.FromMilliseconds(2), () =>
        {
            if (!enoughTicks.IsSet)
            {
                enoughTicks.Signal();
            }
            throw new InvalidOperationException("device model bug");
        });

        Assert.True(enoughTicks.Wait(GenerousBound), "the timer kept ticking after a tick threw");
    }

    [Fact]
    public void Stop_EndsTicks()
    {
        using var timer = new HostPeriodicTimer();
        int ticks = 0;
        using var firstTick = new ManualResetEventSlim();
        timer.Start(TimeSpan.FromMilliseconds(1), () =>
        {
            Interlocked.Increment(ref ticks);
            firstTick.Set();
        });
        Assert.True(firstTick.Wait(GenerousBound));

        timer.Stop();
        int afterStop = Volatile.Read(ref ticks);
        Thread.Sleep(50);

        Assert.Equal(afterStop, Volatile.Read(ref ticks));
    }

    [Fact]
    public void Restart_ReplacesCallback()
    {
        using var timer = new HostPeriodicTimer();
        int oldTicks = 0;
        using var newTick = new ManualResetEventSlim();
        timer.Start(TimeSpan.FromMilliseconds(1), () => Interlocked.Increment(ref oldTicks));

        timer.Start(TimeSpan.FromMilliseconds(1), newTick.Set);
        int oldAfterRestart = Volatile.Read(ref oldTicks);

        Assert.True(newTick.Wait(GenerousBound));
        Assert.Equal(oldAfterRestart, Volatile.Read(ref oldTicks));
    }

    [Fact]
    public void Restart_WaitsForATickInFlight_SoTheOldCallbackNeverRunsAfterIt()
    {
        using var timer = new HostPeriodicTimer();
        using var inOldTick = new ManualResetEventSlim();
        int oldFinished = 0;
        timer.Start(TimeSpan.FromMilliseconds(1), () =>
        {
            inOldTick.Set();
            Thread.Sleep(100); // still running when the restart comes
            Interlocked.Increment(ref oldFinished);
        });
        Assert.True(inOldTick.Wait(GenerousBound));

        timer.Start(TimeSpan.FromHours(1), () => { });
        int atRestart = Volatile.Read(ref oldFinished);
        Thread.Sleep(200);

        Assert.Equal(1, atRestart);
        Assert.Equal(atRestart, Volatile.Read(ref oldFinished));
    }

    [Fact]
    public void Restart_CalledFromTick_DoesNotDeadlock()
    {
        using var timer = new HostPeriodicTimer();
        using var restarted = new ManualResetEventSlim();
        using var newTick = new ManualResetEventSlim();
        timer.Start(TimeSpan.FromMilliseconds(1), () =>
        {
            if (!restarted.IsSet)
            {
                timer.Start(TimeSpan.FromMilliseconds(1), newTick.Set);
                restarted.Set();
            }
        });

        Assert.True(restarted.Wait(GenerousBound));
        Assert.True(newTick.Wait(GenerousBound));
    }

    [Fact]
    public void Stop_CalledFromTick_DoesNotDeadlock()
    {
        using var timer = new HostPeriodicTimer();
        using var stopped = new ManualResetEventSlim();
        timer.Start(TimeSpan.FromMilliseconds(1), () =>
        {
            timer.Stop();
            stopped.Set();
        });

        Assert.True(stopped.Wait(GenerousBound));
    }

    [Fact]
    public void Start_AfterDispose_Throws()
    {
        var timer = new HostPeriodicTimer();
        timer.Dispose();

        Assert.Throws<ObjectDisposedException>(() => timer.Start(TimeSpan.FromMilliseconds(1), () => { }));
    }
}
