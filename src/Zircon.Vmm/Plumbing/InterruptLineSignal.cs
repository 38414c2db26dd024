using Zircon.Vmm.Devices;

namespace Zircon.Vmm.Plumbing;

/// <summary>A device interrupt raised on a host interrupt line (bound to the VCPU, so the guest gets vector = line).</summary>
public sealed class InterruptLineSignal(uint line) : IInterruptSignal
{
    private readonly HostInterruptLine _line = new(line);

    public uint Line => line;

    public void Raise() => _line.TryRaise();
}
