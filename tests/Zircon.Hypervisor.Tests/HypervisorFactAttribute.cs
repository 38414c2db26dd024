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

    /// <summary>
    /// A failure seen only in the KVM rig (docs/kvm-rig.md: KVM on QEMU's emulated SVM), not yet
    /// explained: there the test is skipped with this text; everywhere else it runs.
    /// </summary>
    public string? KnownRigFailure
    {
        get => null;
        set
        {
            if (value is not null && Skip is null && Environment.GetEnvironmentVariable("ZX_IN_KVM_RIG") == "1")
                Skip = "known failure in the KVM rig, under investigation: " + value;
        }
    }

    private static string? Probe()
    {
        ZxStatus status = Syscalls.GuestCreate(Syscalls.GetRootResource(), 0, out uint guest, out uint vmar);
        Syscalls.HandleClose(guest);
        Syscalls.HandleClose(vmar);
        return status == ZxStatus.Ok ? null : $"zx_guest_create: {status.ToZirconName()} (no usable /dev/kvm on this host)";
    }
}
