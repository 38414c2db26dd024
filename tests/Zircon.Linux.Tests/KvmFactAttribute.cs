namespace Zircon.Linux.Tests;

/// <summary>
/// A fact that needs a usable <c>/dev/kvm</c>. xunit 2 has no dynamic skip, so the attribute
/// decides when the test is discovered: on a host without KVM the test is reported as skipped,
/// with the reason, never silently passed.
/// </summary>
public sealed class KvmFactAttribute : FactAttribute
{
    public KvmFactAttribute()
    {
        if (KvmAvailability.SkipReason is { } reason)
            Skip = reason;
    }

    /// <summary>
    /// A latency measurement: it prints figures and only means something on real KVM, so in the KVM
    /// rig (docs/kvm-rig.md: everything emulated) it is skipped with this reason.
    /// </summary>
    public bool Measurement
    {
        get => false;
        set
        {
            if (value && Skip is null && Environment.GetEnvironmentVariable("ZX_IN_KVM_RIG") == "1")
                Skip = "a latency measurement: meaningless in the KVM rig's emulation (run it on a host with /dev/kvm)";
        }
    }
}

/// <summary>Probes <c>/dev/kvm</c> once per test run.</summary>
public static class KvmAvailability
{
    private static readonly Lazy<string?> s_reason = new(Probe);

    /// <summary>Null when KVM works here, otherwise why KVM tests are skipped.</summary>
    public static string? SkipReason => s_reason.Value;

    private static string? Probe()
    {
        ZxStatus status = KvmSystem.Open(out KvmSystem? system);
        system?.Dispose();
        return status == ZxStatus.Ok ? null : $"/dev/kvm is not usable on this host ({status.ToZirconName()})";
    }
}
