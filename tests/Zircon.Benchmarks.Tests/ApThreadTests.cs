namespace Zircon.Benchmarks.Tests;

/// <summary>The thread that drives VCPU 1 in the SMP rows, with scripted runs instead of a VCPU.</summary>
public class ApThreadTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Each call returns the next port of the script; at its end, blocks until stopped and returns -1.</summary>
    private sealed class ScriptedRuns(params int[] ports)
    {
        private readonly ManualResetEventSlim _stopped = new();
        private int _next;

        public int Run()
        {
            if (_next < ports.Length)
                return ports[_next++];
            _stopped.Wait();
            return -1;
        }

        public void Stop() => _stopped.Set();
    }

    [Fact]
    public void ReadyAndHandlerExits_SetTheirEvents_AndStopEndsTheThread()
    {
        var runs = new ScriptedRuns(SmpGuestImage.ApReadyPort, GuestImage.HandlerPort);
        var ap = new ApThread("test-ap", () => { }, runs.Run, runs.Stop);
        ap.WaitReady(Wait, () => "scripted");
        Assert.True(ap.Handled.Wait(Wait));
        Assert.NotEqual(0, ap.HandledAt);
        Assert.Equal(2, ap.Exits);
        ap.Dispose();
        Assert.Null(ap.Error);
    }

    [Fact]
    public void AFailingBind_IsKept_ReleasesWaiters_AndWaitReadyThrowsIt()
    {
        var ap = new ApThread("test-ap", () => throw new InvalidOperationException("no VCPU"), () => -1, () => { });
        var e = Assert.Throws<InvalidOperationException>(() => ap.WaitReady(Wait, () => "scripted"));
        Assert.Contains("no VCPU", e.Message);
        Assert.True(ap.Handled.IsSet); // an injector waiting for a handler exit is released too
        ap.Dispose();
    }

    [Fact]
    public void AnUnexpectedExit_EndsTheThreadWithAnError()
    {
        var runs = new ScriptedRuns(SmpGuestImage.ApReadyPort, 0x77);
        var ap = new ApThread("test-ap", () => { }, runs.Run, runs.Stop);
        Assert.True(ap.Handled.Wait(Wait)); // set when the thread ends
        Assert.Contains("0x77", ap.Error?.Message);
        Assert.Throws<InvalidOperationException>(ap.ThrowIfFailed);
        ap.Dispose();
    }

    [Fact]
    public void Watchdog_CallsItsActionOnce_WhenNoProgressIsMade()
    {
        int fired = 0;
        using var fire = new ManualResetEventSlim();
        using (var dog = new Watchdog(TimeSpan.FromMilliseconds(20), () =>
        {
            Interlocked.Increment(ref fired);
            fire.Set();
        }))
        {
            Assert.True(fire.Wait(Wait));
            Thread.Sleep(200); // further periods without progress do not fire again
        }
        Assert.Equal(1, Volatile.Read(ref fired));
    }
}
