using System.Buffers.Binary;

namespace Zircon;

/// <summary>
/// Builds and reads the user payload of <see cref="ZxPortPacket"/>s (the <c>zx_packet_user_t</c>
/// union: 32 bytes, also seen as four little-endian u64 words). Everything here works on the
/// packet struct in place and allocates nothing.
/// </summary>
public static class PortPackets
{
    /// <summary>Bytes in a user payload.</summary>
    public const int UserPayloadSize = 32;

    /// <summary>u64 words in a user payload.</summary>
    public const int UserWordCount = UserPayloadSize / sizeof(ulong);

    /// <summary>
    /// A user packet for <see cref="Port.Queue"/> with <paramref name="key"/>, up to four u64 payload
    /// words (<c>user.u64[0..3]</c>) and <paramref name="status"/> (delivered verbatim).
    /// </summary>
    public static ZxPortPacket User(ulong key, ulong word0 = 0, ulong word1 = 0, ulong word2 = 0, ulong word3 = 0,
        ZxStatus status = ZxStatus.Ok)
    {
        var packet = new ZxPortPacket { Key = key, Type = ZxPacketType.User, Status = status };
        Span<byte> payload = packet.User;
        BinaryPrimitives.WriteUInt64LittleEndian(payload, word0);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[8..], word1);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[16..], word2);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[24..], word3);
        return packet;
    }

    /// <summary>
    /// A user packet for <see cref="Port.Queue"/> with <paramref name="key"/> and the bytes of
    /// <paramref name="payload"/> (at most 32; the rest is zero).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="payload"/> is longer than 32 bytes.</exception>
    public static ZxPortPacket User(ulong key, ReadOnlySpan<byte> payload, ZxStatus status = ZxStatus.Ok)
    {
        if (payload.Length > UserPayloadSize)
            throw new ArgumentException($"a user packet carries at most {UserPayloadSize} bytes, got {payload.Length}", nameof(payload));
        var packet = new ZxPortPacket { Key = key, Type = ZxPacketType.User, Status = status };
        payload.CopyTo(packet.User);
        return packet;
    }

    /// <summary>Word <paramref name="index"/> (0..3) of the user payload (<c>user.u64[index]</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not 0..3.</exception>
    public static ulong GetUserWord(in ZxPortPacket packet, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, UserWordCount);
        ReadOnlySpan<byte> payload = packet.User;
        return BinaryPrimitives.ReadUInt64LittleEndian(payload[(index * sizeof(ulong))..]);
    }

    /// <summary>The 32 payload bytes of <paramref name="packet"/>, writable in place.</summary>
    public static Span<byte> UserPayload(ref ZxPortPacket packet) => packet.User;
}
