namespace Zircon.Hypervisor.Tests;

/// <summary>
/// A fact that runs a real guest. xunit 2 has no dynamic skip, so on a host where
/// <c>zx_guest_create</c> answers NOT_SUPPORTED (no usable /dev/kvm) the test is reported as
/// skipped with that reason, never silently passed.
/// </summary>
public sealed class HypervisorFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> s_skipReason = new(Probe);

    public HypervisorFactAttribute()
    {
        if (s_skipReason.Value is { } reason)
            Skip = reason;
    }

    private static string? Probe()
    {
        ZxStatus status = Syscalls.GuestCreate(Syscalls.GetRootResource(), 0, out uint guest, out uint vmar);
        Syscalls.HandleClose(guest);
        Syscalls.HandleClose(vmar);
        return status == ZxStatus.Ok ? null : $"zx_guest_create: {status.ToZirconName()} (no usable /dev/kvm on this host)";
    }
}
