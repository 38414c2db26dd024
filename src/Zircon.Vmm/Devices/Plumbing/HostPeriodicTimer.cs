using System.Diagnostics;

namespace Zircon.Vmm.Devices.Plumbing;

/// <summary>
/// The real <see cref="IPeriodicTimer"/>: one dedicated background host thread that sleeps until
/// absolute deadlines on a fixed grid (start + n × period), so late wake-ups never accumulate into drift.
/// </summary>
/// <remarks>
/// <para>Sleeps have the host's millisecond granularity: a tick may come up to about a millisecond
/// after its deadline, and periods shorter than that are delivered at most once per wake-up. When the
/// thread falls a full period or more behind, it raises one tick and skips the missed deadlines
/// rather than delivering a burst (an edge interrupt would coalesce them anyway).</para>
/// <para>The thread starts on the first <see cref="Start"/> and ends on <see cref="Dispose"/>. Ticks
/// run outside the timer's lock; an exception from a tick is written to standard error and the
/// timer goes on. <see cref="Start"/> (a restart) and <see cref="Stop"/> wait for a tick in flight,
/// unless called from that tick, so the callback they replace never runs after they return.</para>
/// </remarks>
public sealed class HostPeriodicTimer : IPeriodicTimer, IDisposable
{
    private readonly object _gate = new();
    private readonly string _threadName;
    private Thread? _thread;
    private Action? _tick;
    private long _periodTimestampTicks;
    private long _startTimestamp;
    private long _generation;
    private bool _inTick;
    private bool _disposed;

    /// <summary>Creates a stopped timer; <paramref name="threadName"/> names its host thread.</summary>
    public HostPeriodicTimer(string threadName = "zxvm-timer")
    {
        _threadName = threadName;
    }

    /// <inheritdoc />
    public void Start(TimeSpan period, Action tick)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(tick);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _generation++;
            _tick = tick;
            _periodTimestampTicks = Math.Max(1, (long)(period.TotalSeconds * Stopwatch.Frequency));
            _startTimestamp = Stopwatch.GetTimestamp();
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = _threadName };
                _thread.Start();
            }
            Monitor.PulseAll(_gate);
            WaitForTickToFinishLocked(); // an old tick still running must not outlive the restart
        }
    }

    /// <inheritdoc />
    public void Stop()
    {
        lock (_gate)
        {
            _generation++;
            _tick = null;
            Monitor.PulseAll(_gate);
            WaitForTickToFinishLocked();
        }
    }

    /// <summary>Stops the timer and ends its thread.</summary>
    public void Dispose()
    {
        Thread? thread;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _generation++;
            _tick = null;
            thread = _thread;
            Monitor.PulseAll(_gate);
        }
        if (thread is not null && thread != Thread.CurrentThread)
        {
            thread.Join();
        }
    }

    private void WaitForTickToFinishLocked()
    {
        if (Thread.CurrentThread == _thread)
        {
            return; // called from the tick itself
        }
        while (_inTick)
        {
            Monitor.Wait(_gate);
        }
    }

    private void Run()
    {
        Monitor.Enter(_gate);
        try
        {
            while (!_disposed)
            {
                Action? tick = _tick;
                if (tick is null)
                {
                    Monitor.Wait(_gate);
                    continue;
                }
                long generation = _generation;
                long period = _periodTimestampTicks;
                long deadline = _startTimestamp + period;
                while (!_disposed && generation == _generation)
                {
                    long now = Stopwatch.GetTimestamp();
                    if (now < deadline)
                    {
                        Monitor.Wait(_gate, ToTimeoutMilliseconds(deadline - now));
                        continue;
                    }
                    _inTick = true;
                    Monitor.Exit(_gate);
                    try
                    {
                        tick();
                    }
                    catch (Exception e)
                    {
                        // A failing tick must not escape the timer thread (that would end the process).
                        Console.Error.WriteLine($"zxvm: {_threadName}: a timer tick failed: {e.GetType().Name}: {e.Message}");
                    }
                    finally
                    {
                        Monitor.Enter(_gate);
                        _inTick = false;
                        Monitor.PulseAll(_gate);
                    }
                    deadline += period;
                    long behind = Stopwatch.GetTimestamp() - deadline;
                    if (behind >= period)
                    {
                        deadline += behind / period * period; // skip missed deadlines, stay on the grid
                    }
                }
            }
        }
        finally
        {
            Monitor.Exit(_gate);
        }
    }

    private static int ToTimeoutMilliseconds(long timestampTicks)
    {
        long milliseconds = (timestampTicks * 1000 + Stopwatch.Frequency - 1) / Stopwatch.Frequency;
        return (int)Math.Clamp(milliseconds, 1, int.MaxValue);
    }
}
