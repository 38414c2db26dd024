namespace Zircon.Vmm.Devices;

/// <summary>
/// A device's interrupt line (a host interrupt line bound to the VCPU). <see cref="Raise"/> is an
/// edge. Thread-safe. Implementations must not call back into the device that raises it.
/// </summary>
public interface IInterruptSignal
{
    /// <summary>Raises one edge on the line.</summary>
    void Raise();
}
