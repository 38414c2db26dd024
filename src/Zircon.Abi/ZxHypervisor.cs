using System.Runtime.InteropServices;

namespace Zircon;

/// <summary><c>zx_guest_set_trap</c> kinds.</summary>
public enum ZxGuestTrap : uint
{
    Bell = 0,
    Mem = 1,
    Io = 2,
}

/// <summary><c>zx_vcpu_read_state</c> / <c>zx_vcpu_write_state</c> kinds.</summary>
public enum ZxVcpuStateKind : uint
{
    State = 0,
    Io = 1,
}

/// <summary><c>zx_vcpu_state_t</c> (x86-64): 16 general registers and RFLAGS, 136 bytes.</summary>
[StructLayout(LayoutKind.Sequential, Size = 136)]
public struct ZxVcpuState
{
    public ulong Rax;
    public ulong Rcx;
    public ulong Rdx;
    public ulong Rbx;
    public ulong Rsp;
    public ulong Rbp;
    public ulong Rsi;
    public ulong Rdi;
    public ulong R8;
    public ulong R9;
    public ulong R10;
    public ulong R11;
    public ulong R12;
    public ulong R13;
    public ulong R14;
    public ulong R15;
    public ulong Rflags;
}

/// <summary><c>zx_vcpu_io_t</c>: the data of an IN, supplied before the next resume. 8 bytes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 8)]
public struct ZxVcpuIo
{
    [FieldOffset(0)] public byte AccessSize;
    [FieldOffset(1)] public Bytes3 Padding1;
    [FieldOffset(4)] public byte U8;
    [FieldOffset(4)] public ushort U16;
    [FieldOffset(4)] public uint U32;
    [FieldOffset(4)] public Bytes4 Data;
}

/// <summary>x86 constants the hypervisor calls use.</summary>
public static class ZxX86
{
    /// <summary>RFLAGS bits a guest's state reports: CF|PF|AF|ZF|SF|TF|DF|OF|NT|AC|ID.</summary>
    public const ulong FlagsUser = 0x244DD5;

    /// <summary>The always-one reserved RFLAGS bit; write_state touches RFLAGS only when it is set.</summary>
    public const ulong FlagsReserved1 = 0x2;

    public const uint MaxVector = 255;
    public const uint NmiVector = 2;
}
