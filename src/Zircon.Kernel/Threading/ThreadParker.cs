namespace Zircon.Kernel.Threading;

/// <summary>
/// Lets a thread sleep until another thread wakes it, for objects guarded by a
/// <see cref="ShortLock"/> (which, unlike a monitor, has no wait/pulse). One per thread, reused.
/// Protocol: under the object's lock the sleeper calls <see cref="Arm"/> and publishes the parker;
/// a waker takes it from the object under that lock and calls <see cref="Unpark"/>; the sleeper
/// calls <see cref="Park"/> after releasing the lock. A wake-up that comes before
/// <see cref="Park"/> is not lost.
/// </summary>
internal sealed class ThreadParker
{
    [ThreadStatic]
    private static ThreadParker? t_instance;

    private bool _woken;

    public static ThreadParker ForCurrentThread() => t_instance ??= new ThreadParker();

    /// <summary>Forgets any earlier wake-up; call under the object's lock before publishing the parker.</summary>
    public void Arm() => Volatile.Write(ref _woken, false);

    /// <summary>Sleeps until <see cref="Unpark"/> (returns at once if it already came).</summary>
    public void Park()
    {
        lock (this)
        {
            while (!_woken)
                Monitor.Wait(this);
        }
    }

    public void Unpark()
    {
        lock (this)
        {
            _woken = true;
            Monitor.Pulse(this);
        }
    }
}
