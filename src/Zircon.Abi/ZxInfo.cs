using System.Runtime.InteropServices;

namespace Zircon;

/// <summary><c>zx_info_handle_basic_t</c> (32 bytes).</summary>
[StructLayout(LayoutKind.Sequential, Size = 32)]
public struct ZxInfoHandleBasic
{
    public ulong Koid;
    public ZxRights Rights;
    public ZxObjectType Type;
    public ulong RelatedKoid;
    public uint Props;
    public uint Padding1;
}

/// <summary><c>zx_info_vmar_t</c> (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential, Size = 16)]
public struct ZxInfoVmar
{
    public ulong Base;
    public ulong Len;
}
