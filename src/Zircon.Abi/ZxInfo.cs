using System.Runtime.InteropServices;

namespace Zircon;

/// <summary><c>zx_info_handle_basic_t</c> (32 bytes).</summary>
[StructLayout(LayoutKind.Sequential, Size = 32)]
public struct ZxInfoHandleBasic
{
    /// <summary>The object's koid.</summary>
    public ulong Koid;
    /// <summary>The rights of this handle.</summary>
    public ZxRights Rights;
    /// <summary>The object's type.</summary>
    public ZxObjectType Type;
    /// <summary>The koid of a related object (the peer of a pair), or 0.</summary>
    public ulong RelatedKoid;
    /// <summary><see cref="ZxObjectProps"/> of the object.</summary>
    public uint Props;
    /// <summary>Reserved; zero.</summary>
    public uint Padding1;
}

/// <summary><c>zx_info_vmar_t</c> (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential, Size = 16)]
public struct ZxInfoVmar
{
    /// <summary>The VMAR's base address.</summary>
    public ulong Base;
    /// <summary>The VMAR's length in bytes.</summary>
    public ulong Len;
}
