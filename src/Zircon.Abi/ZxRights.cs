namespace Zircon;

/// <summary>Handle rights (<c>zircon/rights.h</c>).</summary>
[Flags]
public enum ZxRights : uint
{
    /// <summary><c>ZX_RIGHT_NONE</c>.</summary>
    None = 0,
    /// <summary><c>ZX_RIGHT_DUPLICATE</c>.</summary>
    Duplicate = 1u << 0,
    /// <summary><c>ZX_RIGHT_TRANSFER</c>.</summary>
    Transfer = 1u << 1,
    /// <summary><c>ZX_RIGHT_READ</c>.</summary>
    Read = 1u << 2,
    /// <summary><c>ZX_RIGHT_WRITE</c>.</summary>
    Write = 1u << 3,
    /// <summary><c>ZX_RIGHT_EXECUTE</c>.</summary>
    Execute = 1u << 4,
    /// <summary><c>ZX_RIGHT_MAP</c>.</summary>
    Map = 1u << 5,
    /// <summary><c>ZX_RIGHT_GET_PROPERTY</c>.</summary>
    GetProperty = 1u << 6,
    /// <summary><c>ZX_RIGHT_SET_PROPERTY</c>.</summary>
    SetProperty = 1u << 7,
    /// <summary><c>ZX_RIGHT_ENUMERATE</c>.</summary>
    Enumerate = 1u << 8,
    /// <summary><c>ZX_RIGHT_DESTROY</c>.</summary>
    Destroy = 1u << 9,
    /// <summary><c>ZX_RIGHT_SET_POLICY</c>.</summary>
    SetPolicy = 1u << 10,
    /// <summary><c>ZX_RIGHT_GET_POLICY</c>.</summary>
    GetPolicy = 1u << 11,
    /// <summary><c>ZX_RIGHT_SIGNAL</c>.</summary>
    Signal = 1u << 12,
    /// <summary><c>ZX_RIGHT_SIGNAL_PEER</c>.</summary>
    SignalPeer = 1u << 13,
    /// <summary><c>ZX_RIGHT_WAIT</c>.</summary>
    Wait = 1u << 14,
    /// <summary><c>ZX_RIGHT_INSPECT</c>.</summary>
    Inspect = 1u << 15,
    /// <summary><c>ZX_RIGHT_MANAGE_JOB</c>.</summary>
    ManageJob = 1u << 16,
    /// <summary><c>ZX_RIGHT_MANAGE_PROCESS</c>.</summary>
    ManageProcess = 1u << 17,
    /// <summary><c>ZX_RIGHT_MANAGE_THREAD</c>.</summary>
    ManageThread = 1u << 18,
    /// <summary><c>ZX_RIGHT_APPLY_PROFILE</c>.</summary>
    ApplyProfile = 1u << 19,

    /// <summary>Only meaningful as an argument to duplicate/replace: keep the source's rights.</summary>
    SameRights = 1u << 31,

    /// <summary><c>ZX_RIGHTS_BASIC</c>: TRANSFER, DUPLICATE, WAIT, INSPECT.</summary>
    Basic = Transfer | Duplicate | Wait | Inspect,
    /// <summary><c>ZX_RIGHTS_IO</c>: READ, WRITE.</summary>
    Io = Read | Write,
    /// <summary><c>ZX_RIGHTS_PROPERTY</c>: GET_PROPERTY, SET_PROPERTY.</summary>
    Property = GetProperty | SetProperty,
    /// <summary><c>ZX_RIGHTS_POLICY</c>: SET_POLICY, GET_POLICY.</summary>
    Policy = SetPolicy | GetPolicy,
}

/// <summary>
/// The rights each object type's handles are created with (docs/semantics.md §2.2).
/// The one place these numbers live.
/// </summary>
public static class ZxDefaultRights
{
    /// <summary>Default rights of a new Port handle.</summary>
    public const ZxRights Port = (ZxRights.Basic & ~ZxRights.Wait) | ZxRights.Io;
    /// <summary>Default rights of a new Interrupt handle.</summary>
    public const ZxRights Interrupt = ZxRights.Basic | ZxRights.Io | ZxRights.Signal;
    /// <summary>Default rights of a new Guest handle.</summary>
    public const ZxRights Guest = ZxRights.Transfer | ZxRights.Duplicate | ZxRights.Write | ZxRights.Inspect | ZxRights.ManageProcess;
    /// <summary>Default rights of a new Vcpu handle.</summary>
    public const ZxRights Vcpu = ZxRights.Basic | ZxRights.Io | ZxRights.Execute | ZxRights.Signal;
    /// <summary>Default rights of a new Vmo handle.</summary>
    public const ZxRights Vmo = ZxRights.Basic | ZxRights.Io | ZxRights.Property | ZxRights.Map | ZxRights.Signal;
    /// <summary>Default rights of a new Vmar handle.</summary>
    public const ZxRights Vmar = ZxRights.Basic & ~ZxRights.Wait;
    /// <summary>Default rights of a new GuestPhysicalVmar handle.</summary>
    public const ZxRights GuestPhysicalVmar = Vmar | ZxRights.Read | ZxRights.Write | ZxRights.Execute;
    /// <summary>Default rights of a new Event handle.</summary>
    public const ZxRights Event = ZxRights.Basic | ZxRights.Signal;
    /// <summary>Default rights of a new Resource handle.</summary>
    public const ZxRights Resource = ZxRights.Transfer | ZxRights.Duplicate | ZxRights.Write | ZxRights.Inspect;
}
