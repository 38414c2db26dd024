using System.Runtime.InteropServices;

namespace Zircon;

/// <summary>
/// One entry of <c>zx_object_wait_many</c> (<c>zx_wait_item_t</c>, 12 bytes): the handle to watch,
/// the signals that end the wait, and, on return, the signals the object had.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct ZxWaitItem
{
    /// <summary>The handle to wait on; it needs <see cref="ZxRights.Wait"/>.</summary>
    public uint Handle;

    /// <summary>Signals that end the wait when any of them is asserted on this object.</summary>
    public ZxSignals WaitFor;

    /// <summary>Written by the call: the object's signals when the wait ended.</summary>
    public ZxSignals Pending;
}

/// <summary>Limits of <c>zx_object_wait_many</c> (<c>zircon/types.h</c>).</summary>
public static class ZxWaitMany
{
    /// <summary><c>ZX_WAIT_MANY_MAX_ITEMS</c>: more items than this is ZX_ERR_OUT_OF_RANGE.</summary>
    public const int MaxItems = 64;
}

/// <summary>Properties of <c>zx_object_get_property</c> / <c>zx_object_set_property</c>.</summary>
public static class ZxProperty
{
    /// <summary><c>ZX_PROP_NAME</c>: the object's name, <c>char[ZX_MAX_NAME_LEN]</c>, NUL-terminated.</summary>
    public const uint Name = 3;

    /// <summary><c>ZX_MAX_NAME_LEN</c>: bytes of a name including its terminating NUL.</summary>
    public const int MaxNameLength = 32;
}
