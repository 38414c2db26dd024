using System.Runtime.InteropServices;

namespace Zircon;

/// <summary>Packet types (<c>ZX_PKT_TYPE_*</c>).</summary>
public enum ZxPacketType : uint
{
    User = 0x00,
    SignalOne = 0x01,
    GuestBell = 0x03,
    GuestMem = 0x04,
    GuestIo = 0x05,
    GuestVcpu = 0x06,
    Interrupt = 0x07,
    PageRequest = 0x09,
}

/// <summary><c>zx_port_packet_t</c>: 48 bytes, a header and a 32-byte union.</summary>
[StructLayout(LayoutKind.Explicit, Size = 48)]
public struct ZxPortPacket
{
    /// <summary>Only the low byte of <see cref="Type"/> carries the packet type.</summary>
    public const uint TypeMask = 0xFF;

    [FieldOffset(0)] public ulong Key;
    [FieldOffset(8)] public ZxPacketType Type;
    [FieldOffset(12)] public ZxStatus Status;

    [FieldOffset(16)] public Bytes32 User;
    [FieldOffset(16)] public ZxPacketSignal Signal;
    [FieldOffset(16)] public ZxPacketGuestBell GuestBell;
    [FieldOffset(16)] public ZxPacketGuestMem GuestMem;
    [FieldOffset(16)] public ZxPacketGuestIo GuestIo;
    [FieldOffset(16)] public ZxPacketGuestVcpu GuestVcpu;
    [FieldOffset(16)] public ZxPacketInterrupt Interrupt;
    [FieldOffset(16)] public ZxPacketPageRequest PageRequest;
}

/// <summary><c>zx_packet_signal_t</c>.</summary>
[StructLayout(LayoutKind.Sequential, Size = 32)]
public struct ZxPacketSignal
{
    public ZxSignals Trigger;
    public ZxSignals Observed;
    public ulong Count;
    public long Timestamp;
    public ulong Reserved1;
}

/// <summary><c>zx_packet_guest_bell_t</c>.</summary>
[StructLayout(LayoutKind.Sequential, Size = 32)]
public struct ZxPacketGuestBell
{
    public ulong Addr;
    public ulong Reserved0;
    public ulong Reserved1;
    public ulong Reserved2;
}

/// <summary><c>zx_packet_guest_mem_t</c> (x86-64).</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
public struct ZxPacketGuestMem
{
    /// <summary><c>X86_MAX_INST_LEN</c>.</summary>
    public const int MaxInstructionLength = 15;

    [FieldOffset(0)] public ulong Addr;
    [FieldOffset(8)] public byte InstLen;
    [FieldOffset(9)] public Bytes15 InstBuf;
    [FieldOffset(24)] public byte DefaultOperandSize;
    [FieldOffset(25)] public Bytes7 Reserved;
}

/// <summary><c>zx_packet_guest_io_t</c>.</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
public struct ZxPacketGuestIo
{
    [FieldOffset(0)] public ushort Port;
    [FieldOffset(2)] public byte AccessSize;
    [FieldOffset(3)] [MarshalAs(UnmanagedType.U1)] public bool Input;
    [FieldOffset(4)] public byte U8;
    [FieldOffset(4)] public ushort U16;
    [FieldOffset(4)] public uint U32;
    [FieldOffset(4)] public Bytes4 Data;
    [FieldOffset(8)] public ulong Reserved0;
    [FieldOffset(16)] public ulong Reserved1;
    [FieldOffset(24)] public ulong Reserved2;
}

/// <summary><c>zx_packet_guest_vcpu_t</c>.</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
public struct ZxPacketGuestVcpu
{
    public const byte TypeInterrupt = 0;
    public const byte TypeStartup = 1;

    // interrupt member of the inner union
    [FieldOffset(0)] public ulong InterruptMask;
    [FieldOffset(8)] public byte InterruptVector;
    // startup member of the inner union
    [FieldOffset(0)] public ulong StartupId;
    [FieldOffset(8)] public ulong StartupEntry;

    [FieldOffset(16)] public byte Type;
    [FieldOffset(24)] public ulong Reserved;
}

/// <summary><c>zx_packet_interrupt_t</c>.</summary>
[StructLayout(LayoutKind.Sequential, Size = 32)]
public struct ZxPacketInterrupt
{
    public long Timestamp;
    public ulong Reserved0;
    public ulong Reserved1;
    public ulong Reserved2;
}

/// <summary><c>zx_packet_page_request_t</c>.</summary>
[StructLayout(LayoutKind.Sequential, Size = 32)]
public struct ZxPacketPageRequest
{
    public ushort Command;
    public ushort Flags;
    public uint Reserved0;
    public ulong Offset;
    public ulong Length;
    public ulong Reserved1;
}
