namespace Zircon.Vmm.Tests.Support;

/// <summary>
/// A fact that needs a real guest (KVM). xunit 2 has no dynamic skip, so the host is probed once
/// with <c>Guest.TryCreate</c>: where it answers NOT_SUPPORTED (no usable /dev/kvm) the test is
/// reported as skipped with that reason instead of silently passing.
/// </summary>
public sealed class KvmFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> s_skipReason = new(Probe);

    public KvmFactAttribute()
    {
        if (s_skipReason.Value is { } reason)
            Skip = reason;
    }

    /// <summary>Null when guests can run here, else why not.</summary>
    public static string? SkipReason => s_skipReason.Value;

    private static string? Probe()
    {
        ZxStatus status = Guest.TryCreate(Resource.Root, out Guest? guest);
        guest?.Dispose();
        return status switch
        {
            ZxStatus.Ok => null,
            ZxStatus.ErrNotSupported => "needs KVM: zx_guest_create returned ZX_ERR_NOT_SUPPORTED (no usable /dev/kvm on this host)",
            _ => $"needs KVM: zx_guest_create returned {status.ToZirconName()}",
        };
    }
}

/// <summary>A theory that needs a real guest; skipped with <see cref="KvmFactAttribute"/>'s reason where there is none.</summary>
public sealed class KvmTheoryAttribute : TheoryAttribute
{
    public KvmTheoryAttribute()
    {
        if (KvmFactAttribute.SkipReason is { } reason)
            Skip = reason;
    }
}
