using System.Buffers.Binary;
using System.Text;

namespace Zircon.Vmm.Boot.Acpi;

/// <summary>
/// The few AML encodings (ACPI 6.5, chapter 20) the DSDT needs: scopes, devices, named objects
/// holding integers, strings, EISA ids, packages and resource-template buffers.
/// </summary>
public static class Aml
{
    private const byte ZeroOp = 0x00, OneOp = 0x01, NameOp = 0x08, BytePrefix = 0x0A, WordPrefix = 0x0B, DWordPrefix = 0x0C,
        StringPrefix = 0x0D, ScopeOp = 0x10, BufferOp = 0x11, PackageOp = 0x12, ExtOpPrefix = 0x5B, DeviceOp = 0x82, RootChar = 0x5C;

    /// <summary><c>Scope(name) { body }</c>; <paramref name="name"/> like "\_SB_".</summary>
    public static byte[] Scope(string name, params byte[][] body) => [ScopeOp, .. PkgLength(NameString(name), Concat(body))];

    /// <summary><c>Device(name) { body }</c>.</summary>
    public static byte[] Device(string name, params byte[][] body) => [ExtOpPrefix, DeviceOp, .. PkgLength(NameString(name), Concat(body))];

    /// <summary><c>Name(name, value)</c>.</summary>
    public static byte[] Name(string name, byte[] value) => [NameOp, .. NameString(name), .. value];

    public static byte[] Integer(ulong value) => value switch
    {
        0 => [ZeroOp],
        1 => [OneOp],
        <= 0xFF => [BytePrefix, (byte)value],
        <= 0xFFFF => [WordPrefix, (byte)value, (byte)(value >> 8)],
        <= 0xFFFF_FFFF => [DWordPrefix, .. LittleEndian32((uint)value)],
        _ => throw new ArgumentOutOfRangeException(nameof(value), "QWord integers are not needed"),
    };

    public static byte[] String(string text) => [StringPrefix, .. Encoding.ASCII.GetBytes(text), 0];

    /// <summary><c>EisaId("PNP0501")</c>: three 5-bit letters and four hex digits, as a DWord.</summary>
    public static byte[] EisaId(string id)
    {
        if (id.Length != 7)
            throw new ArgumentException("an EISA id has 3 letters and 4 hex digits", nameof(id));
        int vendor = ((id[0] - 0x40) << 10) | ((id[1] - 0x40) << 5) | (id[2] - 0x40);
        int product = Convert.ToInt32(id[3..], 16);
        return [DWordPrefix, (byte)(vendor >> 8), (byte)vendor, (byte)(product >> 8), (byte)product];
    }

    /// <summary><c>Package() { elements }</c> (fewer than 256 elements).</summary>
    public static byte[] Package(params byte[][] elements) => [PackageOp, .. PkgLength([(byte)elements.Length], Concat(elements))];

    /// <summary><c>Buffer() { bytes }</c>.</summary>
    public static byte[] Buffer(byte[] bytes) => [BufferOp, .. PkgLength(Integer((ulong)bytes.Length), bytes)];

    /// <summary>A ResourceTemplate: the descriptors followed by an End Tag with checksum 0.</summary>
    public static byte[] ResourceTemplate(params byte[][] descriptors) => Buffer([.. Concat(descriptors), 0x79, 0x00]);

    /// <summary>I/O Port Descriptor, 16-bit decode, a fixed range.</summary>
    public static byte[] IoPort(ushort port, byte length) =>
        [0x47, 0x01, (byte)port, (byte)(port >> 8), (byte)port, (byte)(port >> 8), 0x01, length];

    /// <summary>IRQ Descriptor without flags: an ISA IRQ, edge-triggered, active high.</summary>
    public static byte[] IrqNoFlags(int irq) => [0x22, (byte)(1 << irq), (byte)((1 << irq) >> 8)];

    /// <summary>32-bit Fixed Memory Range Descriptor, read-write.</summary>
    public static byte[] Memory32Fixed(uint address, uint length) => [0x86, 0x09, 0x00, 0x01, .. LittleEndian32(address), .. LittleEndian32(length)];

    /// <summary>Extended Interrupt Descriptor: one GSI, consumer, edge-triggered, active high, exclusive.</summary>
    public static byte[] ExtendedInterruptEdge(uint gsi) => [0x89, 0x06, 0x00, 0x03, 0x01, .. LittleEndian32(gsi)];

    /// <summary>A NameString: "\" prefix allowed, then one or more 4-character segments separated by '.'.</summary>
    public static byte[] NameString(string name)
    {
        var bytes = new List<byte>();
        if (name.StartsWith('\\'))
        {
            bytes.Add(RootChar);
            name = name[1..];
        }
        string[] segments = name.Split('.');
        if (segments.Length == 2)
            bytes.Add(0x2E); // DualNamePrefix
        else if (segments.Length > 2)
            throw new ArgumentException("at most two name segments", nameof(name));
        foreach (string segment in segments)
        {
            if (segment.Length != 4)
                throw new ArgumentException($"AML name segments have 4 characters: '{segment}'", nameof(name));
            bytes.AddRange(Encoding.ASCII.GetBytes(segment));
        }
        return [.. bytes];
    }

    /// <summary>PkgLength (counting its own bytes) followed by <paramref name="head"/> and <paramref name="body"/>.</summary>
    public static byte[] PkgLength(byte[] head, byte[] body)
    {
        int content = head.Length + body.Length;
        byte[] encoded;
        if (content + 1 < 0x40)
            encoded = [(byte)(content + 1)];
        else if (content + 2 < 0x1000)
            encoded = Multi(content + 2, 1);
        else if (content + 3 < 0x10_0000)
            encoded = Multi(content + 3, 2);
        else
            encoded = Multi(content + 4, 3);
        return [.. encoded, .. head, .. body];

        static byte[] Multi(int total, int following)
        {
            var b = new byte[following + 1];
            b[0] = (byte)((following << 6) | (total & 0x0F));
            for (int i = 1; i <= following; i++)
                b[i] = (byte)(total >> (4 + 8 * (i - 1)));
            return b;
        }
    }

    private static byte[] Concat(byte[][] parts) => [.. parts.SelectMany(p => p)];

    private static byte[] LittleEndian32(uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return b;
    }
}
