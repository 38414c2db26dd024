using System.Runtime.InteropServices;

namespace Zircon;

/// <summary><c>zx_guest_set_trap</c> kinds.</summary>
public enum ZxGuestTrap : uint
{
    /// <summary><c>ZX_GUEST_TRAP_BELL</c>: a write to the range queues a GUEST_BELL packet and the guest goes on.</summary>
    Bell = 0,
    /// <summary><c>ZX_GUEST_TRAP_MEM</c>: an access to the range stops the VCPU with a GUEST_MEM packet.</summary>
    Mem = 1,
    /// <summary><c>ZX_GUEST_TRAP_IO</c>: IN/OUT on the port range stops the VCPU with a GUEST_IO packet.</summary>
    Io = 2,
}

/// <summary><c>zx_vcpu_read_state</c> / <c>zx_vcpu_write_state</c> kinds.</summary>
public enum ZxVcpuStateKind : uint
{
    /// <summary><c>ZX_VCPU_STATE</c>: the general registers (<see cref="ZxVcpuState"/>).</summary>
    State = 0,
    /// <summary><c>ZX_VCPU_IO</c>: the result of a trapped IN (<see cref="ZxVcpuIo"/>).</summary>
    Io = 1,
}

/// <summary><c>zx_vcpu_state_t</c> (x86-64): 16 general registers and RFLAGS, 136 bytes.</summary>
[StructLayout(LayoutKind.Sequential, Size = 136)]
public struct ZxVcpuState
{
    /// <summary>RAX: accumulator; return values and the IN/OUT data register.</summary>
    public ulong Rax;
    /// <summary>RCX: counter (string and loop instructions); the fourth integer argument in the SysV ABI.</summary>
    public ulong Rcx;
    /// <summary>RDX: data; the upper half of wide multiplies and divides, and the I/O port of IN/OUT DX forms.</summary>
    public ulong Rdx;
    /// <summary>RBX: base register (callee-saved in the SysV ABI).</summary>
    public ulong Rbx;
    /// <summary>RSP: the stack pointer.</summary>
    public ulong Rsp;
    /// <summary>RBP: the frame pointer (callee-saved).</summary>
    public ulong Rbp;
    /// <summary>RSI: source index of string instructions; the second integer argument in the SysV ABI.</summary>
    public ulong Rsi;
    /// <summary>RDI: destination index of string instructions; the first integer argument in the SysV ABI.</summary>
    public ulong Rdi;
    /// <summary>R8: general register (fifth integer argument in the SysV ABI).</summary>
    public ulong R8;
    /// <summary>R9: general register (sixth integer argument in the SysV ABI).</summary>
    public ulong R9;
    /// <summary>R10: general register (caller-saved).</summary>
    public ulong R10;
    /// <summary>R11: general register (caller-saved; SYSCALL stores RFLAGS here).</summary>
    public ulong R11;
    /// <summary>R12: general register (callee-saved).</summary>
    public ulong R12;
    /// <summary>R13: general register (callee-saved).</summary>
    public ulong R13;
    /// <summary>R14: general register (callee-saved).</summary>
    public ulong R14;
    /// <summary>R15: general register (callee-saved).</summary>
    public ulong R15;
    /// <summary>RFLAGS. Reading reports only the user-visible bits (<see cref="ZxX86.FlagsUser"/>); writing replaces those bits and only when <see cref="ZxX86.FlagsReserved1"/> is set in the value, as Zircon does.</summary>
    public ulong Rflags;
}

/// <summary><c>zx_vcpu_io_t</c>: the data of an IN, supplied before the next resume. 8 bytes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 8)]
public struct ZxVcpuIo
{
    /// <summary>Bytes read by the IN: 1, 2 or 4.</summary>
    [FieldOffset(0)] public byte AccessSize;
    /// <summary>Reserved; zero.</summary>
    [FieldOffset(1)] public Bytes3 Padding1;
    /// <summary>The value of a 1-byte IN.</summary>
    [FieldOffset(4)] public byte U8;
    /// <summary>The value of a 2-byte IN.</summary>
    [FieldOffset(4)] public ushort U16;
    /// <summary>The value of a 4-byte IN.</summary>
    [FieldOffset(4)] public uint U32;
    /// <summary>The value as bytes.</summary>
    [FieldOffset(4)] public Bytes4 Data;
}

/// <summary>x86 constants the hypervisor calls use.</summary>
public static class ZxX86
{
    /// <summary>RFLAGS bits a guest's state reports: CF|PF|AF|ZF|SF|TF|DF|OF|NT|AC|ID.</summary>
    public const ulong FlagsUser = 0x244DD5;

    /// <summary>The always-one reserved RFLAGS bit; write_state touches RFLAGS only when it is set.</summary>
    public const ulong FlagsReserved1 = 0x2;

    /// <summary>The highest interrupt vector.</summary>
    public const uint MaxVector = 255;
    /// <summary>The NMI vector, delivered before any other.</summary>
    public const uint NmiVector = 2;
}
