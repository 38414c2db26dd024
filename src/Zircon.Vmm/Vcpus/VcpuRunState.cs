namespace Zircon.Vmm.Vcpus;

/// <summary>The states of a <see cref="VcpuLoop"/>.</summary>
public enum VcpuRunState
{
    /// <summary>Constructed; the thread has not started.</summary>
    Created,

    /// <summary>Resuming the guest and serving its exits.</summary>
    Running,

    /// <summary>Kicked out of the guest, waiting for <see cref="VcpuLoop.Continue"/>.</summary>
    Paused,

    /// <summary>Asked to stop; the thread leaves the guest at the next opportunity.</summary>
    Stopping,

    /// <summary>The thread has ended and the VCPU is closed.</summary>
    Stopped,
}

/// <summary>How a VCPU loop ended: stopped on request, or because the guest could not go on.</summary>
public readonly record struct VcpuOutcome(bool Faulted, string? Error)
{
    public static VcpuOutcome Stopped => new(false, null);

    public static VcpuOutcome Fault(string error) => new(true, error);
}
