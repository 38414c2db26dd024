namespace Zircon.Vmm.Tests.Support;

/// <summary>Made-up <c>zx_vcpu_resume</c> packets, as the kernel would fill them.</summary>
internal static class Packets
{
    public static ZxPortPacket IoOut(ushort port, byte size, uint value)
    {
        var packet = new ZxPortPacket { Key = port, Type = ZxPacketType.GuestIo };
        packet.GuestIo.Port = port;
        packet.GuestIo.AccessSize = size;
        packet.GuestIo.Input = false;
        packet.GuestIo.U32 = value;
        return packet;
    }

    public static ZxPortPacket IoIn(ushort port, byte size)
    {
        var packet = new ZxPortPacket { Key = port, Type = ZxPacketType.GuestIo };
        packet.GuestIo.Port = port;
        packet.GuestIo.AccessSize = size;
        packet.GuestIo.Input = true;
        return packet;
    }

    /// <summary>A GUEST_MEM packet for an access at <paramref name="address"/> by <paramref name="instruction"/>;
    /// <paramref name="instructionLength"/> is InstLen as reported (default: the number of bytes given).</summary>
    public static ZxPortPacket Mem(ulong address, byte[] instruction, int? instructionLength = null)
    {
        var packet = new ZxPortPacket { Key = address, Type = ZxPacketType.GuestMem };
        packet.GuestMem.Addr = address;
        packet.GuestMem.InstLen = (byte)(instructionLength ?? instruction.Length);
        packet.GuestMem.DefaultOperandSize = 4;
        Span<byte> buffer = packet.GuestMem.InstBuf;
        instruction.AsSpan(0, Math.Min(instruction.Length, buffer.Length)).CopyTo(buffer);
        return packet;
    }

    public static ZxPortPacket Bell(ulong address)
    {
        var packet = new ZxPortPacket { Key = 0, Type = ZxPacketType.GuestBell };
        packet.GuestBell.Addr = address;
        return packet;
    }
}
