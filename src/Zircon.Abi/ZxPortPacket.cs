using System.Runtime.InteropServices;

namespace Zircon;

/// <summary>Packet types (<c>ZX_PKT_TYPE_*</c>).</summary>
public enum ZxPacketType : uint
{
    /// <summary><c>ZX_PKT_TYPE_USER</c>: queued by <c>zx_port_queue</c>.</summary>
    User = 0x00,
    /// <summary><c>ZX_PKT_TYPE_SIGNAL_ONE</c>: a <c>zx_object_wait_async</c> registration fired.</summary>
    SignalOne = 0x01,
    /// <summary><c>ZX_PKT_TYPE_GUEST_BELL</c>: a guest wrote to a BELL trap.</summary>
    GuestBell = 0x03,
    /// <summary><c>ZX_PKT_TYPE_GUEST_MEM</c>: a guest accessed a MEM trap.</summary>
    GuestMem = 0x04,
    /// <summary><c>ZX_PKT_TYPE_GUEST_IO</c>: a guest executed IN/OUT on a trapped port.</summary>
    GuestIo = 0x05,
    /// <summary><c>ZX_PKT_TYPE_GUEST_VCPU</c>: a guest VCPU sent an IPI or started a VCPU.</summary>
    GuestVcpu = 0x06,
    /// <summary><c>ZX_PKT_TYPE_INTERRUPT</c>: a bound interrupt fired.</summary>
    Interrupt = 0x07,
    /// <summary><c>ZX_PKT_TYPE_PAGE_REQUEST</c>: a pager request (declared for layout; not produced here).</summary>
    PageRequest = 0x09,
}

/// <summary><c>zx_port_packet_t</c>: 48 bytes, a header and a 32-byte union.</summary>
[StructLayout(LayoutKind.Explicit, Size = 48)]
public struct ZxPortPacket
{
    /// <summary>Only the low byte of <see cref="Type"/> carries the packet type.</summary>
    public const uint TypeMask = 0xFF;

    /// <summary>The key given at registration (or by the queuer).</summary>
    [FieldOffset(0)] public ulong Key;
    /// <summary>Which payload the packet carries.</summary>
    [FieldOffset(8)] public ZxPacketType Type;
    /// <summary>The status of the event (OK, or e.g. CANCELED).</summary>
    [FieldOffset(12)] public ZxStatus Status;

    /// <summary>The payload of a user packet.</summary>
    [FieldOffset(16)] public Bytes32 User;
    /// <summary>The payload of a SIGNAL_ONE packet.</summary>
    [FieldOffset(16)] public ZxPacketSignal Signal;
    /// <summary>The payload of a GUEST_BELL packet.</summary>
    [FieldOffset(16)] public ZxPacketGuestBell GuestBell;
    /// <summary>The payload of a GUEST_MEM packet.</summary>
    [FieldOffset(16)] public ZxPacketGuestMem GuestMem;
    /// <summary>The payload of a GUEST_IO packet.</summary>
    [FieldOffset(16)] public ZxPacketGuestIo GuestIo;
    /// <summary>The payload of a GUEST_VCPU packet.</summary>
    [FieldOffset(16)] public ZxPacketGuestVcpu GuestVcpu;
    /// <summary>The payload of an INTERRUPT packet.</summary>
    [FieldOffset(16)] public ZxPacketInterrupt Interrupt;
    /// <summary>The payload of a PAGE_REQUEST packet.</summary>
    [FieldOffset(16)] public ZxPacketPageRequest PageRequest;
}

/// <summary><c>zx_packet_signal_t</c>.</summary>
[StructLayout(LayoutKind.Sequential, Size = 32)]
public struct ZxPacketSignal
{
    /// <summary>The signals the registration waited for.</summary>
    public ZxSignals Trigger;
    /// <summary>The object's signals when the packet was queued.</summary>
    public ZxSignals Observed;
    /// <summary>How many times the signal was observed (1 for one-shot waits).</summary>
    public ulong Count;
    /// <summary>With ZX_WAIT_ASYNC_TIMESTAMP: when the signal was asserted (monotonic ns); else 0.</summary>
    public long Timestamp;
    /// <summary>Reserved; zero.</summary>
    public ulong Reserved1;
}

/// <summary><c>zx_packet_guest_bell_t</c>.</summary>
[StructLayout(LayoutKind.Sequential, Size = 32)]
public struct ZxPacketGuestBell
{
    /// <summary>The guest-physical address written.</summary>
    public ulong Addr;
    /// <summary>Reserved; zero.</summary>
    public ulong Reserved0;
    /// <summary>Reserved; zero.</summary>
    public ulong Reserved1;
    /// <summary>Reserved; zero.</summary>
    public ulong Reserved2;
}

