namespace Zircon.Vmm.Devices;

/// <summary>
/// A source of periodic callbacks, injected into <see cref="TimerDevice"/> so the device model stays
/// a pure state machine. <see cref="Plumbing.HostPeriodicTimer"/> is the real one.
/// </summary>
public interface IPeriodicTimer
{
    /// <summary>
    /// Starts (or restarts, replacing any previous period and callback) calling <paramref name="tick"/>
    /// once per <paramref name="period"/>, on a thread of the implementation's choosing.
    /// </summary>
    void Start(TimeSpan period, Action tick);

    /// <summary>Stops the callbacks. After it returns no further tick starts (unless called from the tick itself).</summary>
    void Stop();
}
