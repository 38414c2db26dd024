using Zircon.Linux.Libc;

namespace Zircon.Linux.Tests;

/// <summary>The shared line thread: a failing callback must not end it (issue 8 item 1).</summary>
public class EventFdWatcherTests
{
    [Fact]
    public void ACallbackThatThrows_DoesNotStopTheWatcher()
    {
        var watcher = new EventFdWatcher("test-watcher");
        using EventFd failing = EventFd.Create();
        using EventFd healthy = EventFd.Create();
        int failingCalls = 0;
        using var healthyCalled = new SemaphoreSlim(0);
        watcher.Add(failing, _ =>
        {
            Interlocked.Increment(ref failingCalls);
            throw new InvalidOperationException("owner bug");
        });
        watcher.Add(healthy, _ => healthyCalled.Release());

        failing.Signal();
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref failingCalls) == 1, 5000));
        healthy.Signal();
        Assert.True(healthyCalled.Wait(5000), "the watcher thread died with the failing callback");
        failing.Signal();
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref failingCalls) == 2, 5000));
    }
}
