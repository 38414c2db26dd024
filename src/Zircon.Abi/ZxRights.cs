namespace Zircon;

/// <summary>Handle rights (<c>zircon/rights.h</c>).</summary>
[Flags]
public enum ZxRights : uint
{
    None = 0,
    Duplicate = 1u << 0,
    Transfer = 1u << 1,
    Read = 1u << 2,
    Write = 1u << 3,
    Execute = 1u << 4,
    Map = 1u << 5,
    GetProperty = 1u << 6,
    SetProperty = 1u << 7,
    Enumerate = 1u << 8,
    Destroy = 1u << 9,
    SetPolicy = 1u << 10,
    GetPolicy = 1u << 11,
    Signal = 1u << 12,
    SignalPeer = 1u << 13,
    Wait = 1u << 14,
    Inspect = 1u << 15,
    ManageJob = 1u << 16,
    ManageProcess = 1u << 17,
    ManageThread = 1u << 18,
    ApplyProfile = 1u << 19,

    /// <summary>Only meaningful as an argument to duplicate/replace: keep the source's rights.</summary>
    SameRights = 1u << 31,

    Basic = Transfer | Duplicate | Wait | Inspect,
    Io = Read | Write,
    Property = GetProperty | SetProperty,
    Policy = SetPolicy | GetPolicy,
}

/// <summary>
/// The rights each object type's handles are created with (target era, see the reference §2.2).
/// The one place these numbers live.
/// </summary>
public static class ZxDefaultRights
{
    public const ZxRights Port = (ZxRights.Basic & ~ZxRights.Wait) | ZxRights.Io;
    public const ZxRights Interrupt = ZxRights.Basic | ZxRights.Io | ZxRights.Signal;
    public const ZxRights Guest = ZxRights.Transfer | ZxRights.Duplicate | ZxRights.Write | ZxRights.Inspect | ZxRights.ManageProcess;
    public const ZxRights Vcpu = ZxRights.Basic | ZxRights.Io | ZxRights.Execute | ZxRights.Signal;
    public const ZxRights Vmo = ZxRights.Basic | ZxRights.Io | ZxRights.Property | ZxRights.Map | ZxRights.Signal;
    public const ZxRights Vmar = ZxRights.Basic & ~ZxRights.Wait;
    public const ZxRights GuestPhysicalVmar = Vmar | ZxRights.Read | ZxRights.Write | ZxRights.Execute;
    public const ZxRights Event = ZxRights.Basic | ZxRights.Signal;
    public const ZxRights Resource = ZxRights.Transfer | ZxRights.Duplicate | ZxRights.Write | ZxRights.Inspect;
}
