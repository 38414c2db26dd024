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
    /// A latency measurement: it prints figures and asserts only that what it measures happened.
    /// It runs in the KVM rig too (docs/kvm-rig.md), where it checks the same behaviour on SVM but
    /// its figures mean nothing (everything is emulated); <see cref="KvmAvailability.InRig"/> lets
    /// the test say so next to them.
    /// </summary>
    public bool Measurement { get; set; }
}

/// <summary>Probes <c>/dev/kvm</c> once per test run.</summary>
public static class KvmAvailability
{
    private static readonly Lazy<string?> s_reason = new(Probe);

    /// <summary>Null when KVM works here, otherwise why KVM tests are skipped.</summary>
    public static string? SkipReason => s_reason.Value;

    /// <summary>True inside the KVM rig (QEMU's emulation), where timings are no measure of speed.</summary>
    public static bool InRig => Environment.GetEnvironmentVariable("ZX_IN_KVM_RIG") == "1";

    private static string? Probe()
    {
        ZxStatus status = KvmSystem.Open(out KvmSystem? system);
        system?.Dispose();
        return status == ZxStatus.Ok ? null : $"/dev/kvm is not usable on this host ({status.ToZirconName()})";
    }
}
