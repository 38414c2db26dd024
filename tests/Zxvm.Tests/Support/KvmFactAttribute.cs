using Zircon;

namespace Zxvm.Tests.Support;

/// <summary>
/// A fact that boots a guest. xunit 2 has no dynamic skip, so the host is probed once with
/// <c>Guest.TryCreate</c>; where there is no usable /dev/kvm the test is reported as skipped with
/// the reason, never silently passed.
/// </summary>
public sealed class KvmFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> s_skipReason = new(Probe);

    public KvmFactAttribute()
    {
        if (s_skipReason.Value is { } reason)
            Skip = reason;
    }

    /// <summary>Null when guests can run here, otherwise why guest tests are skipped.</summary>
    public static string? SkipReason => s_skipReason.Value;

    private static string? Probe()
    {
        ZxStatus status = Guest.TryCreate(Resource.Root, out Guest? guest);
        guest?.Dispose();
        return status switch
        {
            ZxStatus.Ok => null,
            ZxStatus.ErrNotSupported => "boots a guest: zx_guest_create returned ZX_ERR_NOT_SUPPORTED (no usable /dev/kvm on this host)",
            _ => $"boots a guest: zx_guest_create returned {status.ToZirconName()}",
        };
    }
}

/// <summary>A fact about hosts that cannot run guests (zxvm's "no KVM" errors); skipped, with the reason, where guests run.</summary>
public sealed class NoKvmFactAttribute : FactAttribute
{
    public NoKvmFactAttribute()
    {
        if (KvmFactAttribute.SkipReason is null)
            Skip = "checks the error of a host without KVM; this host runs guests";
    }
}