/// <summary><c>zx_packet_guest_mem_t</c> (x86-64).</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
public struct ZxPacketGuestMem
{
    /// <summary><c>X86_MAX_INST_LEN</c>.</summary>
    public const int MaxInstructionLength = 15;

    /// <summary>The guest-physical address accessed.</summary>
    [FieldOffset(0)] public ulong Addr;
    /// <summary>Length of the faulting instruction in bytes.</summary>
    [FieldOffset(8)] public byte InstLen;
    /// <summary>The faulting instruction's bytes.</summary>
    [FieldOffset(9)] public Bytes15 InstBuf;
    /// <summary>The default operand size, in bytes, of the code segment the instruction ran in.</summary>
    [FieldOffset(24)] public byte DefaultOperandSize;
    /// <summary>Reserved; zero.</summary>
    [FieldOffset(25)] public Bytes7 Reserved;
}

/// <summary><c>zx_packet_guest_io_t</c>.</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
public struct ZxPacketGuestIo
{
    /// <summary>The I/O port.</summary>
    [FieldOffset(0)] public ushort Port;
    /// <summary>Bytes accessed: 1, 2 or 4.</summary>
    [FieldOffset(2)] public byte AccessSize;
    /// <summary>True for IN, false for OUT.</summary>
    [FieldOffset(3)] [MarshalAs(UnmanagedType.U1)] public bool Input;
    /// <summary>The value of a 1-byte OUT.</summary>
    [FieldOffset(4)] public byte U8;
    /// <summary>The value of a 2-byte OUT.</summary>
    [FieldOffset(4)] public ushort U16;
    /// <summary>The value of a 4-byte OUT.</summary>
    [FieldOffset(4)] public uint U32;
    /// <summary>The value as bytes.</summary>
    [FieldOffset(4)] public Bytes4 Data;
    /// <summary>Reserved; zero.</summary>
    [FieldOffset(8)] public ulong Reserved0;
    /// <summary>Reserved; zero.</summary>
    [FieldOffset(16)] public ulong Reserved1;
    /// <summary>Reserved; zero.</summary>
    [FieldOffset(24)] public ulong Reserved2;
}

/// <summary><c>zx_packet_guest_vcpu_t</c>.</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
public struct ZxPacketGuestVcpu
{
    /// <summary><c>ZX_PKT_GUEST_VCPU_INTERRUPT</c>: an IPI.</summary>
    public const byte TypeInterrupt = 0;
    /// <summary><c>ZX_PKT_GUEST_VCPU_STARTUP</c>: a VCPU start request.</summary>
    public const byte TypeStartup = 1;

    // interrupt member of the inner union
    /// <summary>IPI: the destination VCPUs, one bit each.</summary>
    [FieldOffset(0)] public ulong InterruptMask;
    /// <summary>IPI: the vector.</summary>
    [FieldOffset(8)] public byte InterruptVector;
    // startup member of the inner union
    /// <summary>Startup: the VCPU to start.</summary>
    [FieldOffset(0)] public ulong StartupId;
    /// <summary>Startup: its entry point.</summary>
    [FieldOffset(8)] public ulong StartupEntry;

    /// <summary><see cref="TypeInterrupt"/> or <see cref="TypeStartup"/>.</summary>
    [FieldOffset(16)] public byte Type;
    /// <summary>Reserved; zero.</summary>
    [FieldOffset(24)] public ulong Reserved;
}

/// <summary><c>zx_packet_interrupt_t</c>.</summary>
[StructLayout(LayoutKind.Sequential, Size = 32)]
public struct ZxPacketInterrupt
{
    /// <summary>When the interrupt fired (monotonic ns, or the value given to <c>zx_interrupt_trigger</c>).</summary>
    public long Timestamp;
    /// <summary>Reserved; zero.</summary>
    public ulong Reserved0;
    /// <summary>Reserved; zero.</summary>
    public ulong Reserved1;
    /// <summary>Reserved; zero.</summary>
    public ulong Reserved2;
}

/// <summary><c>zx_packet_page_request_t</c>.</summary>
[StructLayout(LayoutKind.Sequential, Size = 32)]
public struct ZxPacketPageRequest
{
    /// <summary>The pager command.</summary>
    public ushort Command;
    /// <summary>Command flags.</summary>
    public ushort Flags;
    /// <summary>Reserved; zero.</summary>
    public uint Reserved0;
    /// <summary>Offset of the request in the VMO.</summary>
    public ulong Offset;
    /// <summary>Length of the request.</summary>
    public ulong Length;
    /// <summary>Reserved; zero.</summary>
    public ulong Reserved1;
}
